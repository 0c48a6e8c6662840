// GET /api/v1/audit/checkpoints: the control plane's signed Merkle checkpoints over received audit batches.
import { createRoute, z } from "@hono/zod-openapi";
import { listCheckpoints } from "../../audit/checkpoints.ts";
import { authorize } from "../../services/rbac.ts";
import { type ApiApp, errorResponses, jsonResponse, serviceContext } from "../common.ts";

const Checkpoint = z
  .object({ id: z.string(), at: z.string(), treeSize: z.number().int(), root: z.string(), jws: z.string() })
  .openapi("AuditCheckpoint");

export const route = createRoute({
  method: "get",
  path: "/api/v1/audit/checkpoints",
  operationId: "listAuditCheckpoints",
  tags: ["audit"],
  summary: "List signed audit checkpoints",
  responses: { 200: jsonResponse(z.object({ items: z.array(Checkpoint) }), "Newest first"), ...errorResponses },
});

export const permission = "audit:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const ctx = serviceContext(c);
    authorize(ctx.actor, "audit:read");
    const items = (await listCheckpoints(ctx.db)).map((cp) => ({ ...cp, at: cp.at.toISOString() }));
    return c.json({ items }, 200);
  });
}
