import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app-harness.ts";
import { adminAuditLog, dpNodes } from "../../db/schema.ts";
import { uuidv7 } from "../../lib/ids.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const prod = { name: "prod-eu", description: "Production, EU", settings: { region: "eu-west-1" } };

describe("gateway groups", () => {
  it("creates, reads, lists, updates and deletes, auditing each change", async () => {
    const created = await t.call("POST", "/api/v1/gateway-groups", { role: "platform", body: prod });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject(prod);
    const id = created.body.id as string;

    expect((await t.call("GET", `/api/v1/gateway-groups/${id}`, { role: "auditor" })).body.name).toBe("prod-eu");
    await t.call("POST", "/api/v1/gateway-groups", { body: { name: "staging" } });
    const listed = await t.call("GET", "/api/v1/gateway-groups?q=stag");
    expect(listed.body).toMatchObject({
      items: [{ name: "staging", description: "", settings: {} }],
      nextCursor: null,
    });
    const paged = await t.call("GET", "/api/v1/gateway-groups?limit=1");
    expect(paged.body.items.map((g: { name: string }) => g.name)).toEqual(["prod-eu"]);
    expect(paged.body.nextCursor).toBe(id);

    const patched = await t.call("PATCH", `/api/v1/gateway-groups/${id}`, { body: { settings: {} } });
    expect(patched.body).toMatchObject({ name: "prod-eu", settings: {} });

    expect((await t.call("DELETE", `/api/v1/gateway-groups/${id}`)).status).toBe(204);
    expect((await t.call("GET", `/api/v1/gateway-groups/${id}`)).status).toBe(404);
    const audit = await t.database.db.select().from(adminAuditLog).where(eq(adminAuditLog.targetId, id));
    expect(audit.map((a) => a.action).sort()).toEqual([
      "gateway_group.create",
      "gateway_group.delete",
      "gateway_group.update",
    ]);
  });

  it("refuses to delete a group that still has nodes", async () => {
    const group = await t.call("POST", "/api/v1/gateway-groups", { body: { name: "busy" } });
    await t.database.db.insert(dpNodes).values({ id: uuidv7(), groupId: group.body.id, name: "dp-1" });
    const refused = await t.call("DELETE", `/api/v1/gateway-groups/${group.body.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe(
      'gateway group "busy" still has 1 data-plane node; remove its nodes before deleting the group',
    );
    expect((await t.call("GET", `/api/v1/gateway-groups/${group.body.id}`)).status).toBe(200);
    const audit = await t.database.db.select().from(adminAuditLog).where(eq(adminAuditLog.targetId, group.body.id));
    expect(audit.map((a) => a.action)).toEqual(["gateway_group.create"]);
  });

  it("answers 404, 409 and 400 naming the field", async () => {
    expect((await t.call("GET", "/api/v1/gateway-groups/0190c2e4-0000-7000-8000-000000000000")).status).toBe(404);
    expect((await t.call("GET", "/api/v1/gateway-groups/not-a-uuid")).body.error.fields[0].field).toBe("param.id");
    await t.call("POST", "/api/v1/gateway-groups", { body: { name: "dup" } });
    const dup = await t.call("POST", "/api/v1/gateway-groups", { body: { name: "dup" } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toBe('a gateway group named "dup" already exists');
    const other = await t.call("POST", "/api/v1/gateway-groups", { body: { name: "other" } });
    const renamed = await t.call("PATCH", `/api/v1/gateway-groups/${other.body.id}`, { body: { name: "dup" } });
    expect(renamed.status).toBe(409);

    const bad = await t.call("POST", "/api/v1/gateway-groups", { body: { name: "", settings: "x", extra: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      "body",
      "body.name",
      "body.settings",
    ]);
    expect((await t.call("GET", "/api/v1/gateway-groups?limit=0")).body.error.fields[0].field).toBe("query.limit");
  });

  it("lets security and auditors read but not write", async () => {
    expect((await t.call("GET", "/api/v1/gateway-groups", { role: "security" })).status).toBe(200);
    const body = { name: "nope" };
    expect((await t.call("POST", "/api/v1/gateway-groups", { role: "security", body })).status).toBe(403);
    expect((await t.call("POST", "/api/v1/gateway-groups", { role: "auditor", body })).status).toBe(403);
  });
});
