// DELETE /api/v1/agents/{id}: remove an agent and its credentials.
import { createRoute } from "@hono/zod-openapi";
import { deleteAgent } from "../../services/agents.ts";
import { type ApiApp, errorResponses, IdParam, serviceContext } from "../common.ts";

export const route = createRoute({
  method: "delete",
  path: "/api/v1/agents/{id}",
  operationId: "deleteAgent",
  tags: ["agents"],
  summary: "Delete an agent",
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...errorResponses },
});

export const permission = "agents:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    await deleteAgent({ ctx: serviceContext(c), id: c.req.valid("param").id });
    return c.body(null, 204);
  });
}
