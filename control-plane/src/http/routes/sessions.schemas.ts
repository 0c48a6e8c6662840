// Wire shapes of gateway sessions: one per token exchange (operator + agent), read-only here.
import { z } from "@hono/zod-openapi";
import type { SessionEvent as SessionEventRow } from "../../services/session-events.ts";
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

const DelegationHop = z.object({
  agentId: z.string().optional().openapi({ description: "The agent's id" }),
  agent: z.string().openapi({ description: "The agent's name" }),
  trust: z.string().openapi({ description: "first_party or third_party" }),
  owner: z.string(),
});

export const Session = z
  .object({
    id: z.string(),
    operatorSub: z.string().openapi({ description: "The operator's subject at their identity provider" }),
    agentId: z.string().nullable(),
    agentName: z.string().nullable(),
    parentSessionId: z
      .string()
      .nullable()
      .openapi({ description: "The delegating agent's session, for a session opened by delegation" }),
    delegation: z
      .object({
        chain: z.array(DelegationHop),
        depth: z.number().int().openapi({ description: "Delegations in the chain: 0 when the agent acts directly" }),
        origin: z.string().openapi({ description: "Who started the chain: human, system or agent" }),
      })
      .partial()
      .passthrough()
      .openapi({
        description: "The verified delegation chain (first hop = the agent the operator started, last = this agent)",
      }),
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

export const SessionEventsQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(500)
    .openapi({ description: "Page size (1–1000)", example: 500 }),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,300}$/, "expected the nextCursor of a previous page")
    .optional()
    .openapi({ description: "Opaque cursor from the previous page's `nextCursor`" }),
});

export const SessionEvent = z
  .object({
    id: z.string().openapi({ description: "The event id: the decision id the call's answer and assertion carried" }),
    at: Timestamp,
    kind: z.string().openapi({ description: "`decision` for a tool call" }),
    streamId: z.string().openapi({ description: "The audit stream (one per node and spool) the event is in" }),
    eventSeq: z.number().int(),
    tool: z.string().nullable(),
    agent: z.string().nullable().openapi({ description: "The acting agent's name" }),
    operator: z.string().nullable().openapi({ description: "The operator's subject" }),
    decision: z.string().nullable().openapi({ description: "The policy outcome: allow, deny or require_approval" }),
    outcome: z
      .string()
      .nullable()
      .openapi({ description: "What the gateway did: ok, denied, approval_required, unknown_tool, upstream_error, …" }),
    code: z.string().nullable().openapi({ description: "The reason code, e.g. allowed, denied_by_policy" }),
    reason: z.string().nullable().openapi({ description: "The reason a person reads" }),
    policies: z
      .array(z.object({ id: z.string(), name: z.string().nullable() }))
      .openapi({ description: "The policies whose match decided the outcome (name null once deleted)" }),
    evaluated: z.number().int().nullable().openapi({ description: "How many policies were evaluated" }),
    shadowMatched: z.array(z.string()).openapi({ description: "Shadow policies that matched (not enforced)" }),
    argsSha256: z.string().nullable().openapi({ description: "SHA-256 of the arguments' canonical JSON" }),
    upstreamStatus: z.number().int().nullable(),
    latencyUs: z.number().int().nullable().openapi({ description: "Time spent in the gateway and upstream, µs" }),
    protocol: z.string().nullable().openapi({ description: "mcp or http-tools" }),
  })
  .openapi("SessionEvent");

export const SessionEventPage = z
  .object({
    items: z.array(SessionEvent),
    streams: z.array(z.string()).openapi({ description: "The audit streams of this page's events, to verify" }),
    nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null at the end" }),
  })
  .openapi("SessionEventPage");

export function sessionEventOut(e: SessionEventRow): z.infer<typeof SessionEvent> {
  return { ...e, at: e.at.toISOString() };
}
