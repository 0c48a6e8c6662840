import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app-harness.ts";
import { adminAuditLog, apiTokens } from "../../db/schema.ts";
import { sha256Hex } from "../../lib/secrets.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const bearer = (token: string) => ({ role: null, headers: { authorization: `Bearer ${token}` } });

describe("API tokens", () => {
  it("shows a new token once, lists only its prefix, and stores only its digest", async () => {
    const created = await t.call("POST", "/api/v1/api-tokens", {
      body: { name: "ci-deploy", role: "platform", expiresInDays: 30 },
    });
    expect(created.status).toBe(201);
    const { token, id, prefix } = created.body;
    expect(token).toMatch(/^pc_at_/);
    expect(token.startsWith(prefix)).toBe(true);
    expect(created.body).toMatchObject({ name: "ci-deploy", role: "platform", revokedAt: null, lastUsedAt: null });
    expect(Date.parse(created.body.expiresAt) - Date.parse(created.body.createdAt)).toBe(30 * 86_400_000);

    // The new token works with its role's permissions.
    expect((await t.call("GET", "/api/v1/agents", bearer(token))).status).toBe(200);
    expect((await t.call("GET", "/api/v1/users", bearer(token))).status).toBe(403);

    const listed = await t.call("GET", "/api/v1/api-tokens");
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect(listed.body.items[0]).toMatchObject({ id, name: "ci-deploy", prefix, lastUsedAt: expect.any(String) });
    expect(listed.body.items[0]).not.toHaveProperty("token");
    expect(listed.body.items[0]).not.toHaveProperty("tokenHash");

    const [row] = await t.database.db.select().from(apiTokens).where(eq(apiTokens.id, id));
    expect(row?.tokenHash).toBe(sha256Hex(token));
  });

  it("revokes a token so that it gets 401 afterwards, and lists it only when asked", async () => {
    const created = await t.call("POST", "/api/v1/api-tokens", { body: { name: "short-lived", role: "auditor" } });
    const { token, id } = created.body;
    expect(created.body.expiresAt).toBeNull();
    expect((await t.call("GET", "/api/v1/agents", bearer(token))).status).toBe(200);

    expect((await t.call("DELETE", `/api/v1/api-tokens/${id}`)).status).toBe(204);
    const after = await t.call("GET", "/api/v1/agents", bearer(token));
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("unauthenticated");

    const active = await t.call("GET", "/api/v1/api-tokens");
    expect(active.body.items.map((x: { id: string }) => x.id)).not.toContain(id);
    const all = await t.call("GET", "/api/v1/api-tokens?includeRevoked=true");
    const revoked = all.body.items.find((x: { id: string }) => x.id === id);
    expect(revoked.revokedAt).toEqual(expect.any(String));

    // Revoking again keeps the first revocation time.
    expect((await t.call("DELETE", `/api/v1/api-tokens/${id}`)).status).toBe(204);
    const again = await t.call("GET", "/api/v1/api-tokens?includeRevoked=true");
    expect(again.body.items.find((x: { id: string }) => x.id === id).revokedAt).toBe(revoked.revokedAt);

    const audit = await t.database.db.select().from(adminAuditLog).where(eq(adminAuditLog.targetId, id));
    expect(audit.map((a) => a.action).sort()).toEqual(["api_token.create", "api_token.revoke", "api_token.revoke"]);
  });

  it("pages newest first", async () => {
    for (const name of ["page-a", "page-b", "page-c"]) {
      await t.call("POST", "/api/v1/api-tokens", { body: { name, role: "auditor" } });
    }
    const first = await t.call("GET", "/api/v1/api-tokens?limit=2");
    expect(first.body.items.map((x: { name: string }) => x.name)).toEqual(["page-c", "page-b"]);
    const second = await t.call("GET", `/api/v1/api-tokens?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((x: { name: string }) => x.name)[0]).toBe("page-a");
  });

  it("answers 404 and 400 naming the field", async () => {
    expect((await t.call("DELETE", "/api/v1/api-tokens/0190c2e4-0000-7000-8000-000000000000")).status).toBe(404);
    const bad = await t.call("POST", "/api/v1/api-tokens", { body: { name: "", role: "root", expiresInDays: 0.5 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { field: string }) => f.field)).toEqual([
      "body.name",
      "body.role",
      "body.expiresInDays",
    ]);
    const flag = await t.call("GET", "/api/v1/api-tokens?includeRevoked=yes");
    expect(flag.body.error.fields[0].field).toBe("query.includeRevoked");
  });

  it("is for admins only", async () => {
    for (const role of ["platform", "security", "auditor"] as const) {
      expect((await t.call("GET", "/api/v1/api-tokens", { role })).status).toBe(403);
      const body = { name: "escalate", role: "admin" };
      expect((await t.call("POST", "/api/v1/api-tokens", { role, body })).status).toBe(403);
      expect((await t.call("DELETE", `/api/v1/api-tokens/0190c2e4-0000-7000-8000-000000000000`, { role })).status).toBe(
        403,
      );
    }
  });
});
