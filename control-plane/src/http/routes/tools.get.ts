// GET /api/v1/tools/{id}: one tool with its pinned definition hash.
import { createRoute } from "@hono/zod-openapi";
import { getTool } from "../../services/tools.ts";
import { type ApiApp, errorResponses, IdParam, jsonResponse, serviceContext } from "../common.ts";
import { Tool, toolOut } from "./tools.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/tools/{id}",
  operationId: "getTool",
  tags: ["tools"],
  summary: "Get a tool",
  request: { params: IdParam },
  responses: { 200: jsonResponse(Tool, "The tool"), ...errorResponses },
});

export const permission = "tools:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const tool = await getTool({ ctx: serviceContext(c), id: c.req.valid("param").id });
    return c.json(toolOut(tool), 200);
  });
}
