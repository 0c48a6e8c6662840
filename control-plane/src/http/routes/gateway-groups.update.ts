// PATCH /api/v1/gateway-groups/{id}: rename a gateway group or change its settings.
import { createRoute } from "@hono/zod-openapi";
import { updateGatewayGroup } from "../../services/gateway-groups.ts";
import { type ApiApp, errorResponses, IdParam, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { GatewayGroup, GatewayGroupPatch, gatewayGroupOut } from "./gateway-groups.schemas.ts";

export const route = createRoute({
  method: "patch",
  path: "/api/v1/gateway-groups/{id}",
  operationId: "updateGatewayGroup",
  tags: ["gateway-groups"],
  summary: "Update a gateway group",
  description: "Changes only the fields sent.",
  request: { params: IdParam, ...jsonBody(GatewayGroupPatch) },
  responses: { 200: jsonResponse(GatewayGroup, "The updated gatewayGroup"), ...errorResponses },
});

export const permission = "gateways:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const gatewayGroup = await updateGatewayGroup({
      ctx: serviceContext(c),
      id: c.req.valid("param").id,
      input: c.req.valid("json"),
    });
    return c.json(gatewayGroupOut(gatewayGroup), 200);
  });
}
