// The session ledger contract, run against both implementations: in memory, and on Redis (REDIS_URL, default
// redis://127.0.0.1:6379; each ledger made here gets a fresh key prefix, deleted afterwards).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { deletePrefix, requireRedis, TEST_REDIS_URL, testPrefix } from "../../test/redis.ts";
import { createMemoryLedger, type MemoryLedgerOptions, type SessionKey, type SessionLedger } from "./ledger.ts";
import { createRedisLedger } from "./redis-ledger.ts";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const PREFIX = testPrefix("ledger-contract");

type LedgerOptions = Omit<MemoryLedgerOptions, "sweepIntervalMs">;

const implementations: [string, (options: LedgerOptions) => SessionLedger][] = [
  ["memory", (options) => createMemoryLedger(options)],
  [
    "redis",
    (options) => createRedisLedger({ url: TEST_REDIS_URL, keyPrefix: `${PREFIX}${Math.random()}:`, ...options }),
  ],
];

beforeAll(requireRedis);
afterAll(() => deletePrefix(PREFIX));

describe.each(implementations)("%s session ledger", (_name, create) => {
  let ledger: SessionLedger | undefined;
  let clock = T0;
  afterEach(async () => {
    await ledger?.close();
    ledger = undefined;
    clock = T0;
  });

  function make(options: LedgerOptions = {}): SessionLedger {
    ledger = create({ now: () => clock, ...options });
    return ledger;
  }

  const key = (id = "sess_1", extra: Partial<SessionKey> = {}): SessionKey => ({
    id,
    subject: "alice@company.com",
    agentId: "agent-1",
    tokenIssuedAt: Math.floor(clock / 1000),
    tokenExpiresAt: Math.floor(clock / 1000) + 900,
    ...extra,
  });

  /** A "once per session" decision: allow only when the tool was never allowed before. */
  const oncePerSession = (tool: string) => (history: { calls: readonly { tool: string; decision: string }[] }) => {
    const decision = history.calls.some((c) => c.tool === tool && c.decision === "allow") ? "deny" : "allow";
    return { record: { tool, decision, args: {} } as const, value: decision };
  };

  it("records each call with its decision and shows it to the next decision", async () => {
    const l = make();
    const first = await l.decideAndRecord(key(), oncePerSession("receipt_ocr"));
    const second = await l.decideAndRecord(key(), oncePerSession("receipt_ocr"));
    expect(first).toEqual({ ok: true, value: "allow" });
    expect(second).toEqual({ ok: true, value: "deny" });
    let seen: readonly { tool: string; decision: string }[] = [];
    await l.decideAndRecord(key(), (h) => {
      seen = [...h.calls];
      return { record: { tool: "x", decision: "allow", args: { a: 1 } }, value: null };
    });
    expect(seen.map((c) => [c.tool, c.decision])).toEqual([
      ["receipt_ocr", "allow"],
      ["receipt_ocr", "deny"],
    ]);
  });

  it("history is per session", async () => {
    const l = make();
    expect(await l.decideAndRecord(key("sess_a"), oncePerSession("t"))).toMatchObject({ value: "allow" });
    expect(await l.decideAndRecord(key("sess_b"), oncePerSession("t"))).toMatchObject({ value: "allow" });
    expect(await l.size()).toBe(2);
  });

  it("50 concurrent calls of a once-per-session tool with an async decision: exactly one allow", async () => {
    const l = make();
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        l.decideAndRecord(key(), async (h) => {
          // Yield inside the critical section, as a decision that awaits something would.
          await new Promise((resolve) => setImmediate(resolve));
          return oncePerSession("receipt_ocr")(h);
        }),
      ),
    );
    expect(results.filter((r) => r.ok && r.value === "allow")).toHaveLength(1);
    expect(results.filter((r) => r.ok && r.value === "deny")).toHaveLength(49);
  });

  it("a decision that throws records nothing and does not block the session", async () => {
    const l = make();
    await expect(
      l.decideAndRecord(key(), () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await l.decideAndRecord(key(), oncePerSession("t"))).toEqual({ ok: true, value: "allow" });
  });

  it("an idle session expires and then answers session_expired, never a fresh history", async () => {
    const l = make({ idleTtlMs: 60_000 });
    await l.decideAndRecord(key(), oncePerSession("t"));
    clock += 61_000;
    const late = await l.decideAndRecord(key(), oncePerSession("t"));
    expect(late).toMatchObject({ ok: false, code: "session_expired" });
    expect(await l.decideAndRecord(key(), oncePerSession("t"))).toMatchObject({ ok: false, code: "session_expired" });
  });

  it("the token's exp bounds the session", async () => {
    const l = make({ clockToleranceMs: 0 });
    await l.decideAndRecord(key("sess_1", { tokenExpiresAt: Math.floor(clock / 1000) + 60 }), oncePerSession("t"));
    clock += 61_000;
    expect(await l.decideAndRecord(key(), oncePerSession("t"))).toMatchObject({ ok: false, code: "session_expired" });
  });

  it("an evicted session (capacity) answers session_expired", async () => {
    const l = make({ maxSessions: 2 });
    await l.decideAndRecord(key("s1"), oncePerSession("t"));
    await l.decideAndRecord(key("s2"), oncePerSession("t"));
    await l.decideAndRecord(key("s3"), oncePerSession("t"));
    expect(await l.size()).toBe(2);
    expect(await l.decideAndRecord(key("s1"), oncePerSession("t"))).toMatchObject({ code: "session_expired" });
    expect(await l.decideAndRecord(key("s3"), oncePerSession("t"))).toMatchObject({ ok: true, value: "deny" });
  });

  it("a session is bound to its operator and agent", async () => {
    const l = make();
    await l.decideAndRecord(key(), oncePerSession("t"));
    expect(await l.decideAndRecord(key("sess_1", { agentId: "agent-2" }), oncePerSession("t"))).toMatchObject({
      ok: false,
      code: "session_binding_violation",
    });
    expect(await l.decideAndRecord(key("sess_1", { subject: "mallory" }), oncePerSession("t"))).toMatchObject({
      ok: false,
      code: "session_binding_violation",
    });
  });

  it("Z06: a session older than the ledger (a restart lost its history) is refused, not reset", async () => {
    const l = make({ refuseSessionsIssuedBeforeMs: T0 });
    const before = key("sess_old", { tokenIssuedAt: Math.floor(T0 / 1000) - 60 });
    expect(await l.decideAndRecord(before, oncePerSession("t"))).toMatchObject({
      ok: false,
      code: "session_expired",
      message: expect.stringMatching(/started after the session did/),
    });
    expect(await l.decideAndRecord(key("sess_new"), oncePerSession("t"))).toMatchObject({ ok: true });
  });

  it("caps the calls per session", async () => {
    const l = make({ maxCallsPerSession: 3 });
    for (let i = 0; i < 3; i++) await l.decideAndRecord(key(), oncePerSession("t"));
    expect(await l.decideAndRecord(key(), oncePerSession("t"))).toMatchObject({ code: "session_call_limit" });
  });

  it("keeps approvals and taints; a used approval is consumed", async () => {
    const l = make();
    await l.decideAndRecord(key(), () => ({
      record: { tool: "read_secret", decision: "allow", args: {}, taints: ["read_sensitive_data"] },
      value: null,
    }));
    expect(
      await l.grantApproval("sess_1", {
        id: "ap1",
        tool: "t",
        args_digest: "sha256:x",
        approver: "bob",
        policy: "p",
        at: new Date(clock),
      }),
    ).toBe(true);
    expect(await l.grantApproval("sess_unknown", { id: "x" } as never)).toBe(false);
    let snapshot: { taints: string[]; approvals: string[] } = { taints: [], approvals: [] };
    await l.decideAndRecord(key(), (h) => {
      snapshot = { taints: [...h.taints], approvals: h.approvals.map((a) => a.id) };
      return { record: { tool: "t", decision: "allow", args: {}, consumedApprovals: ["ap1"] }, value: null };
    });
    expect(snapshot).toEqual({ taints: ["read_sensitive_data"], approvals: ["ap1"] });
    await l.decideAndRecord(key(), (h) => {
      snapshot = { taints: [...h.taints], approvals: h.approvals.map((a) => a.id) };
      return { record: { tool: "t", decision: "deny", args: {} }, value: null };
    });
    expect(snapshot.approvals).toEqual([]);
  });
});
