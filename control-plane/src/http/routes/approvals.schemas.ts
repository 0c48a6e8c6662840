// Wire shapes of approvals: requests a data-plane node opened for one exact call, and the people's decisions.
import { z } from "@hono/zod-openapi";
import { type ApprovalRow, stateOf } from "../../services/approvals.ts";
import { JsonObject, PageQuery, pageOf, Timestamp } from "../common.ts";

const State = z.enum(["pending", "approved", "rejected", "expired", "consumed"]).openapi({
  description:
    "pending: waiting for a decision; approved: approved, not used yet; consumed: the approved call executed " +
    "(once); rejected; expired: nobody decided, or the approved call was not retried, before `expiresAt`",
});

export const ApprovalQuery = PageQuery.extend({
  status: State.optional().openapi({ description: "Only approvals in this state (expiry applied)" }),
  tool: z.string().min(1).max(256).optional().openapi({ description: "Only approvals of this tool" }),
  agent: z.string().min(1).max(256).optional().openapi({ description: "Only approvals of this agent (id or name)" }),
  operator: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .openapi({ description: "Only approvals for this operator (subject or email)", example: "alice@company.com" }),
  session: z.string().min(1).max(100).optional().openapi({ description: "Only approvals of this gateway session" }),
});

export const Approval = z
  .object({
    id: z.string(),
    status: State,
    tool: z.string(),
    args: JsonObject.openapi({ description: "The exact arguments the approval is bound to" }),
    argsSha256: z.string().openapi({ description: "`sha256:<hex>` of the arguments' canonical JSON (the binding)" }),
    sessionId: z.string(),
    agentId: z.string(),
    agentName: z.string().nullable(),
    operatorSub: z.string(),
    operatorEmail: z.string().nullable(),
    delegationChain: z.array(z.unknown()),
    policyId: z.string().nullable().openapi({ description: "The require_approval policy that held the call" }),
    approvers: z
      .array(z.string())
      .openapi({ description: "Who may decide: emails or `role:<role>`; empty = anyone with approvals:decide" }),
    decidedBy: z.string().nullable(),
    approvedAs: z.string().nullable().openapi({ description: "The approvers entry the decider satisfied" }),
    comment: z.string().nullable(),
    requestEventId: z.string().nullable().openapi({ description: "Decision id of the call that asked (audit link)" }),
    executionEventId: z
      .string()
      .nullable()
      .openapi({ description: "Decision id of the call that consumed the approval (audit link)" }),
    createdAt: Timestamp,
    expiresAt: Timestamp,
    decidedAt: Timestamp.nullable(),
    consumedAt: Timestamp.nullable(),
    notifiedAt: Timestamp.nullable().openapi({ description: "When the webhook notification was delivered" }),
  })
  .openapi("Approval");

export const ApprovalPage = pageOf(Approval, "ApprovalPage");

export const ApprovalDecisionInput = z
  .object({
    decision: z.enum(["approve", "reject"], { error: "expected approve or reject" }),
    comment: z.string().max(1000, "expected at most 1000 characters").default(""),
  })
  .strict()
  .openapi("ApprovalDecisionInput");

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function approvalOut(row: ApprovalRow, now: Date): z.infer<typeof Approval> {
  return {
    id: row.id,
    status: stateOf(row, now),
    tool: row.tool,
    args: row.args,
    argsSha256: row.argsSha256,
    sessionId: row.sessionId,
    agentId: row.agentId,
    agentName: row.agentName,
    operatorSub: row.operatorSub,
    operatorEmail: row.operatorEmail,
    delegationChain: row.delegationChain,
    policyId: row.policyId,
    approvers: row.approvers,
    decidedBy: row.decidedBy,
    approvedAs: row.approvedAs,
    comment: row.reason,
    requestEventId: row.requestEventId,
    executionEventId: row.executionEventId,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    decidedAt: iso(row.decidedAt),
    consumedAt: iso(row.consumedAt),
    notifiedAt: iso(row.notifiedAt),
  };
}
