// Builds a real control-plane app on a fresh database for one test file, with an API token for every role,
// and a `call` helper that sends requests through the app in-process (the same code path as over HTTP).

import { randomBytes } from "node:crypto";
import pino from "pino";
import type { Database } from "../src/db/client.ts";
import { createApp } from "../src/http/app.ts";
import type { ApiApp } from "../src/http/common.ts";
import { createApiToken } from "../src/services/api-tokens.ts";
import { ensureFirstAdmin } from "../src/services/auth.ts";
import type { Deps, ServiceContext } from "../src/services/context.ts";
import { type Role, roles } from "../src/services/rbac.ts";
import { openTestDatabase } from "./harness.ts";

export const TEST_ORIGIN = "http://127.0.0.1:7070";
export const ADMIN_EMAIL = "admin@test.local";
export const ADMIN_PASSWORD = "admin-password-for-tests";

export interface TestApp {
  app: ApiApp;
  database: Database;
  deps: Deps;
  tokens: Record<Role, string>;
  /** A service context acting as the given role (for calling verbs directly). */
  as(role: Role): ServiceContext;
  call(
    method: string,
    path: string,
    options?: { role?: Role | null; body?: unknown; headers?: Record<string, string> },
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function createTestApp(): Promise<TestApp> {
  const database = await openTestDatabase();
  const deps: Deps = {
    db: database.db,
    logger: pino({ level: process.env.PORTCULLIS_TEST_LOG ?? "silent" }),
    secretKey: randomBytes(32),
    clock: () => new Date(),
  };
  await ensureFirstAdmin(deps, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  const app = createApp({
    deps,
    sessions: { idleMinutes: 30, absoluteHours: 12 },
    secureCookies: false,
    allowedOrigins: [TEST_ORIGIN],
    ready: async () => ({ ok: true }),
  });
  const as = (role: Role): ServiceContext => ({
    ...deps,
    actor: { type: "system", id: `test-${role}`, name: `test-${role}`, role },
    requestId: "test",
  });
  const tokens = {} as Record<Role, string>;
  for (const role of roles) {
    tokens[role] = (await createApiToken({ ctx: as("admin"), input: { name: `test-${role}`, role } })).token;
  }
  return {
    app,
    database,
    deps,
    tokens,
    as,
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const role = options.role === undefined ? "admin" : options.role;
      if (role) headers.authorization = `Bearer ${tokens[role]}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
        headers["content-type"] ??= "application/json";
      }
      const res = await app.request(path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {}
      return { status: res.status, body: parsed, headers: res.headers };
    },
    close: () => database.close(),
  };
}
