import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app-harness.ts";

let t: TestApp;
let groupId: string;
beforeAll(async () => {
  t = await createTestApp();
  const group = await t.call("POST", "/api/v1/gateway-groups", { role: "platform", body: { name: "audited" } });
  groupId = group.body.id;
  await t.call("PATCH", `/api/v1/gateway-groups/${groupId}`, { role: "platform", body: { description: "v2" } });
  await t.call("POST", "/api/v1/operators", { body: { subject: "alice", email: "alice@example.com" } });
  await t.call("POST", "/api/v1/users", { role: "platform", body: {} });
});
afterAll(() => t.close());

type Row = { action: string; targetId: string | null; actorName: string; at: string };
const actions = (body: { items: Row[] }) => body.items.map((r) => r.action);

describe("admin audit log", () => {
  it("lists actions newest first, filtered by action, actor, target and time", async () => {
    const all = await t.call("GET", "/api/v1/admin-audit", { role: "auditor" });
    expect(all.status).toBe(200);
    expect(actions(all.body).slice(0, 4)).toEqual([
      "authz.denied",
      "operator.create",
      "gateway_group.update",
      "gateway_group.create",
    ]);
    expect(all.body.items[0]).toMatchObject({
      actorName: "token:test-platform",
      targetType: "route",
      targetId: "POST /api/v1/users",
      details: { permission: "users:write", role: "platform" },
    });

    const byTarget = await t.call("GET", `/api/v1/admin-audit?targetType=gateway_group&targetId=${groupId}`);
    expect(actions(byTarget.body)).toEqual(["gateway_group.update", "gateway_group.create"]);
    expect(byTarget.body.items[0].beforeHash).toBe(byTarget.body.items[1].afterHash);

    const byAction = await t.call("GET", "/api/v1/admin-audit?action=operator.create");
    expect(byAction.body.items).toHaveLength(1);
    const actorId = byTarget.body.items[0].actorId as string;
    const byActor = await t.call("GET", `/api/v1/admin-audit?actorId=${actorId}`);
    expect(actions(byActor.body)).toEqual(["authz.denied", "gateway_group.update", "gateway_group.create"]);

    const at = byAction.body.items[0].at as string;
    const since = await t.call("GET", `/api/v1/admin-audit?from=${encodeURIComponent(at)}`);
    expect(actions(since.body)).toContain("operator.create");
    expect(actions(since.body)).not.toContain("api_token.create");
    const before = await t.call("GET", `/api/v1/admin-audit?to=${encodeURIComponent(at)}`);
    expect(actions(before.body)).not.toContain("operator.create");
    expect(actions(before.body)).toContain("api_token.create");
  });

  it("pages by id, newest first", async () => {
    const all = await t.call("GET", "/api/v1/admin-audit?limit=200");
    const ids = all.body.items.map((r: { id: string }) => r.id);
    expect([...ids].sort().reverse()).toEqual(ids);
    const seen: string[] = [];
    let cursor = "";
    do {
      const page = await t.call("GET", `/api/v1/admin-audit?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.body.items.map((r: { id: string }) => r.id));
      cursor = page.body.nextCursor ?? "";
    } while (cursor);
    expect(seen.slice(0, ids.length)).toEqual(ids);
  });

  it("answers 400 naming the field for bad filters", async () => {
    const bad = await t.call("GET", "/api/v1/admin-audit?from=yesterday&cursor=abc");
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(["query.cursor", "query.from"]);
    const reversed = await t.call("GET", "/api/v1/admin-audit?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z");
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.fields[0].field).toBe("query.from");
  });

  it("is readable by admins and auditors only", async () => {
    expect((await t.call("GET", "/api/v1/admin-audit", { role: "admin" })).status).toBe(200);
    expect((await t.call("GET", "/api/v1/admin-audit", { role: "platform" })).status).toBe(403);
    expect((await t.call("GET", "/api/v1/admin-audit", { role: "security" })).status).toBe(403);
    expect((await t.call("GET", "/api/v1/admin-audit", { role: null })).status).toBe(401);
  });
});
