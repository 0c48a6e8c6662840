import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app-harness.ts";
import { adminAuditLog, policyVersions } from "../../db/schema.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const ocrOnce = {
  name: "ocr-once-per-session",
  description: "receipt_ocr at most once per session",
  target: { agents: ["expense-report-v1"], tools: ["receipt_ocr"] },
  effect: "deny",
  condition: 'session.count("receipt_ocr") >= 1',
};

describe("policies", () => {
  it("creates version 1 with defaults, and every update appends an immutable version", async () => {
    const created = await t.call("POST", "/api/v1/policies", { role: "security", body: ocrOnce });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ currentVersion: 1, version: 1, mode: "enforce", priority: 0, effect: "deny" });
    const id = created.body.id;

    const v2 = await t.call("PATCH", `/api/v1/policies/${id}`, {
      role: "security",
      body: { mode: "shadow", comment: "try first" },
    });
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({
      currentVersion: 2,
      mode: "shadow",
      condition: ocrOnce.condition,
      comment: "try first",
    });

    const versions = await t.call("GET", `/api/v1/policies/${id}/versions`, { role: "auditor" });
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const v1 = await t.call("GET", `/api/v1/policies/${id}/versions/1`);
    expect(v1.body.mode).toBe("enforce");

    const diff = await t.call("GET", `/api/v1/policies/${id}/diff?from=1&to=2`);
    expect(diff.status).toBe(200);
    expect(diff.body.changes).toEqual([{ field: "mode", from: "enforce", to: "shadow" }]);

    const rolled = await t.call("POST", `/api/v1/policies/${id}/rollback`, {
      role: "security",
      body: { toVersion: 1 },
    });
    expect(rolled.status).toBe(200);
    expect(rolled.body).toMatchObject({ currentVersion: 3, mode: "enforce", rolledBackFrom: 1 });
    expect(rolled.body.contentHash).toBe(v1.body.contentHash);

    // Version rows are never changed: version 1 is exactly as it was.
    const rows = await t.database.db.select().from(policyVersions).where(eq(policyVersions.policyId, id));
    expect(rows).toHaveLength(3);
    const audit = await t.database.db.select().from(adminAuditLog).where(eq(adminAuditLog.targetId, id));
    expect(audit.map((a) => a.action).sort()).toEqual(["policy.create", "policy.rollback", "policy.update"]);
  });

  it("diffs the condition line by line", async () => {
    const p = await t.call("POST", "/api/v1/policies", {
      body: { ...ocrOnce, name: "diffed", condition: "true\n&& true" },
    });
    await t.call("PATCH", `/api/v1/policies/${p.body.id}`, { body: { condition: "true\n&& false" } });
    const diff = await t.call("GET", `/api/v1/policies/${p.body.id}/diff?from=1&to=2`);
    expect(diff.body.conditionDiff).toEqual([
      { value: "true\n", added: false, removed: false },
      { value: "&& true", added: false, removed: true },
      { value: "&& false", added: true, removed: false },
    ]);
  });

  it("refuses a stale expectedVersion with 409 and creates nothing", async () => {
    const p = await t.call("POST", "/api/v1/policies", { body: { ...ocrOnce, name: "locked" } });
    await t.call("PATCH", `/api/v1/policies/${p.body.id}`, { body: { priority: 5 } });
    const stale = await t.call("PATCH", `/api/v1/policies/${p.body.id}`, { body: { priority: 9, expectedVersion: 1 } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/version 2, not 1/);
    expect((await t.call("GET", `/api/v1/policies/${p.body.id}`)).body.currentVersion).toBe(2);
  });

  it("refuses duplicates, empty targets and unknown versions", async () => {
    await t.call("POST", "/api/v1/policies", { body: { ...ocrOnce, name: "unique-one" } });
    expect((await t.call("POST", "/api/v1/policies", { body: { ...ocrOnce, name: "unique-one" } })).status).toBe(409);
    const empty = await t.call("POST", "/api/v1/policies", {
      body: { ...ocrOnce, name: "empty", target: { agents: [], tools: ["x"] } },
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe("invalid_policy");
    expect(empty.body.error.fields[0].field).toBe("body.target.agents");
    const p = await t.call("POST", "/api/v1/policies", { body: { ...ocrOnce, name: "versions" } });
    expect((await t.call("GET", `/api/v1/policies/${p.body.id}/versions/9`)).status).toBe(404);
    expect((await t.call("POST", `/api/v1/policies/${p.body.id}/rollback`, { body: { toVersion: 9 } })).status).toBe(
      404,
    );
  });

  it("deletes softly: gone from the list, name reusable, versions kept", async () => {
    const p = await t.call("POST", "/api/v1/policies", { body: { ...ocrOnce, name: "short-lived" } });
    expect((await t.call("DELETE", `/api/v1/policies/${p.body.id}`)).status).toBe(204);
    expect((await t.call("GET", `/api/v1/policies/${p.body.id}`)).status).toBe(404);
    const list = await t.call("GET", "/api/v1/policies?q=short-lived");
    expect(list.body.items).toEqual([]);
    expect((await t.call("POST", "/api/v1/policies", { body: { ...ocrOnce, name: "short-lived" } })).status).toBe(201);
    expect((await t.call("GET", `/api/v1/policies/${p.body.id}/versions`)).body.items).toHaveLength(1);
  });

  it("platform may read but not write policies", async () => {
    expect((await t.call("GET", "/api/v1/policies", { role: "platform" })).status).toBe(200);
    expect(
      (await t.call("POST", "/api/v1/policies", { role: "platform", body: { ...ocrOnce, name: "nope" } })).status,
    ).toBe(403);
  });
});
