// Builds the control plane's HTTP application: request ids, security headers, body limits, authentication,
// the permission guard every operation passes through, the error envelope, and the OpenAPI document.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie } from "hono/cookie";
import { HTTPException } from "hono/http-exception";
import { routePath } from "hono/route";
import { secureHeaders } from "hono/secure-headers";
import { adminAuditLog } from "../db/schema.ts";
import {
  DATABASE_RETRY_AFTER_SECONDS,
  DATABASE_UNAVAILABLE_MESSAGE,
  isDatabaseUnavailable,
} from "../db/unavailable.ts";
import { uuidv7 } from "../lib/ids.ts";
import type { ControlPlaneMetrics } from "../metrics.ts";
import { csrfMatches, resolveApiToken, resolveSession, type SessionPolicy } from "../services/auth.ts";
import type { Deps } from "../services/context.ts";
import { ApiError, errorStatus, type FieldIssue } from "../services/errors.ts";
import { createLoginThrottle, type LoginThrottle } from "../services/login-throttle.ts";
import { can } from "../services/rbac.ts";
import { registerTokenEndpoints } from "../tokens/routes.ts";
import type { ApiApp, AppEnv, Operation } from "./common.ts";
import { operations } from "./routes/index.ts";

export interface AppOptions {
  deps: Deps;
  sessions: SessionPolicy;
  /** Origins allowed to make cookie-authenticated mutations (the console's own origin). */
  allowedOrigins: string[];
  /** Cookies get `__Host-` and `Secure` when the console is served over TLS. */
  secureCookies: boolean;
  ready: () => Promise<{ ok: boolean; reason?: string }>;
  /** Where nodes reach the gRPC service, for enrollment commands (default 127.0.0.1:7071). */
  grpcAddress?: string;
  /** Serves the console's static files for non-API paths, when built. */
  console?: MiddlewareHandler<AppEnv>;
  /** Slows down password guessing at sign-in (default: 5 wrong passwords per account per 15 minutes). */
  loginThrottle?: LoginThrottle;
  /** Counts every request by the route that answered it (served on the admin listener). */
  metrics?: Pick<ControlPlaneMetrics, "request">;
}

export const sessionCookieName = (secure: boolean) => (secure ? "__Host-portcullis_session" : "portcullis_session");

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function errorBody(c: Context<AppEnv>, code: string, message: string, fields?: FieldIssue[]) {
  return { error: { code, message, requestId: c.get("requestId") ?? "unknown", ...(fields ? { fields } : {}) } };
}

export function createApp(options: AppOptions): ApiApp {
  const { deps } = options;
  const loginThrottle =
    options.loginThrottle ?? createLoginThrottle({ maxFailures: 5, windowMs: 15 * 60_000, clock: () => deps.clock() });
  const app: ApiApp = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const fields = result.error.issues.map((issue) => ({
        field: [result.target === "json" ? "body" : result.target, ...issue.path.map(String)].join("."),
        message: issue.message,
      }));
      throw new ApiError("validation_failed", fields.map((f) => `${f.field}: ${f.message}`).join("; "), fields);
    },
  });

  app.use("*", async (c, next) => {
    const startedAt = performance.now();
    c.set("requestId", uuidv7());
    c.set("deps", deps);
    c.set("web", {
      sessions: options.sessions,
      secureCookies: options.secureCookies,
      grpcAddress: options.grpcAddress ?? "127.0.0.1:7071",
      loginThrottle,
    });
    c.header("X-Request-Id", c.get("requestId"));
    await next();
    // The route as registered (bounded), of the handler or middleware that answered.
    options.metrics?.request(
      c.req.method,
      routePath(c) || "unmatched",
      c.res.status,
      (performance.now() - startedAt) / 1000,
    );
  });

  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      xFrameOptions: "DENY",
      referrerPolicy: "no-referrer",
      crossOriginResourcePolicy: "same-origin",
    }),
  );

  app.use(
    "/api/*",
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: () => {
        throw new ApiError("payload_too_large", "request body is larger than 1 MiB");
      },
    }),
  );

  // Authentication: resolve the caller if a credential is present; the guard decides what is required.
  app.use("/api/*", async (c, next) => {
    const authz = c.req.header("authorization");
    if (authz !== undefined) {
      const m = /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/.exec(authz);
      const actor = m?.[1] ? await resolveApiToken(deps, m[1]) : undefined;
      if (!actor) throw new ApiError("unauthenticated", "the bearer token is invalid, expired or revoked");
      c.set("actor", actor);
      c.set("authKind", "bearer");
    } else {
      const cookie = getCookie(c, sessionCookieName(options.secureCookies));
      const session = cookie ? await resolveSession(deps, options.sessions, cookie) : undefined;
      if (session) {
        c.set("actor", session.actor);
        c.set("authKind", "cookie");
        c.set("sessionTokenHash", session.tokenHash);
        if (MUTATING.has(c.req.method) && !csrfMatches(session.csrfToken, c.req.header("x-csrf-token"))) {
          throw new ApiError("csrf_failed", "missing or wrong X-CSRF-Token header; reload the console and retry");
        }
      }
    }
    if (MUTATING.has(c.req.method) && c.get("authKind") !== "bearer") {
      // Cookie-authenticated (or login) requests must come from the console's own origin.
      const site = c.req.header("sec-fetch-site");
      const origin = c.req.header("origin");
      if (site === "cross-site" || (origin !== undefined && !options.allowedOrigins.includes(origin))) {
        throw new ApiError("csrf_failed", "cross-site request refused");
      }
    }
    await next();
  });

  for (const op of operations) {
    const honoPath = op.route.path.replaceAll(/\/{(.+?)}/g, "/:$1");
    app.on(op.route.method.toUpperCase(), honoPath, guard(op));
    op.register(app);
  }

  // The token service (JWKS, metadata, /oauth/token) lives outside /api: no cookies, no CSRF, OAuth errors.
  const { keys, tokens } = deps;
  if (keys && tokens) registerTokenEndpoints(app, { ...deps, keys, tokens });

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const r = await options.ready().catch(() => ({ ok: false, reason: "readiness check failed" }));
    return r.ok ? c.json({ status: "ready" }) : c.json({ status: "not_ready", reason: r.reason }, 503);
  });

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerToken", {
    type: "http",
    scheme: "bearer",
    description: "An API token (`pc_at_…`) created under Settings → API tokens",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "consoleSession", {
    type: "apiKey",
    in: "cookie",
    name: sessionCookieName(options.secureCookies),
    description: "The console's session cookie; mutations also need the X-CSRF-Token header from sign-in",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Portcullis control plane API",
      version: "1",
      description:
        "Manage agents, upstreams, tools, policies, gateway groups and data-plane nodes; read sessions and audit. " +
        "Errors share one envelope `{ error: { code, message, requestId } }`.",
    },
    security: [{ bearerToken: [] }, { consoleSession: [] }],
  });

  if (options.console) app.use("*", options.console);

  app.notFound((c) => c.json(errorBody(c, "not_found", `no route for ${c.req.method} ${c.req.path}`), 404));

  app.onError((err, c) => {
    if (err instanceof ApiError) {
      if (err.retryAfterSeconds !== undefined) c.header("Retry-After", String(err.retryAfterSeconds));
      return c.json(errorBody(c, err.code, err.message, err.fields), err.status);
    }
    if (err instanceof HTTPException && err.status < 500) {
      const code = err.status === 413 ? "payload_too_large" : err.status === 400 ? "validation_failed" : "unavailable";
      const message = err.status === 400 ? `body: ${err.message}` : err.message;
      const fields = err.status === 400 ? [{ field: "body", message: err.message }] : undefined;
      return c.json(errorBody(c, code, message, fields), err.status as 400);
    }
    if (isDatabaseUnavailable(err)) {
      // R03: refused, not queued; the client may retry once the database is back.
      deps.logger.warn({ requestId: c.get("requestId"), path: c.req.path }, "database unreachable: request refused");
      c.header("Retry-After", String(DATABASE_RETRY_AFTER_SECONDS));
      return c.json(errorBody(c, "unavailable", DATABASE_UNAVAILABLE_MESSAGE), 503);
    }
    deps.logger.error({ err, requestId: c.get("requestId"), path: c.req.path }, "unhandled error");
    return c.json(errorBody(c, "internal", "internal error; the server log has details under this request id"), 500);
  });

  return app;

  function guard(op: Operation): MiddlewareHandler<AppEnv> {
    return async (c, next) => {
      if (op.permission === "public") return next();
      const actor = c.get("actor");
      if (!actor) throw new ApiError("unauthenticated", "sign in, or send an API token as Authorization: Bearer");
      if (op.permission !== "authenticated" && !can(actor.role, op.permission)) {
        await deps.db.insert(adminAuditLog).values({
          id: uuidv7(),
          at: deps.clock(),
          actorType: actor.type,
          actorId: actor.id,
          actorName: actor.name,
          action: "authz.denied",
          targetType: "route",
          targetId: `${op.route.method.toUpperCase()} ${op.route.path}`,
          requestId: c.get("requestId"),
          details: { permission: op.permission, role: actor.role },
        });
        throw new ApiError("forbidden", `role ${actor.role} may not ${op.permission.replace(":", " ")}`);
      }
      return next();
    };
  }
}

export { errorStatus };
