// GET /api/v1/nodes: data-plane nodes with their live status.
import { createRoute, z } from "@hono/zod-openapi";
import { listNodes } from "../../services/nodes.ts";
import { type ApiApp, errorResponses, jsonResponse, serviceContext } from "../common.ts";
import { Node, nodeOut } from "./nodes.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/nodes",
  operationId: "listNodes",
  tags: ["nodes"],
  summary: "List data-plane nodes",
  request: {
    query: z.object({
      groupId: z.uuid({ message: "expected a gateway group id" }).optional(),
      includeRevoked: z
        .enum(["true", "false"])
        .default("false")
        .transform((v) => v === "true"),
    }),
  },
  responses: { 200: jsonResponse(z.object({ items: z.array(Node) }).openapi("NodeList"), "Nodes"), ...errorResponses },
});

export const permission = "gateways:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const { groupId, includeRevoked } = c.req.valid("query");
    const nodes = await listNodes({ ctx: serviceContext(c), groupId, includeRevoked });
    return c.json({ items: nodes.map(nodeOut) }, 200);
  });
}
