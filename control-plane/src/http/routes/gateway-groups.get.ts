// GET /api/v1/gateway-groups/{id}: one gatewayGroup.
import { createRoute } from "@hono/zod-openapi";
import { getGatewayGroup } from "../../services/gateway-groups.ts";
import { type ApiApp, errorResponses, IdParam, jsonResponse, serviceContext } from "../common.ts";
import { GatewayGroup, gatewayGroupOut } from "./gateway-groups.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/gateway-groups/{id}",
  operationId: "getGatewayGroup",
  tags: ["gateway-groups"],
  summary: "Get a gateway group",
  request: { params: IdParam },
  responses: { 200: jsonResponse(GatewayGroup, "The gatewayGroup"), ...errorResponses },
});

export const permission = "gateways:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const gatewayGroup = await getGatewayGroup({ ctx: serviceContext(c), id: c.req.valid("param").id });
    return c.json(gatewayGroupOut(gatewayGroup), 200);
  });
}
