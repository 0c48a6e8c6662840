// Wire shapes of data-plane audit events (search, export, session timelines) and their shared filters.
import { z } from "@hono/zod-openapi";
import type { AuditEventView } from "../../services/audit-events.ts";
import { Timestamp } from "../common.ts";
import { SessionQuery } from "./sessions.schemas.ts";

const text = (description: string, example: string) =>
  z.string().min(1).max(255, "expected at most 255 characters").optional().openapi({ description, example });
const instant = (description: string) =>
  z.iso
    .datetime({ offset: true, message: "expected an ISO 8601 date-time, e.g. 2025-01-31T09:00:00Z" })
    .optional()
    .openapi({ description });

export const decisions = ["allow", "deny", "require_approval"] as const;

/** The filters search and export share. */
export const AuditEventFilters = z.object({
  agent: text("Only events of this agent (its name)", "expense-report-v1"),
  operator: text("Only events of this operator subject", "alice@company.com"),
  tool: text("Only calls of this tool", "create_expense_report"),
  session: z
    .string()
    .regex(/^sess_[A-Za-z0-9_-]{1,64}$/, "expected a session id (sess_…)")
    .optional()
    .openapi({ description: "Only events of this gateway session", example: "sess_3q2-7wEJ8kZrV0aY1bN4cA" }),
  decision: z
    .enum(decisions, { error: `expected one of ${decisions.join(", ")}` })
    .optional()
    .openapi({ description: "The policy decision" }),
  outcome: z
    .string()
    .regex(/^[a-z_]{1,64}$/, "expected an outcome such as ok, denied, approval_required, unknown_tool")
    .optional()
    .openapi({ description: "What the gateway did with the call", example: "denied" }),
  code: z
    .string()
    .regex(/^[a-z0-9_.-]{1,100}$/, "expected a reason code such as denied_by_policy")
    .optional()
    .openapi({ description: "The reason code the node recorded (read from the signed record)" }),
  from: instant("Events at or after this time"),
  to: instant("Events before this time"),
});

export const AuditEventQuery = AuditEventFilters.extend({
  limit: SessionQuery.shape.limit,
  cursor: SessionQuery.shape.cursor,
});

const PolicyRef = z
  .object({
    id: z.string(),
    name: z.string().nullable().openapi({ description: "The policy's name; null when it was deleted since" }),
  })
  .openapi("PolicyRef");

export const AuditEvent = z
  .object({
    id: z.string().openapi({ description: "The decision id (UUIDv7) the call's response and assertion carried" }),
    at: Timestamp,
    kind: z.string().openapi({ description: "decision, discontinuity, …" }),
    nodeId: z.string(),
    streamId: z.string(),
    batchSeq: z.number().int(),
    eventSeq: z.number().int(),
    sessionId: z.string().nullable(),
    agent: z.string().nullable(),
    operator: z.string().nullable(),
    tool: z.string().nullable(),
    decision: z.string().nullable(),
    outcome: z.string().nullable(),
    code: z.string().nullable().openapi({ description: "Stable reason code" }),
    reason: z.string().nullable().openapi({ description: "The reason a person reads" }),
    protocol: z.string().nullable(),
    policiesDeciding: z.array(PolicyRef).openapi({ description: "The policies that decided the call" }),
    policiesMatched: z.array(PolicyRef).openapi({ description: "Every policy whose target and condition matched" }),
    policiesEvaluated: z.number().int().nullable(),
    argsSha256: z
      .string()
      .nullable()
      .openapi({ description: "SHA-256 of the canonical arguments (never the arguments)" }),
    latencyUs: z.number().int().nullable(),
    configVersion: z.number().int().nullable(),
    record: z.string().openapi({ description: "The exact record the node signed (canonical JSON)" }),
  })
  .openapi("AuditEvent");

export function auditEventOut(e: AuditEventView): z.infer<typeof AuditEvent> {
  return { ...e, at: e.at.toISOString() };
}
