// The Redis ledger as several nodes use it: two ledger instances (two connections, as two nodes would have) on one
// Redis (REDIS_URL, default redis://127.0.0.1:6379), under a key prefix of this file's own.
import { createServer, type Server } from "node:net";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { deletePrefix, requireRedis, TEST_REDIS_URL, testPrefix } from "../../test/redis.ts";
import type { CallRecord, SessionHistory, SessionKey, SessionLedger } from "./ledger.ts";
import { createRedisLedger, type RedisLedgerOptions } from "./redis-ledger.ts";

const PREFIX = testPrefix("redis-ledger");
let n = 0;

beforeAll(requireRedis);
afterAll(() => deletePrefix(PREFIX));

describe("redis session ledger", () => {
  const open: SessionLedger[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((l) => l.close()));
  });

  /** Two nodes' ledgers on one store (a fresh prefix per test). */
  function nodes(options: RedisLedgerOptions = {}): [SessionLedger, SessionLedger, string] {
    const keyPrefix = `${PREFIX}${++n}:`;
    const make = () => createRedisLedger({ url: TEST_REDIS_URL, keyPrefix, ...options });
    const pair: [SessionLedger, SessionLedger] = [make(), make()];
    open.push(...pair);
    return [...pair, keyPrefix];
  }

  const key = (id = "sess_1", extra: Partial<SessionKey> = {}): SessionKey => ({
    id,
    subject: "alice@company.com",
    agentId: "agent-1",
    // Rounded up: a token issued "now" must not look older than a store epoch claimed a moment before.
    tokenIssuedAt: Math.ceil(Date.now() / 1000),
    tokenExpiresAt: Math.floor(Date.now() / 1000) + 900,
    ...extra,
  });

  const oncePerSession =
    (tool: string) =>
    (history: SessionHistory): { record: CallRecord; value: string } => {
      const decision = history.calls.some((c) => c.tool === tool && c.decision === "allow") ? "deny" : "allow";
      return { record: { tool, decision, args: { n: history.calls.length } }, value: decision };
    };

  it("a session started on one node continues on the other with its history, taints and approvals", async () => {
    const [a, b] = nodes();
    expect(
      await a.decideAndRecord(key(), (h) => ({
        record: { tool: "read_secret", decision: "allow", args: { path: "/x" }, taints: ["read_sensitive_data"] },
        value: h.calls.length,
      })),
    ).toEqual({ ok: true, value: 0 });
    const grant = { id: "ap1", tool: "t", args_digest: "sha256:x", approver: "bob", policy: "p", at: new Date() };
    expect(await b.grantApproval("sess_1", grant)).toBe(true);
    let seen: SessionHistory | undefined;
    await b.decideAndRecord(key(), (h) => {
      seen = { ...h, calls: [...h.calls], approvals: [...h.approvals], taints: [...h.taints] };
      return { record: { tool: "send_email", decision: "deny", args: {}, consumedApprovals: ["ap1"] }, value: null };
    });
    expect(seen?.calls.map((c) => [c.tool, c.decision, c.args])).toEqual([["read_secret", "allow", { path: "/x" }]]);
    expect(seen?.calls[0]?.at).toBeInstanceOf(Date);
    expect(seen?.taints).toEqual(["read_sensitive_data"]);
    expect(seen?.approvals).toEqual([grant]);
    // Back on the first node: both calls, the approval consumed.
    await a.decideAndRecord(key(), (h) => {
      seen = { ...h, calls: [...h.calls], approvals: [...h.approvals], taints: [...h.taints] };
      return { record: { tool: "x", decision: "allow", args: {} }, value: null };
    });
    expect(seen?.calls.map((c) => c.tool)).toEqual(["read_secret", "send_email"]);
    expect(seen?.approvals).toEqual([]);
    expect(await a.size()).toBe(1);
  });

  it("the binding made on one node holds on the other", async () => {
    const [a, b] = nodes();
    await a.decideAndRecord(key(), oncePerSession("t"));
    expect(await b.decideAndRecord(key("sess_1", { agentId: "agent-2" }), oncePerSession("t"))).toMatchObject({
      ok: false,
      code: "session_binding_violation",
    });
  });

  it("50 concurrent once-per-session decisions over two nodes: exactly one allow, all 50 recorded", async () => {
    const [a, b] = nodes();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 === 0 ? a : b).decideAndRecord(key(), async (h) => {
          // Yield inside the critical section, as a decision that awaits something would.
          await new Promise((resolve) => setImmediate(resolve));
          return oncePerSession("receipt_ocr")(h);
        }),
      ),
    );
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.filter((r) => r.ok && r.value === "allow")).toHaveLength(1);
    expect(results.filter((r) => r.ok && r.value === "deny")).toHaveLength(49);
    let calls = 0;
    await a.decideAndRecord(key(), (h) => {
      calls = h.calls.length;
      return oncePerSession("other")(h);
    });
    expect(calls).toBe(50);
  });

  it("a node that restarts (a new ledger instance) continues the sessions the store holds (Z06)", async () => {
    const [a, , keyPrefix] = nodes();
    await a.decideAndRecord(key("sess_s", { tokenIssuedAt: Math.ceil(Date.now() / 1000) }), oncePerSession("t"));
    const later = createRedisLedger({
      url: TEST_REDIS_URL,
      keyPrefix,
      refuseSessionsIssuedBeforeMs: Date.now() + 60_000,
    });
    open.push(later);
    // The history is in the store: no refusal, and the once-per-session rule still sees the first call.
    expect(await later.decideAndRecord(key("sess_s"), oncePerSession("t"))).toEqual({ ok: true, value: "deny" });
  });

  it("a store that lost its data refuses the sessions it lost instead of resetting them (Z06)", async () => {
    const [a, , keyPrefix] = nodes();
    const started = key("sess_lost", { tokenIssuedAt: Math.floor(Date.now() / 1000) - 60 });
    const before = createRedisLedger({ url: TEST_REDIS_URL, keyPrefix, refuseSessionsIssuedBeforeMs: 0 });
    open.push(before);
    expect(await before.decideAndRecord(started, oncePerSession("t"))).toEqual({ ok: true, value: "allow" });
    // Simulate a flushed store: every key of this prefix gone, the epoch included.
    await deletePrefix(keyPrefix);
    expect(await a.decideAndRecord(started, oncePerSession("t"))).toMatchObject({
      ok: false,
      code: "session_expired",
      message: expect.stringMatching(/started after the session did/),
    });
    expect(await a.decideAndRecord(key("sess_fresh"), oncePerSession("t"))).toEqual({ ok: true, value: "allow" });
  });

  it("a session idle past its TTL on one node is expired on the other, never restarted clean", async () => {
    let clock = Date.now();
    const [a, b] = nodes({ idleTtlMs: 60_000, now: () => clock });
    await a.decideAndRecord(key(), oncePerSession("t"));
    clock += 61_000;
    expect(await b.decideAndRecord(key(), oncePerSession("t"))).toMatchObject({ ok: false, code: "session_expired" });
    expect(await a.decideAndRecord(key(), oncePerSession("t"))).toMatchObject({ ok: false, code: "session_expired" });
    expect(await a.grantApproval("sess_1", { id: "x" } as never)).toBe(false);
  });

  it("a session whose keys Redis itself expired answers session_expired", async () => {
    const [a, b] = nodes({ idleTtlMs: 200 });
    await a.decideAndRecord(key(), oncePerSession("t"));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await b.decideAndRecord(key(), oncePerSession("t"))).toMatchObject({ ok: false, code: "session_expired" });
  });

  it("a decision that outlives its lock records nothing and fails closed", async () => {
    const [a, b] = nodes({ lockTtlMs: 100 });
    const slow = a.decideAndRecord(key(), async (h) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      return oncePerSession("t")(h);
    });
    expect(await slow).toMatchObject({ ok: false, code: "session_store_unavailable" });
    expect(await b.decideAndRecord(key(), oncePerSession("t"))).toEqual({ ok: true, value: "allow" });
  });

  it("a lock left by a crashed node expires; waiting past lockWaitMs fails closed", async () => {
    const [a, , keyPrefix] = nodes({ lockWaitMs: 300 });
    const raw = new Redis(TEST_REDIS_URL);
    try {
      await raw.set(`${keyPrefix}s:{sess_1}:lock`, "crashed-node", "PX", 60_000);
      expect(await a.decideAndRecord(key(), oncePerSession("t"))).toMatchObject({
        ok: false,
        code: "session_store_unavailable",
        message: expect.stringMatching(/lock/),
      });
      await raw.pexpire(`${keyPrefix}s:{sess_1}:lock`, 50);
      // Wait for Redis to expire the stale lock (no timing assumption about how fast a loaded machine is).
      for (let i = 0; i < 200 && (await raw.exists(`${keyPrefix}s:{sess_1}:lock`)) === 1; i++) {
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(await a.decideAndRecord(key(), oncePerSession("t"))).toEqual({ ok: true, value: "allow" });
    } finally {
      raw.disconnect();
    }
  });

  describe("with Redis unreachable", () => {
    let closedPort: number;
    beforeAll(async () => {
      // A port that was just free: nothing listens on it.
      const server: Server = createServer();
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      closedPort = (server.address() as { port: number }).port;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it("fails closed with session_store_unavailable, never deciding without history", async () => {
      const down = createRedisLedger({ url: `redis://127.0.0.1:${closedPort}`, keyPrefix: PREFIX });
      open.push(down);
      let decided = false;
      const result = await down.decideAndRecord(key(), (h) => {
        decided = true;
        return oncePerSession("t")(h);
      });
      expect(result).toMatchObject({
        ok: false,
        code: "session_store_unavailable",
        message: expect.stringMatching(/the session store is unavailable .*not decided/),
      });
      expect(decided).toBe(false);
      await expect(down.grantApproval("sess_1", { id: "x" } as never)).rejects.toThrow();
    });
  });
});
