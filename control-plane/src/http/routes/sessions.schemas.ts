// Wire shapes of gateway sessions: one per token exchange (operator + agent), read-only here.
import { z } from "@hono/zod-openapi";
import type { SessionView } from "../../services/sessions.ts";
import { Timestamp } from "../common.ts";

export const SessionIdParam = z.object({
  id: z
    .string()
    .regex(/^sess_[A-Za-z0-9_-]{16,64}$/, "expected a session id (sess_…)")
    .openapi({ param: { name: "id", in: "path" }, example: "sess_3q2-7wEJ8kZrV0aY1bN4cA" }),
});

export const SessionQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: "Page size (1–200)", example: 50 }),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,300}$/, "expected the nextCursor of a previous page")
    .optional()
    .openapi({ description: "Opaque cursor from the previous page's `nextCursor`" }),
  operator: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .openapi({ description: "Only sessions of this operator subject", example: "alice@company.com" }),
  agent: z.uuid({ message: "expected an agent id" }).optional().openapi({ description: "Only sessions of this agent" }),
  from: z.iso
    .datetime({ offset: true, message: "expected an ISO 8601 date-time" })
    .optional()
    .openapi({ description: "Started at or after (inclusive)" }),
  to: z.iso
    .datetime({ offset: true, message: "expected an ISO 8601 date-time" })
    .optional()
    .openapi({ description: "Started before (exclusive)" }),
});

const DelegationHop = z.object({ agent: z.string(), trust: z.string(), owner: z.string() });

export const Session = z
  .object({
    id: z.string(),
    operatorSub: z.string().openapi({ description: "The operator's subject at their identity provider" }),
    agentId: z.string().nullable(),
    agentName: z.string().nullable(),
    parentSessionId: z.string().nullable(),
    delegation: z
      .object({ chain: z.array(DelegationHop), origin: z.string() })
      .partial()
      .passthrough()
      .openapi({ description: "The verified delegation chain (first hop = the agent the operator started)" }),
    startedAt: Timestamp,
    expiresAt: Timestamp,
    endedAt: Timestamp.nullable(),
  })
  .openapi("Session");

export const SessionPage = z
  .object({
    items: z.array(Session),
    nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null at the end" }),
  })
  .openapi("SessionPage");

export function sessionOut(s: SessionView): z.infer<typeof Session> {
  return {
    id: s.id,
    operatorSub: s.operatorSub,
    agentId: s.agentId,
    agentName: s.agentName,
    parentSessionId: s.parentSessionId,
    delegation: s.delegation as z.infer<typeof Session>["delegation"],
    startedAt: s.startedAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
    endedAt: s.endedAt?.toISOString() ?? null,
  };
}
