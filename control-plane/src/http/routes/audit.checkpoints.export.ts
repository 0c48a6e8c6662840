// GET /api/v1/audit/checkpoints/latest/export: the newest checkpoint with the batch hashes it covers and the
// control plane's public keys, as a file that `portcullis audit verify --export FILE` checks offline.
import { createRoute, z } from "@hono/zod-openapi";
import { exportCheckpoint } from "../../audit/checkpoints.ts";
import { ApiError } from "../../services/errors.ts";
import { authorize } from "../../services/rbac.ts";
import { type ApiApp, errorResponses, jsonResponse, serviceContext } from "../common.ts";

const Export = z
  .object({
    format: z.literal("portcullis-audit-checkpoint/v1"),
    checkpoint: z.object({ treeSize: z.number().int(), root: z.string(), issuedAt: z.string(), jws: z.string() }),
    batchHashes: z.array(z.string()),
    jwks: z.object({ keys: z.array(z.unknown()) }),
  })
  .openapi("AuditCheckpointExport");

export const route = createRoute({
  method: "get",
  path: "/api/v1/audit/checkpoints/latest/export",
  operationId: "exportAuditCheckpoint",
  tags: ["audit"],
  summary: "Export the newest audit checkpoint for offline verification",
  responses: { 200: jsonResponse(Export, "The checkpoint export"), ...errorResponses },
});

export const permission = "audit:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const ctx = serviceContext(c);
    authorize(ctx.actor, "audit:read");
    if (!ctx.keys) throw new ApiError("unavailable", "signing keys are not loaded");
    const exported = await exportCheckpoint(ctx.db, ctx.keys());
    if (!exported)
      throw new ApiError(
        "not_found",
        "no checkpoint yet: checkpoints are signed every few minutes once audit batches arrive",
      );
    c.header(
      "Content-Disposition",
      `attachment; filename="portcullis-checkpoint-${exported.checkpoint.treeSize}.json"`,
    );
    return c.json(exported, 200);
  });
}
