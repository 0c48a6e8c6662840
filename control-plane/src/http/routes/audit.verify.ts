// GET /api/v1/audit/verify: re-check every stored audit batch and event against what the nodes signed.
import { createRoute, z } from "@hono/zod-openapi";
import { problemKinds, verifyAuditTrail } from "../../audit/verify.ts";
import { authorize } from "../../services/rbac.ts";
import { type ApiApp, errorResponses, jsonResponse, serviceContext } from "../common.ts";

export const AuditVerification = z
  .object({
    ok: z.boolean(),
    streams: z.number().int(),
    batches: z.number().int(),
    events: z.number().int(),
    alarms: z.number().int().openapi({ description: "Refused batches kept as evidence (equivocation, gaps)" }),
    checkedAt: z.string(),
    problems: z.array(
      z.object({
        kind: z.enum(problemKinds),
        nodeId: z.string(),
        streamId: z.string(),
        seq: z.number().int(),
        detail: z.string(),
      }),
    ),
  })
  .openapi("AuditVerification");

export const route = createRoute({
  method: "get",
  path: "/api/v1/audit/verify",
  operationId: "verifyAudit",
  tags: ["audit"],
  summary: "Verify the integrity of the stored audit trail",
  request: { query: z.object({ streamId: z.uuid({ message: "expected a stream id" }).optional() }) },
  responses: {
    200: jsonResponse(AuditVerification, "The verification result; `ok` is false when anything is wrong"),
    ...errorResponses,
  },
});

export const permission = "audit:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const ctx = serviceContext(c);
    authorize(ctx.actor, "audit:read");
    const streamId = c.req.valid("query").streamId;
    return c.json(
      await verifyAuditTrail(ctx.db, { ...(streamId ? { streamId } : {}), ...(ctx.keys ? { keys: ctx.keys() } : {}) }),
      200,
    );
  });
}
