// PATCH /api/v1/tools/{id}: change a tool; a changed definition is re-pinned.
import { createRoute } from "@hono/zod-openapi";
import { updateTool } from "../../services/tools.ts";
import { type ApiApp, errorResponses, IdParam, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { Tool, ToolPatch, toolOut } from "./tools.schemas.ts";

export const route = createRoute({
  method: "patch",
  path: "/api/v1/tools/{id}",
  operationId: "updateTool",
  tags: ["tools"],
  summary: "Update a tool",
  description:
    "Changes only the fields sent. Changing the name, description, input schema or annotations re-pins the " +
    "definition's hash: an administrator's edit approves the new definition.",
  request: { params: IdParam, ...jsonBody(ToolPatch) },
  responses: { 200: jsonResponse(Tool, "The updated tool"), ...errorResponses },
});

export const permission = "tools:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const tool = await updateTool({
      ctx: serviceContext(c),
      id: c.req.valid("param").id,
      input: c.req.valid("json"),
    });
    return c.json(toolOut(tool), 200);
  });
}
