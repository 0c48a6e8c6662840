// GET /api/v1/sessions/{id}/timeline: a session's calls in order, with the integrity of the batches carrying them.
import { createRoute, z } from "@hono/zod-openapi";
import { problemKinds } from "../../audit/verify.ts";
import { sessionTimeline } from "../../services/session-timeline.ts";
import { type ApiApp, errorResponses, jsonResponse, serviceContext, Timestamp } from "../common.ts";
import { AuditEvent, auditEventOut } from "./audit-events.schemas.ts";
import { Session, SessionIdParam, sessionOut } from "./sessions.schemas.ts";

const Integrity = z.enum(["verified", "failed", "pending"]).openapi({
  description:
    "verified: the batch's signature, hashes, events and link to the previous batch all check out; failed: one " +
    "does not (tampering, or a key the control plane does not know); pending: the batch verifies but the batch " +
    "before it is not stored, so its chain cannot be confirmed yet",
});

const Timeline = z
  .object({
    session: Session.nullable().openapi({
      description: "Null when events name a session the token service never opened",
    }),
    integrity: Integrity,
    open: z.boolean().openapi({ description: "The session has not ended or expired: more calls may arrive" }),
    truncated: z.boolean().openapi({ description: "Only the first 2000 events are shown" }),
    checkedAt: Timestamp,
    events: z.array(AuditEvent.extend({ integrity: Integrity })),
    batches: z.array(
      z.object({
        nodeId: z.string(),
        streamId: z.string(),
        seq: z.number().int(),
        receivedAt: Timestamp,
        eventCount: z.number().int(),
        integrity: Integrity,
        problems: z.array(z.object({ kind: z.enum(problemKinds), detail: z.string() })),
      }),
    ),
  })
  .openapi("SessionTimeline");

export const route = createRoute({
  method: "get",
  path: "/api/v1/sessions/{id}/timeline",
  operationId: "getSessionTimeline",
  tags: ["sessions"],
  summary: "A session's calls in order, with verified integrity",
  description:
    "Every audit event of the session, oldest first, with decision, reason, policies and argument digest; each " +
    "signed batch that carries one is verified as `portcullis audit verify` does.",
  request: { params: SessionIdParam },
  responses: { 200: jsonResponse(Timeline, "The timeline"), ...errorResponses },
});

export const permission = "audit:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const t = await sessionTimeline({ ctx: serviceContext(c), id: c.req.valid("param").id });
    return c.json(
      {
        session: t.session ? sessionOut(t.session) : null,
        integrity: t.integrity,
        open: t.open,
        truncated: t.truncated,
        checkedAt: t.checkedAt.toISOString(),
        events: t.events.map((e) => ({ ...auditEventOut(e), integrity: e.integrity })),
        batches: t.batches.map((b) => ({ ...b, receivedAt: b.receivedAt.toISOString() })),
      },
      200,
    );
  });
}
