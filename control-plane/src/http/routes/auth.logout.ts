// POST /api/v1/auth/logout: ends the console session; the old cookie is worthless afterwards.
import { createRoute } from "@hono/zod-openapi";
import { deleteCookie } from "hono/cookie";
import { signOut } from "../../services/auth.ts";
import { sessionCookieName } from "../app.ts";
import { type ApiApp, errorResponses } from "../common.ts";

export const route = createRoute({
  method: "post",
  path: "/api/v1/auth/logout",
  operationId: "logout",
  tags: ["auth"],
  summary: "Sign out of the console",
  responses: { 204: { description: "Signed out" }, 401: errorResponses[401], 403: errorResponses[403] },
});

export const permission = "authenticated";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const tokenHash = c.get("sessionTokenHash");
    if (tokenHash) await signOut(c.get("deps"), tokenHash);
    deleteCookie(c, sessionCookieName(c.get("web").secureCookies), { path: "/", secure: c.get("web").secureCookies });
    return c.body(null, 204);
  });
}
