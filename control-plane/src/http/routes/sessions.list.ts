// GET /api/v1/sessions: gateway sessions, newest first.
import { createRoute } from "@hono/zod-openapi";
import { listSessions } from "../../services/sessions.ts";
import { type ApiApp, errorResponses, jsonResponse, serviceContext } from "../common.ts";
import { SessionPage, SessionQuery, sessionOut } from "./sessions.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/sessions",
  operationId: "listGatewaySessions",
  tags: ["sessions"],
  summary: "List gateway sessions",
  description: "Sessions opened by token exchange, newest first, filtered by operator, agent and start time.",
  request: { query: SessionQuery },
  responses: { 200: jsonResponse(SessionPage, "A page of sessions"), ...errorResponses },
});

export const permission = "sessions:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const { agent, ...rest } = c.req.valid("query");
    const page = await listSessions({ ctx: serviceContext(c), filter: { ...rest, agentId: agent } });
    return c.json({ items: page.items.map(sessionOut), nextCursor: page.nextCursor }, 200);
  });
}
