// POST /api/v1/auth/login: a console user signs in; sets the session cookie and returns the CSRF token.

import { getConnInfo } from "@hono/node-server/conninfo";
import { createRoute, z } from "@hono/zod-openapi";
import { setCookie } from "hono/cookie";
import { signIn } from "../../services/auth.ts";
import { sessionCookieName } from "../app.ts";
import { type ApiApp, errorResponses, jsonBody, jsonResponse, rateLimitedResponse } from "../common.ts";
import { SessionInfo } from "./auth.session.ts";

export const LoginInput = z
  .object({
    email: z.email({ message: "expected an email address" }).max(254),
    password: z.string().min(1, "expected the password").max(1024),
  })
  .openapi("LoginInput");

export const route = createRoute({
  method: "post",
  path: "/api/v1/auth/login",
  operationId: "login",
  tags: ["auth"],
  summary: "Sign in to the console",
  description:
    "Checks the password and starts a cookie session. Send the returned `csrfToken` as `X-CSRF-Token` on every mutation.",
  security: [],
  request: jsonBody(LoginInput),
  responses: {
    200: jsonResponse(SessionInfo, "Signed in"),
    400: errorResponses[400],
    401: errorResponses[401],
    429: rateLimitedResponse,
  },
});

export const permission = "public";

/** The peer's address (not X-Forwarded-For, which the caller controls); "local" for in-process requests. */
function clientAddress(c: Parameters<typeof getConnInfo>[0]): string {
  try {
    return getConnInfo(c).remote.address ?? "local";
  } catch {
    return "local";
  }
}

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const web = c.get("web");
    const out = await signIn(c.get("deps"), web.sessions, c.req.valid("json"), c.get("requestId"), {
      throttle: web.loginThrottle,
      client: clientAddress(c),
    });
    setCookie(c, sessionCookieName(web.secureCookies), out.sessionToken, {
      httpOnly: true,
      secure: web.secureCookies,
      sameSite: "Strict",
      path: "/",
      maxAge: web.sessions.absoluteHours * 3600,
    });
    return c.json({ user: out.user, csrfToken: out.csrfToken, expiresAt: out.expiresAt.toISOString() }, 200);
  });
}
