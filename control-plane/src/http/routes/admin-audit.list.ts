// GET /api/v1/admin-audit: the trail of administrative actions, newest first.
import { createRoute, z } from "@hono/zod-openapi";
import type { AdminAuditRow } from "../../services/admin-audit-search.ts";
import { listAdminActions } from "../../services/admin-audit-search.ts";
import { type ApiApp, errorResponses, jsonResponse, PageQuery, pageOf, serviceContext, Timestamp } from "../common.ts";

const text = (description: string, example: string) =>
  z.string().min(1).max(200, "expected at most 200 characters").optional().openapi({ description, example });
const instant = (description: string) =>
  z.iso
    .datetime({ offset: true, message: "expected an ISO 8601 date-time, e.g. 2025-01-31T09:00:00Z" })
    .optional()
    .openapi({ description });

const AdminAction = z
  .object({
    id: z.string(),
    at: Timestamp,
    actorType: z.string().openapi({ description: "user, api_token or system" }),
    actorId: z.string(),
    actorName: z.string(),
    action: z.string().openapi({ example: "policy.create" }),
    targetType: z.string(),
    targetId: z.string().nullable(),
    beforeHash: z.string().nullable().openapi({ description: "SHA-256 of the object's state before (no secrets)" }),
    afterHash: z.string().nullable().openapi({ description: "SHA-256 of the object's state after (no secrets)" }),
    requestId: z.string(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi("AdminAction");

export const route = createRoute({
  method: "get",
  path: "/api/v1/admin-audit",
  operationId: "listAdminActions",
  tags: ["admin-audit"],
  summary: "List administrative actions",
  description:
    "Every change made through the API or console, and every refused attempt (`authz.denied`), newest first. " +
    "Each row holds hashes of the object's state before and after, never the state itself.",
  request: {
    query: PageQuery.extend({
      action: text("Exact action", "user.update"),
      actorId: text("The acting user's or API token's id", "0190c2e4-…"),
      targetType: text("Kind of object changed", "upstream"),
      targetId: text("Id of the object changed", "0190c2e4-…"),
      from: instant("Actions at or after this time"),
      to: instant("Actions before this time"),
    }),
  },
  responses: { 200: jsonResponse(pageOf(AdminAction, "AdminActionPage"), "A page of actions"), ...errorResponses },
});

export const permission = "admin-audit:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const page = await listAdminActions({ ctx: serviceContext(c), filter: c.req.valid("query") });
    return c.json({ items: page.items.map(adminActionOut), nextCursor: page.nextCursor }, 200);
  });
}

function adminActionOut(a: AdminAuditRow): z.infer<typeof AdminAction> {
  return { ...a, at: a.at.toISOString() };
}
