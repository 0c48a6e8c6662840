// GET /api/v1/auth/session: who is signed in, with the CSRF token the console sends on mutations.
import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { consoleSessions, consoleUsers } from "../../db/schema.ts";
import { ApiError } from "../../services/errors.ts";
import { roles } from "../../services/rbac.ts";
import { type ApiApp, errorResponses, jsonResponse } from "../common.ts";

export const SessionInfo = z
  .object({
    user: z.object({
      id: z.string(),
      email: z.string(),
      displayName: z.string(),
      role: z.enum(roles),
    }),
    csrfToken: z.string().openapi({ description: "Send as X-CSRF-Token on POST/PUT/PATCH/DELETE" }),
    expiresAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("SessionInfo");

export const route = createRoute({
  method: "get",
  path: "/api/v1/auth/session",
  operationId: "getSession",
  tags: ["auth"],
  summary: "The signed-in console user",
  responses: { 200: jsonResponse(SessionInfo, "The current session"), 401: errorResponses[401] },
});

export const permission = "authenticated";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const tokenHash = c.get("sessionTokenHash");
    if (!tokenHash) throw new ApiError("unauthenticated", "this endpoint needs a console session, not an API token");
    const { db } = c.get("deps");
    const [row] = await db
      .select({ s: consoleSessions, u: consoleUsers })
      .from(consoleSessions)
      .innerJoin(consoleUsers, eq(consoleUsers.id, consoleSessions.userId))
      .where(eq(consoleSessions.tokenHash, tokenHash));
    if (!row) throw new ApiError("unauthenticated", "the session has ended; sign in again");
    return c.json(
      {
        user: { id: row.u.id, email: row.u.email, displayName: row.u.displayName, role: row.u.role },
        csrfToken: row.s.csrfToken,
        expiresAt: row.s.expiresAt.toISOString(),
      },
      200,
    );
  });
}
