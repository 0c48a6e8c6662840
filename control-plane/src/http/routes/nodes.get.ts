// GET /api/v1/nodes/{id}: one node's status.
import { createRoute } from "@hono/zod-openapi";
import { getNode } from "../../services/nodes.ts";
import { type ApiApp, errorResponses, IdParam, jsonResponse, serviceContext } from "../common.ts";
import { Node, nodeOut } from "./nodes.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/nodes/{id}",
  operationId: "getNode",
  tags: ["nodes"],
  summary: "Get a data-plane node",
  request: { params: IdParam },
  responses: { 200: jsonResponse(Node, "The node"), ...errorResponses },
});

export const permission = "gateways:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) =>
    c.json(nodeOut(await getNode({ ctx: serviceContext(c), id: c.req.valid("param").id })), 200),
  );
}
