// DELETE /api/v1/tools/{id}: remove a tool from the catalog.
import { createRoute } from "@hono/zod-openapi";
import { deleteTool } from "../../services/tools.ts";
import { type ApiApp, errorResponses, IdParam, serviceContext } from "../common.ts";

export const route = createRoute({
  method: "delete",
  path: "/api/v1/tools/{id}",
  operationId: "deleteTool",
  tags: ["tools"],
  summary: "Delete a tool",
  description: "Policies that name the tool keep their text; the tool is simply no longer served.",
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...errorResponses },
});

export const permission = "tools:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    await deleteTool({ ctx: serviceContext(c), id: c.req.valid("param").id });
    return c.body(null, 204);
  });
}
