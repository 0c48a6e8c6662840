// GET /api/v1/approvals/{id}: one approval with the exact arguments it is bound to.
import { createRoute } from "@hono/zod-openapi";
import { getApproval } from "../../services/approvals.ts";
import { type ApiApp, errorResponses, IdParam, jsonResponse, serviceContext } from "../common.ts";
import { Approval, approvalOut } from "./approvals.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/approvals/{id}",
  operationId: "getApproval",
  tags: ["approvals"],
  summary: "Get an approval",
  request: { params: IdParam },
  responses: { 200: jsonResponse(Approval, "The approval"), ...errorResponses },
});

export const permission = "approvals:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const ctx = serviceContext(c);
    const row = await getApproval({ ctx, id: c.req.valid("param").id });
    return c.json(approvalOut(row, ctx.clock()), 200);
  });
}
