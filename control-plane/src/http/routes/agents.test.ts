import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app-harness.ts";
import { adminAuditLog } from "../../db/schema.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const agent = {
  name: "expense-report-v1",
  owner: "finance-platform",
  trust: "first_party",
  labels: { team: "finance" },
};

describe("agents", () => {
  it("creates, reads, lists, updates and deletes, auditing each change", async () => {
    const created = await t.call("POST", "/api/v1/agents", { role: "platform", body: agent });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "expense-report-v1",
      trust: "first_party",
      labels: { team: "finance" },
    });
    const id = created.body.id as string;

    const got = await t.call("GET", `/api/v1/agents/${id}`, { role: "auditor" });
    expect(got.status).toBe(200);
    expect(got.body.credentials).toEqual([]);

    const helper = await t.call("POST", "/api/v1/agents", {
      body: { name: "ocr-helper-v2", owner: "vendor", trust: "third_party" },
    });
    const patched = await t.call("PATCH", `/api/v1/agents/${id}`, {
      body: { allowedDelegates: [helper.body.id], description: "files expenses" },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.allowedDelegates).toEqual([helper.body.id]);

    const page = await t.call("GET", "/api/v1/agents?trust=third_party");
    expect(page.body.items.map((a: { name: string }) => a.name)).toEqual(["ocr-helper-v2"]);
    const byLabel = await t.call("GET", "/api/v1/agents?label=team%3Dfinance");
    expect(byLabel.body.items.map((a: { name: string }) => a.name)).toEqual(["expense-report-v1"]);

    expect((await t.call("DELETE", `/api/v1/agents/${helper.body.id}`)).status).toBe(204);
    expect((await t.call("GET", `/api/v1/agents/${helper.body.id}`)).status).toBe(404);

    const audit = await t.database.db.select().from(adminAuditLog).where(eq(adminAuditLog.targetId, id));
    expect(audit.map((a) => a.action).sort()).toEqual(["agent.create", "agent.update"]);
    const update = audit.find((a) => a.action === "agent.update");
    expect(update?.beforeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(update?.afterHash).not.toBe(update?.beforeHash);
  });

  it("pages with a cursor", async () => {
    for (let i = 0; i < 5; i++) await t.call("POST", "/api/v1/agents", { body: { ...agent, name: `pager-${i}` } });
    const first = await t.call("GET", "/api/v1/agents?q=pager&limit=2");
    expect(first.body.items.map((a: { name: string }) => a.name)).toEqual(["pager-0", "pager-1"]);
    const second = await t.call("GET", `/api/v1/agents?q=pager&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((a: { name: string }) => a.name)).toEqual(["pager-2", "pager-3"]);
    const third = await t.call("GET", `/api/v1/agents?q=pager&limit=2&cursor=${second.body.nextCursor}`);
    expect(third.body).toMatchObject({ items: [{ name: "pager-4" }], nextCursor: null });
  });

  it("refuses a duplicate name with 409 and bad input with 400 naming the field", async () => {
    await t.call("POST", "/api/v1/agents", { body: { ...agent, name: "dup" } });
    const dup = await t.call("POST", "/api/v1/agents", { body: { ...agent, name: "dup" } });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: "conflict", message: 'an agent named "dup" already exists' });
    const bad = await t.call("POST", "/api/v1/agents", { body: { ...agent, trust: "maybe", name: "Bad Name" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
    expect(bad.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(["body.name", "body.trust"]);
    const unknownDelegate = await t.call("POST", "/api/v1/agents", {
      body: { ...agent, name: "x1", allowedDelegates: ["0190c2e4-0000-7000-8000-000000000000"] },
    });
    expect(unknownDelegate.status).toBe(400);
    expect(unknownDelegate.body.error.fields[0].field).toBe("body.allowedDelegates");
  });

  it("issues a client secret once and stores only its digest", async () => {
    const a = await t.call("POST", "/api/v1/agents", { body: { ...agent, name: "cred-agent" } });
    const cred = await t.call("POST", `/api/v1/agents/${a.body.id}/credentials`, { body: {} });
    expect(cred.status).toBe(201);
    expect(cred.body.clientSecret).toMatch(/^pc_cs_/);
    const got = await t.call("GET", `/api/v1/agents/${a.body.id}`);
    expect(JSON.stringify(got.body)).not.toContain(cred.body.clientSecret);
    expect(got.body.credentials).toHaveLength(1);
    const revoked = await t.call("DELETE", `/api/v1/agents/${a.body.id}/credentials/${cred.body.id}`);
    expect(revoked.status).toBe(204);
    expect((await t.call("GET", `/api/v1/agents/${a.body.id}`)).body.credentials).toHaveLength(0);
  });
});
