// GET /api/v1/audit/events: search the data planes' audit events, newest first.
import { createRoute, z } from "@hono/zod-openapi";
import { searchAuditEvents } from "../../services/audit-events.ts";
import { type ApiApp, errorResponses, jsonResponse, serviceContext } from "../common.ts";
import { AuditEvent, AuditEventQuery, auditEventOut } from "./audit-events.schemas.ts";

const AuditEventPage = z
  .object({
    items: z.array(AuditEvent),
    nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null at the end" }),
  })
  .openapi("AuditEventPage");

export const route = createRoute({
  method: "get",
  path: "/api/v1/audit/events",
  operationId: "searchAuditEvents",
  tags: ["audit"],
  summary: "Search audit events",
  description:
    "Decision events stored from the data planes' signed audit batches, newest first, filtered by agent, operator, " +
    "tool, session, decision, outcome, reason code and time. `/api/v1/audit/events/export` streams the same " +
    "selection as JSON Lines or CSV.",
  request: { query: AuditEventQuery },
  responses: { 200: jsonResponse(AuditEventPage, "A page of events"), ...errorResponses },
});

export const permission = "audit:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const page = await searchAuditEvents({ ctx: serviceContext(c), filter: c.req.valid("query") });
    return c.json({ items: page.items.map(auditEventOut), nextCursor: page.nextCursor }, 200);
  });
}
