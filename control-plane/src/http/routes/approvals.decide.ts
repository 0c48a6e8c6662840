// POST /api/v1/approvals/{id}/decision: approve or reject a pending approval, with a comment. Audited.
import { createRoute } from "@hono/zod-openapi";
import { DEFAULT_APPROVAL_TTL_MS, decideApproval } from "../../services/approvals.ts";
import { type ApiApp, errorResponses, IdParam, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { Approval, ApprovalDecisionInput, approvalOut } from "./approvals.schemas.ts";

export const route = createRoute({
  method: "post",
  path: "/api/v1/approvals/{id}/decision",
  operationId: "decideApproval",
  tags: ["approvals"],
  summary: "Approve or reject an approval",
  description:
    "Only someone the policy named as approver (by email or `role:<role>`; anyone with approvals:decide when it named nobody) may decide, and never the operator the call acts for (403). An approval that is no longer pending answers 409. An approved call executes exactly once, when the agent retries the identical call before the approval expires.",
  request: { params: IdParam, ...jsonBody(ApprovalDecisionInput) },
  responses: { 200: jsonResponse(Approval, "The decided approval"), ...errorResponses },
});

export const permission = "approvals:decide";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const ctx = serviceContext(c);
    const { decision, comment } = c.req.valid("json");
    const row = await decideApproval({
      ctx,
      id: c.req.valid("param").id,
      decision,
      comment,
      ttlMs: ctx.approvals?.ttlMs ?? DEFAULT_APPROVAL_TTL_MS,
    });
    return c.json(approvalOut(row, ctx.clock()), 200);
  });
}
