// POST /api/v1/nodes/{id}/revoke: cut a node off: its streams close and its keys stop working.
import { createRoute, z } from "@hono/zod-openapi";
import { revokeNode } from "../../services/nodes.ts";
import { type ApiApp, errorResponses, IdParam, jsonBody, serviceContext } from "../common.ts";

const Input = z
  .object({ reason: z.string().min(1, "say why").max(500) })
  .strict()
  .openapi("NodeRevokeInput");

export const route = createRoute({
  method: "post",
  path: "/api/v1/nodes/{id}/revoke",
  operationId: "revokeNode",
  tags: ["nodes"],
  summary: "Revoke a data-plane node",
  description:
    "Closes the node's config and audit streams on every control-plane replica and refuses its keys from now on. Irreversible: enroll a new node instead.",
  request: { params: IdParam, ...jsonBody(Input) },
  responses: { 204: { description: "Revoked" }, ...errorResponses },
});

export const permission = "gateways:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    await revokeNode({ ctx: serviceContext(c), id: c.req.valid("param").id, reason: c.req.valid("json").reason });
    return c.body(null, 204);
  });
}
