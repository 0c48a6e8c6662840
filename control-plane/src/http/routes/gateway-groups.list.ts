// GET /api/v1/gateway-groups: gateway groups, filtered and paged.
import { createRoute } from "@hono/zod-openapi";
import { listGatewayGroups } from "../../services/gateway-groups.ts";
import { type ApiApp, errorResponses, jsonResponse, PageQuery, serviceContext } from "../common.ts";
import { GatewayGroupPage, GatewayGroupQuery, gatewayGroupOut } from "./gateway-groups.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/gateway-groups",
  operationId: "listGatewayGroups",
  tags: ["gateway-groups"],
  summary: "List gateway groups",
  description: "Gateway groups in creation order; `q` searches the name.",
  request: { query: PageQuery.extend(GatewayGroupQuery) },
  responses: { 200: jsonResponse(GatewayGroupPage, "A page of gateway groups"), ...errorResponses },
});

export const permission = "gateways:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const page = await listGatewayGroups({ ctx: serviceContext(c), filter: c.req.valid("query") });
    return c.json({ items: page.items.map(gatewayGroupOut), nextCursor: page.nextCursor }, 200);
  });
}
