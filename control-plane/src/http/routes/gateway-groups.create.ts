// POST /api/v1/gateway-groups: create a group of data-plane nodes that share one configuration.
import { createRoute } from "@hono/zod-openapi";
import { createGatewayGroup } from "../../services/gateway-groups.ts";
import { type ApiApp, errorResponses, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { GatewayGroup, GatewayGroupInput, gatewayGroupOut } from "./gateway-groups.schemas.ts";

export const route = createRoute({
  method: "post",
  path: "/api/v1/gateway-groups",
  operationId: "createGatewayGroup",
  tags: ["gateway-groups"],
  summary: "Create a gateway group",
  description: "A group's nodes share one configuration; nodes enroll into a group with a bootstrap token.",
  request: jsonBody(GatewayGroupInput),
  responses: { 201: jsonResponse(GatewayGroup, "The new gatewayGroup"), ...errorResponses },
});

export const permission = "gateways:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const gatewayGroup = await createGatewayGroup({ ctx: serviceContext(c), input: c.req.valid("json") });
    return c.json(gatewayGroupOut(gatewayGroup), 201);
  });
}
