import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app-harness.ts";
import { gatewaySessions } from "../../db/schema.ts";
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
