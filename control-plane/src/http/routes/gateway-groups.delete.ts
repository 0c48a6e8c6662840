// DELETE /api/v1/gateway-groups/{id}: remove an empty gateway group.
import { createRoute } from "@hono/zod-openapi";
import { deleteGatewayGroup } from "../../services/gateway-groups.ts";
import { type ApiApp, errorResponses, IdParam, serviceContext } from "../common.ts";

export const route = createRoute({
  method: "delete",
  path: "/api/v1/gateway-groups/{id}",
  operationId: "deleteGatewayGroup",
  tags: ["gateway-groups"],
  summary: "Delete a gateway group",
  description: "Refused with 409 while nodes are enrolled in the group; its bootstrap tokens and snapshots go with it.",
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...errorResponses },
});

export const permission = "gateways:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    await deleteGatewayGroup({ ctx: serviceContext(c), id: c.req.valid("param").id });
    return c.body(null, 204);
  });
}
