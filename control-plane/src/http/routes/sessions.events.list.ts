// GET /api/v1/sessions/{id}/events: the audit events of one gateway session, oldest first.
import { createRoute } from "@hono/zod-openapi";
import { listSessionEvents } from "../../services/session-events.ts";
import { type ApiApp, errorResponses, jsonResponse, serviceContext } from "../common.ts";
import { SessionEventPage, SessionEventsQuery, SessionIdParam, sessionEventOut } from "./sessions.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/sessions/{id}/events",
  operationId: "listGatewaySessionEvents",
  tags: ["sessions", "audit"],
  summary: "List a session's audit events",
  description:
    "Every decision the data plane recorded for the session (allowed, denied, held, errored), oldest first, with " +
    "the policies that decided it. `streams` names the audit streams they are in, to verify with " +
    "`GET /api/v1/audit/verify?streamId=…`.",
  request: { params: SessionIdParam, query: SessionEventsQuery },
  responses: { 200: jsonResponse(SessionEventPage, "A page of the session's events"), ...errorResponses },
});

export const permission = "audit:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const page = await listSessionEvents({ ctx: serviceContext(c), sessionId: c.req.valid("param").id, limit, cursor });
    return c.json({ items: page.items.map(sessionEventOut), streams: page.streams, nextCursor: page.nextCursor }, 200);
  });
}
