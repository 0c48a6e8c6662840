// GET /api/v1/approvals: approval requests, newest first, filtered by state, tool, agent, operator and session.
import { createRoute } from "@hono/zod-openapi";
import { listApprovals } from "../../services/approvals.ts";
import { type ApiApp, errorResponses, jsonResponse, serviceContext } from "../common.ts";
import { ApprovalPage, ApprovalQuery, approvalOut } from "./approvals.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/approvals",
  operationId: "listApprovals",
  tags: ["approvals"],
  summary: "List approvals",
  description:
    "Approvals data-plane nodes opened for calls held by require_approval policies, newest first. `status=pending` is the approvals inbox.",
  request: { query: ApprovalQuery },
  responses: { 200: jsonResponse(ApprovalPage, "A page of approvals"), ...errorResponses },
});

export const permission = "approvals:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const ctx = serviceContext(c);
    const page = await listApprovals({ ctx, filter: c.req.valid("query") });
    const now = ctx.clock();
    return c.json({ items: page.items.map((r) => approvalOut(r, now)), nextCursor: page.nextCursor }, 200);
  });
}
