// POST /api/v1/tools/{id}/approve: a person approves a quarantined tool's changed definition; its hash is pinned
// and the tool is active again.
import { createRoute, z } from "@hono/zod-openapi";
import { approveToolDefinition } from "../../services/tools.ts";
import { type ApiApp, errorResponses, IdParam, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { Tool, toolOut } from "./tools.schemas.ts";

const Input = z
  .object({
    pendingHash: z
      .string({ error: "expected the hash of the definition you reviewed" })
      .regex(/^[0-9a-f]{64}$/, "expected the 64 hex digits of the reviewed definition's pendingHash")
      .openapi({ description: "The `pendingHash` you reviewed; refused with 409 if the pending definition changed" }),
    comment: z.string().max(500, "expected at most 500 characters").optional().openapi({
      description: "Why the new definition is acceptable (kept in the admin audit log)",
    }),
  })
  .strict()
  .openapi("ToolApprovalInput");

export const route = createRoute({
  method: "post",
  path: "/api/v1/tools/{id}/approve",
  operationId: "approveToolDefinition",
  tags: ["tools"],
  summary: "Approve a quarantined tool's changed definition",
  description:
    "The changed definition seen upstream becomes the tool's definition: its hash is pinned, the pending definition " +
    "is cleared and the tool is active again, in one transaction with an admin audit row (`tool.approve`). 409 when " +
    "the tool is not quarantined, has nothing pending, or its pending hash is not the one reviewed.",
  request: { params: IdParam, ...jsonBody(Input) },
  responses: { 200: jsonResponse(Tool, "The tool, active with the new definition pinned"), ...errorResponses },
});

export const permission = "tools:approve";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const { pendingHash, comment } = c.req.valid("json");
    const tool = await approveToolDefinition({
      ctx: serviceContext(c),
      id: c.req.valid("param").id,
      reviewedHash: pendingHash,
      comment,
    });
    return c.json(toolOut(tool), 200);
  });
}
