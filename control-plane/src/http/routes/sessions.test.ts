import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app-harness.ts";
import { auditEvents, gatewaySessions } from "../../db/schema.ts";
import { uuidv7 } from "../../lib/ids.ts";
import { newSessionId } from "../../tokens/token-endpoint.ts";

let t: TestApp;
let agentA: string;
let agentB: string;
const started = (minutes: number) => new Date(Date.UTC(2030, 0, 1, 12, minutes));

beforeAll(async () => {
  t = await createTestApp();
  agentA = (await t.call("POST", "/api/v1/agents", { body: { name: "agent-a", owner: "o", trust: "first_party" } }))
    .body.id;
  agentB = (await t.call("POST", "/api/v1/agents", { body: { name: "agent-b", owner: "o", trust: "third_party" } }))
    .body.id;
  const rows = [
    { operatorSub: "alice", agentId: agentA, at: 0 },
    { operatorSub: "alice", agentId: agentB, at: 1 },
    { operatorSub: "carol", agentId: agentA, at: 2 },
    { operatorSub: "alice", agentId: agentA, at: 3 },
    { operatorSub: "alice", agentId: agentA, at: 3 }, // same start time: the id breaks the tie
  ];
  await t.database.db.insert(gatewaySessions).values(
    rows.map((r) => ({
      id: newSessionId(),
      operatorSub: r.operatorSub,
      agentId: r.agentId,
      delegation: { chain: [{ agent: "agent", trust: "first_party", owner: "o" }], origin: "human" },
      startedAt: started(r.at),
      expiresAt: started(r.at + 15),
    })),
  );
});
afterAll(() => t.close());

describe("sessions", () => {
  it("lists newest first with filters and keyset pages", async () => {
    const all = await t.call("GET", "/api/v1/sessions", { role: "auditor" });
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(5);
    const times = all.body.items.map((s: { startedAt: string }) => s.startedAt);
    expect([...times].sort().reverse()).toEqual(times);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string; operatorSub: string }[]; nextCursor: string | null } } = await t.call(
        "GET",
        `/api/v1/sessions?operator=alice&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        { role: "security" },
      );
      expect(page.body.items.every((s) => s.operatorSub === "alice")).toBe(true);
      seen.push(...page.body.items.map((s) => s.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);

    const byAgent = await t.call("GET", `/api/v1/sessions?agent=${agentB}`);
    expect(byAgent.body.items).toMatchObject([{ agentId: agentB, agentName: "agent-b", operatorSub: "alice" }]);
    const window = await t.call(
      "GET",
      `/api/v1/sessions?from=${started(1).toISOString()}&to=${started(3).toISOString()}`,
    );
    expect(window.body.items.map((s: { operatorSub: string }) => s.operatorSub)).toEqual(["carol", "alice"]);
  });

  it("reads one session, and answers 404 and 400 naming the field", async () => {
    const [first] = (await t.call("GET", "/api/v1/sessions?limit=1")).body.items;
    const one = await t.call("GET", `/api/v1/sessions/${first.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: first.id, delegation: { origin: "human" }, endedAt: null });
    expect((await t.call("GET", "/api/v1/sessions/sess_AAAAAAAAAAAAAAAAAAAAAA")).status).toBe(404);
    const bad = await t.call("GET", "/api/v1/sessions?cursor=bm90LWEtY3Vyc29y");
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].field).toBe("query.cursor");
    const backwards = await t.call(
      "GET",
      `/api/v1/sessions?from=${started(5).toISOString()}&to=${started(1).toISOString()}`,
    );
    expect(backwards.status).toBe(400);
  });

  it("is not readable by platform", async () => {
    expect((await t.call("GET", "/api/v1/sessions", { role: "platform" })).status).toBe(403);
  });
});

describe("session events", () => {
  it("lists a session's audit events oldest first, with the deciding policies, in keyset pages", async () => {
    const sessions = (await t.call("GET", "/api/v1/sessions?operator=carol")).body.items as { id: string }[];
    const sessionId = sessions[0]?.id as string;
    const other = (await t.call("GET", "/api/v1/sessions?operator=alice&limit=1")).body.items[0].id as string;
    const streamA = uuidv7();
    const streamB = uuidv7();
    const allowPolicy = (
      await t.call("POST", "/api/v1/policies", {
        body: {
          name: "p-allow",
          description: "",
          target: { agents: ["*"], tools: ["*"] },
          effect: "allow",
          condition: "",
          mode: "enforce",
          priority: 0,
        },
      })
    ).body.id as string;
    const gone = uuidv7();
    const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 12, 5, s));
    const event = (streamId: string, seq: number, second: number, session: string, tool: string, outcome: string) => ({
      id: uuidv7(),
      streamId,
      batchSeq: 1,
      eventSeq: seq,
      at: at(second),
      kind: "decision",
      sessionId: session,
      agentId: "agent-a",
      operatorSub: "carol",
      tool,
      decision: outcome === "ok" ? "allow" : "deny",
      outcome,
      latencyUs: 1200,
      record: JSON.stringify({
        type: "decision",
        code: outcome === "ok" ? "allowed" : "denied_by_policy",
        reason: outcome === "ok" ? "allowed by policy 'p-allow'" : "denied by policy 'p-deny'",
        policies: outcome === "ok" ? [allowPolicy] : [gone],
        evaluated: 3,
        args_sha256: "a".repeat(64),
        protocol: "mcp",
        ...(outcome === "ok" ? { upstream_status: 200 } : {}),
      }),
    });
    await t.database.db
      .insert(auditEvents)
      .values([
        event(streamB, 1, 3, sessionId, "send_notification", "denied"),
        event(streamA, 1, 1, sessionId, "receipt_ocr", "ok"),
        event(streamA, 2, 2, sessionId, "get_employee_cost_center", "ok"),
        event(streamA, 3, 2, other, "receipt_ocr", "ok"),
      ]);

    const all = await t.call("GET", `/api/v1/sessions/${sessionId}/events`, { role: "auditor" });
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body.items.map((e: { tool: string }) => e.tool)).toEqual([
      "receipt_ocr",
      "get_employee_cost_center",
      "send_notification",
    ]);
    expect(all.body.items[0]).toMatchObject({
      kind: "decision",
      decision: "allow",
      outcome: "ok",
      code: "allowed",
      policies: [{ id: allowPolicy, name: "p-allow" }],
      evaluated: 3,
      upstreamStatus: 200,
      protocol: "mcp",
      latencyUs: 1200,
    });
    expect(all.body.items[2]).toMatchObject({
      outcome: "denied",
      code: "denied_by_policy",
      policies: [{ id: gone, name: null }],
    });
    expect(all.body.streams).toEqual([streamA, streamB].sort());
    expect(all.body.nextCursor).toBeNull();

    const tools: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { tool: string }[]; nextCursor: string | null } } = await t.call(
        "GET",
        `/api/v1/sessions/${sessionId}/events?limit=1${cursor ? `&cursor=${cursor}` : ""}`,
        { role: "security" },
      );
      expect(page.status).toBe(200);
      tools.push(...page.body.items.map((e) => e.tool));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(tools).toEqual(["receipt_ocr", "get_employee_cost_center", "send_notification"]);
  });

  it("answers 404 for an unknown session, 400 naming a bad cursor, 403 to platform", async () => {
    const missing = await t.call("GET", "/api/v1/sessions/sess_AAAAAAAAAAAAAAAAAAAAAA/events");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");
    const id = (await t.call("GET", "/api/v1/sessions?limit=1")).body.items[0].id as string;
    const bad = await t.call("GET", `/api/v1/sessions/${id}/events?cursor=bm90LWEtY3Vyc29y`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].field).toBe("query.cursor");
    expect((await t.call("GET", `/api/v1/sessions/${id}/events`, { role: "platform" })).status).toBe(403);
  });
});
