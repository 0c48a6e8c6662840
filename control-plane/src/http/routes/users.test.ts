import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_EMAIL, ADMIN_PASSWORD, createTestApp, type TestApp } from "../../../test/app-harness.ts";
import { adminAuditLog, consoleUsers } from "../../db/schema.ts";
import { verifyPassword } from "../../lib/secrets.ts";

let t: TestApp;
let firstAdminId: string;
beforeAll(async () => {
  t = await createTestApp();
  const [admin] = await t.database.db.select().from(consoleUsers).where(eq(consoleUsers.email, ADMIN_EMAIL));
  firstAdminId = (admin as { id: string }).id;
});
afterAll(() => t.close());

const PASSWORD = "correct-horse-battery";
const dana = { email: "Dana@Example.com", displayName: "Dana", role: "security", password: PASSWORD };

/** Signs in through the console login and returns what a browser would send back. */
async function signIn(email: string, password: string) {
  const res = await t.call("POST", "/api/v1/auth/login", { role: null, body: { email, password } });
  expect(res.status).toBe(200);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] as string;
  return { cookie, csrf: res.body.csrfToken as string };
}
const sessionOf = (s: { cookie: string }) =>
  t.call("GET", "/api/v1/auth/session", { role: null, headers: { cookie: s.cookie } });

describe("users", () => {
  it("creates, reads, lists, updates and deletes, never returning the password", async () => {
    const created = await t.call("POST", "/api/v1/users", { body: dana });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      email: "dana@example.com",
      role: "security",
      disabled: false,
      lastLoginAt: null,
    });
    expect(created.body).not.toHaveProperty("password");
    expect(created.body).not.toHaveProperty("passwordHash");
    const id = created.body.id as string;

    const got = await t.call("GET", `/api/v1/users/${id}`);
    expect(JSON.stringify(got.body)).not.toContain("scrypt");
    const listed = await t.call("GET", "/api/v1/users?role=security");
    expect(listed.body.items.map((u: { email: string }) => u.email)).toEqual(["dana@example.com"]);
    expect((await t.call("GET", "/api/v1/users?q=DANA")).body.items).toHaveLength(1);

    const [row] = await t.database.db.select().from(consoleUsers).where(eq(consoleUsers.id, id));
    expect(await verifyPassword(PASSWORD, row?.passwordHash as string)).toBe(true);

    const patched = await t.call("PATCH", `/api/v1/users/${id}`, { body: { displayName: "Dana S." } });
    expect(patched.body.displayName).toBe("Dana S.");
    expect((await t.call("DELETE", `/api/v1/users/${id}`)).status).toBe(204);
    expect((await t.call("GET", `/api/v1/users/${id}`)).status).toBe(404);

    const audit = await t.database.db.select().from(adminAuditLog).where(eq(adminAuditLog.targetId, id));
    expect(audit.map((a) => a.action).sort()).toEqual(["user.create", "user.delete", "user.update"]);
    expect(audit.find((a) => a.action === "user.update")?.details).toEqual({
      passwordChanged: false,
      sessionsEnded: 0,
    });
  });

  it("ends a user's sessions when their password, role or disabled flag changes", async () => {
    const user = await t.call("POST", "/api/v1/users", { body: { ...dana, email: "erin@example.com" } });
    const id = user.body.id as string;

    let session = await signIn("erin@example.com", PASSWORD);
    expect((await sessionOf(session)).status).toBe(200);
    await t.call("PATCH", `/api/v1/users/${id}`, { body: { displayName: "Erin" } });
    expect((await sessionOf(session)).status).toBe(200);

    await t.call("PATCH", `/api/v1/users/${id}`, { body: { role: "auditor" } });
    expect((await sessionOf(session)).status).toBe(401);

    session = await signIn("erin@example.com", PASSWORD);
    const changed = await t.call("PATCH", `/api/v1/users/${id}`, { body: { password: "a-brand-new-password" } });
    expect(changed.status).toBe(200);
    expect((await sessionOf(session)).status).toBe(401);
    session = await signIn("erin@example.com", "a-brand-new-password");

    await t.call("PATCH", `/api/v1/users/${id}`, { body: { disabled: true } });
    expect((await sessionOf(session)).status).toBe(401);
    const refused = await t.call("POST", "/api/v1/auth/login", {
      role: null,
      body: { email: "erin@example.com", password: "a-brand-new-password" },
    });
    expect(refused.status).toBe(401);

    const audit = await t.database.db
      .select()
      .from(adminAuditLog)
      .where(eq(adminAuditLog.targetId, id))
      .orderBy(adminAuditLog.id);
    const updates = audit.filter((a) => a.action === "user.update").map((a) => a.details);
    expect(updates).toEqual([
      { passwordChanged: false, sessionsEnded: 0 },
      { passwordChanged: false, sessionsEnded: 1 },
      { passwordChanged: true, sessionsEnded: 1 },
      { passwordChanged: false, sessionsEnded: 1 },
    ]);
  });

  it("keeps at least one enabled admin and refuses deleting yourself", async () => {
    const lastAdmin = "is the last enabled admin";
    const demote = await t.call("PATCH", `/api/v1/users/${firstAdminId}`, { body: { role: "platform" } });
    expect(demote.status).toBe(409);
    expect(demote.body.error.message).toContain(lastAdmin);
    const disable = await t.call("PATCH", `/api/v1/users/${firstAdminId}`, { body: { disabled: true } });
    expect(disable.status).toBe(409);
    const remove = await t.call("DELETE", `/api/v1/users/${firstAdminId}`);
    expect(remove.status).toBe(409);
    expect(remove.body.error.message).toContain(lastAdmin);

    // A disabled admin does not count.
    const dormant = await t.call("POST", "/api/v1/users", {
      body: { ...dana, email: "dormant@example.com", role: "admin", disabled: true },
    });
    expect((await t.call("DELETE", `/api/v1/users/${firstAdminId}`)).status).toBe(409);

    const me = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const self = await t.call("DELETE", `/api/v1/users/${firstAdminId}`, {
      role: null,
      headers: { cookie: me.cookie, "x-csrf-token": me.csrf },
    });
    expect(self.status).toBe(409);
    expect(self.body.error.message).toBe("you cannot delete your own account; ask another admin");

    // With a second enabled admin, the first may be demoted.
    await t.call("PATCH", `/api/v1/users/${dormant.body.id}`, { body: { disabled: false } });
    const demoted = await t.call("PATCH", `/api/v1/users/${firstAdminId}`, { body: { role: "security" } });
    expect(demoted.status).toBe(200);
    expect((await t.call("DELETE", `/api/v1/users/${dormant.body.id}`)).status).toBe(409);
    await t.call("PATCH", `/api/v1/users/${firstAdminId}`, { body: { role: "admin" } });
    expect((await t.call("DELETE", `/api/v1/users/${dormant.body.id}`)).status).toBe(204);
  });

  it("keeps one admin when the last two are demoted at the same moment", async () => {
    const other = await t.call("POST", "/api/v1/users", {
      body: { ...dana, email: "twin@example.com", role: "admin" },
    });
    const results = await Promise.all(
      [firstAdminId, other.body.id].map((id) => t.call("PATCH", `/api/v1/users/${id}`, { body: { role: "auditor" } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const admins = await t.call("GET", "/api/v1/users?role=admin");
    expect(admins.body.items.filter((u: { disabled: boolean }) => !u.disabled)).toHaveLength(1);
    // Leave the first admin in place for the tests that follow.
    const survivor = admins.body.items[0].id as string;
    await t.call("PATCH", `/api/v1/users/${firstAdminId}`, { body: { role: "admin" } });
    if (survivor !== firstAdminId) await t.call("DELETE", `/api/v1/users/${survivor}`);
  });

  it("answers 404, 409 and 400 naming the field", async () => {
    expect((await t.call("DELETE", "/api/v1/users/0190c2e4-0000-7000-8000-000000000000")).status).toBe(404);
    await t.call("POST", "/api/v1/users", { body: { ...dana, email: "dup@example.com" } });
    const dup = await t.call("POST", "/api/v1/users", { body: { ...dana, email: "DUP@example.com" } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toBe('a user with email "dup@example.com" already exists');
    const bad = await t.call("POST", "/api/v1/users", { body: { email: "nope", role: "root", password: "short" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual([
      { field: "body.email", message: "expected an email address" },
      { field: "body.role", message: "expected one of admin, security, platform, auditor" },
      { field: "body.password", message: "expected at least 12 characters" },
    ]);
  });

  it("is for admins only", async () => {
    for (const role of ["platform", "security", "auditor"] as const) {
      expect((await t.call("GET", "/api/v1/users", { role })).status).toBe(403);
      const body = { ...dana, email: `${role}@example.com` };
      expect((await t.call("POST", "/api/v1/users", { role, body })).status).toBe(403);
    }
    const denied = await t.database.db.select().from(adminAuditLog).where(eq(adminAuditLog.action, "authz.denied"));
    expect(denied.length).toBeGreaterThanOrEqual(6);
  });
});
