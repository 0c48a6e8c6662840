import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app-harness.ts";
import { adminAuditLog } from "../../db/schema.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const alice = {
  subject: "alice@example.com",
  email: "alice@example.com",
  displayName: "Alice",
  department: "finance",
  manager: "bob@example.com",
  costCenter: "cc-4411",
  groups: ["finance", "travellers"],
  attributes: { level: 3 },
};
const names = (body: { items: { subject: string }[] }) => body.items.map((o) => o.subject);

describe("operators", () => {
  it("creates, reads, lists, updates and deletes, auditing each change", async () => {
    const created = await t.call("POST", "/api/v1/operators", { role: "platform", body: alice });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...alice, id: expect.any(String), createdAt: expect.any(String) });
    const id = created.body.id as string;

    expect((await t.call("GET", `/api/v1/operators/${id}`, { role: "security" })).body.subject).toBe(alice.subject);
    await t.call("POST", "/api/v1/operators", {
      body: { subject: "carol", email: "carol@example.com", department: "sales" },
    });

    expect(names((await t.call("GET", "/api/v1/operators?department=finance")).body)).toEqual([alice.subject]);
    expect(names((await t.call("GET", "/api/v1/operators?q=CAROL")).body)).toEqual(["carol"]);
    expect(names((await t.call("GET", "/api/v1/operators?q=example.com&limit=1")).body)).toEqual([alice.subject]);

    const patched = await t.call("PATCH", `/api/v1/operators/${id}`, {
      body: { department: null, groups: ["finance"] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ department: null, groups: ["finance"], manager: "bob@example.com" });

    expect((await t.call("DELETE", `/api/v1/operators/${id}`)).status).toBe(204);
    expect((await t.call("GET", `/api/v1/operators/${id}`)).status).toBe(404);

    const audit = await t.database.db.select().from(adminAuditLog).where(eq(adminAuditLog.targetId, id));
    expect(audit.map((a) => a.action).sort()).toEqual(["operator.create", "operator.delete", "operator.update"]);
    expect(audit.every((a) => a.targetType === "operator")).toBe(true);
  });

  it("pages with a cursor", async () => {
    for (let i = 0; i < 3; i++) {
      await t.call("POST", "/api/v1/operators", { body: { subject: `pager-${i}`, email: `p${i}@example.com` } });
    }
    const first = await t.call("GET", "/api/v1/operators?q=pager&limit=2");
    expect(names(first.body)).toEqual(["pager-0", "pager-1"]);
    const second = await t.call("GET", `/api/v1/operators?q=pager&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({ items: [{ subject: "pager-2" }], nextCursor: null });
  });

  it("answers 404, 409 and 400 naming the field", async () => {
    const missing = await t.call("PATCH", "/api/v1/operators/0190c2e4-0000-7000-8000-000000000000", {
      body: { email: "x@example.com" },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");

    await t.call("POST", "/api/v1/operators", { body: { subject: "dup", email: "dup@example.com" } });
    const dup = await t.call("POST", "/api/v1/operators", { body: { subject: "dup", email: "other@example.com" } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toBe('an operator with subject "dup" already exists');

    const bad = await t.call("POST", "/api/v1/operators", {
      body: { subject: "", email: "not-an-email", groups: "finance", attributes: [] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      "body.attributes",
      "body.email",
      "body.groups",
      "body.subject",
    ]);
    const unknown = await t.call("POST", "/api/v1/operators", { body: { ...alice, subject: "z", title: "CFO" } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain("title");
  });

  it("lets security and auditors read but not write", async () => {
    expect((await t.call("GET", "/api/v1/operators", { role: "auditor" })).status).toBe(200);
    const body = { subject: "nobody", email: "nobody@example.com" };
    expect((await t.call("POST", "/api/v1/operators", { role: "auditor", body })).status).toBe(403);
    expect((await t.call("POST", "/api/v1/operators", { role: "security", body })).status).toBe(403);
    expect((await t.call("GET", "/api/v1/operators", { role: null })).status).toBe(401);
  });
});
