// The shared security suite (SECURITY-TESTS C01, C02, C03): every registered REST operation × every role,
// unauthenticated calls, bad input naming the field, CSRF on cookie sessions, and no internals in 500s.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operations } from "../src/http/routes/index.ts";
import { can, type Permission, roles } from "../src/services/rbac.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, createTestApp, TEST_ORIGIN, type TestApp } from "./app-harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const FAKE_ID = "01900000-0000-7000-8000-000000000000";
const MUTATING = new Set(["post", "put", "patch", "delete"]);

function concretePath(path: string, value = FAKE_ID) {
  return path.replaceAll(/{[^}]+}/g, value);
}

/** Every query parameter the route declares, set to a value no schema of ours accepts for ids, enums or numbers. */
function invalidQuery(op: (typeof operations)[number]): string {
  const query = (op.route as { request?: { query?: { shape?: Record<string, unknown> } } }).request?.query;
  const keys = Object.keys(query?.shape ?? {});
  return keys.map((k) => `${k}=${k === "limit" ? "0" : "not-valid"}`).join("&");
}

const protectedOps = operations.filter((op) => op.permission !== "public");

describe("C01 route × role matrix", () => {
  it("covers a non-trivial set of operations", () => {
    expect(operations.length).toBeGreaterThanOrEqual(10);
    const ids = operations.map((op) => (op.route as { operationId?: string }).operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  for (const op of protectedOps) {
    const label = `${op.route.method.toUpperCase()} ${op.route.path}`;
    it(`${label}: no credentials → 401`, async () => {
      const res = await t.call(op.route.method.toUpperCase(), concretePath(op.route.path), {
        role: null,
        body: MUTATING.has(op.route.method) ? {} : undefined,
      });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("unauthenticated");
    });
    for (const role of roles) {
      const allowed = op.permission === "authenticated" || can(role, op.permission as Permission);
      it(`${label} as ${role} → ${allowed ? "passes the guard" : "403"}`, async () => {
        const res = await t.call(op.route.method.toUpperCase(), concretePath(op.route.path), {
          role,
          body: MUTATING.has(op.route.method) ? {} : undefined,
        });
        if (allowed) {
          expect(res.status, JSON.stringify(res.body)).not.toBe(403);
          expect(res.status).not.toBe(500);
        } else {
          expect(res.status).toBe(403);
          expect(res.body.error.code).toBe("forbidden");
        }
      });
    }
  }

  it("audits refusals (403s are themselves admin-audit rows)", async () => {
    const rows = await t.database.db.execute(
      sql`select count(*)::int as n from admin_audit_log where action = 'authz.denied'`,
    );
    const n = (Array.isArray(rows) ? rows[0] : (rows as { rows: { n: number }[] }).rows[0]) as { n: number };
    expect(n.n).toBeGreaterThan(0);
  });

  it("auditor has no write operation", () => {
    const writes = operations.filter(
      (op) => op.permission !== "public" && op.permission !== "authenticated" && !op.permission.endsWith(":read"),
    );
    expect(writes.length).toBeGreaterThan(0);
    for (const op of writes) expect(can("auditor", op.permission as never), op.route.path).toBe(false);
  });
});

describe("bad input names the field", () => {
  for (const op of protectedOps) {
    const label = `${op.route.method.toUpperCase()} ${op.route.path}`;
    const hasParams = op.route.path.includes("{");
    const hasBody =
      MUTATING.has(op.route.method) && (op.route as { request?: { body?: unknown } }).request?.body !== undefined;
    const hasQuery = (op.route as { request?: { query?: unknown } }).request?.query !== undefined;
    if (!hasParams && !hasBody && !hasQuery) continue;
    it(`${label} → 400 with fields`, async () => {
      const path = hasParams
        ? concretePath(op.route.path, "not-a-uuid")
        : `${op.route.path}${hasQuery ? `?${invalidQuery(op)}` : ""}`;
      const res = await t.call(op.route.method.toUpperCase(), path, {
        body: hasBody ? { unexpectedField: 1 } : undefined,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
      expect(res.body.error.fields.length).toBeGreaterThan(0);
      for (const f of res.body.error.fields as { field: string; message: string }[]) {
        expect(f.field).toMatch(/^(param|query|body)(\.|$)/);
        expect(f.message.length).toBeGreaterThan(0);
      }
    });
  }

  it("malformed JSON → 400 naming the body", async () => {
    const res = await t.call("POST", "/api/v1/agents", { body: "{not json" });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "validation_failed", fields: [{ field: "body" }] });
  });

  it("a body over 1 MiB → 413", async () => {
    const res = await t.call("POST", "/api/v1/agents", { body: JSON.stringify({ name: "x".repeat(1_100_000) }) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("payload_too_large");
  });

  it("an unknown route → 404 in the envelope", async () => {
    const res = await t.call("GET", "/api/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: "not_found" });
    expect(res.body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("C02/C03 console sessions", () => {
  async function login() {
    const res = await t.app.request("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json", origin: TEST_ORIGIN },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    });
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] as string;
    return { res, cookie, body: (await res.json()) as { csrfToken: string } };
  }

  it("sets an HttpOnly, SameSite=Strict session cookie and issues a new id on every login", async () => {
    const a = await login();
    expect(a.res.status).toBe(200);
    const setCookie = a.res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    const b = await login();
    expect(b.cookie).not.toBe(a.cookie);
  });

  it("rejects a wrong password without saying which part was wrong", async () => {
    const res = await t.call("POST", "/api/v1/auth/login", {
      role: null,
      body: { email: ADMIN_EMAIL, password: "nope" },
    });
    expect(res.status).toBe(401);
    const other = await t.call("POST", "/api/v1/auth/login", {
      role: null,
      body: { email: "ghost@test.local", password: "nope" },
    });
    expect(other.body.error.message).toBe(res.body.error.message);
  });

  it("requires the CSRF token and a same-site origin for cookie mutations", async () => {
    const { cookie, body } = await login();
    const agent = JSON.stringify({ name: "csrf-agent", owner: "x", trust: "first_party" });
    const post = (headers: Record<string, string>) =>
      t.app.request("/api/v1/agents", {
        method: "POST",
        headers: { cookie, "content-type": "application/json", ...headers },
        body: agent,
      });
    expect((await post({})).status).toBe(403);
    expect((await post({ "x-csrf-token": "wrong" })).status).toBe(403);
    expect((await post({ "x-csrf-token": body.csrfToken, origin: "https://evil.example" })).status).toBe(403);
    expect((await post({ "x-csrf-token": body.csrfToken, "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect(
      (await post({ "x-csrf-token": body.csrfToken, origin: TEST_ORIGIN, "sec-fetch-site": "same-origin" })).status,
    ).toBe(201);
    // Reads need no CSRF token.
    expect((await t.app.request("/api/v1/agents", { headers: { cookie } })).status).toBe(200);
  });

  it("refuses a cross-site login attempt", async () => {
    const res = await t.call("POST", "/api/v1/auth/login", {
      role: null,
      body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
      headers: { origin: "https://evil.example" },
    });
    expect(res.status).toBe(403);
  });

  it("logout makes the old cookie worthless", async () => {
    const { cookie, body } = await login();
    const out = await t.app.request("/api/v1/auth/logout", {
      method: "POST",
      headers: { cookie, "x-csrf-token": body.csrfToken },
    });
    expect(out.status).toBe(204);
    const replay = await t.app.request("/api/v1/auth/session", { headers: { cookie } });
    expect(replay.status).toBe(401);
  });

  it("sends a strict CSP and forbids framing", async () => {
    const res = await t.app.request("/healthz");
    expect(res.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });
});

describe("no internals in errors", () => {
  it("an unexpected failure is an opaque 500 with a request id and no SQL", async () => {
    // Provoke a real database error on this file's own database.
    await t.database.db.execute(sql`alter table agents rename to agents_moved`);
    try {
      const res = await t.call("GET", "/api/v1/agents");
      expect(res.status).toBe(500);
      expect(res.body.error.code).toBe("internal");
      expect(res.body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
      const text = JSON.stringify(res.body);
      expect(text).not.toMatch(/agents|relation|select|postgres|stack|at .*\.ts/i);
    } finally {
      await t.database.db.execute(sql`alter table agents_moved rename to agents`);
    }
  });
});
