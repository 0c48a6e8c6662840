// POST /api/v1/tools: register a tool on an upstream and pin its definition.
import { createRoute } from "@hono/zod-openapi";
import { createTool } from "../../services/tools.ts";
import { type ApiApp, errorResponses, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { Tool, ToolInput, toolOut } from "./tools.schemas.ts";

export const route = createRoute({
  method: "post",
  path: "/api/v1/tools",
  operationId: "createTool",
  tags: ["tools"],
  summary: "Register a tool",
  description:
    "Registers a tool on an upstream and pins the hash of its definition (name, description, input schema, " +
    "annotations). Tools on HTTP upstreams need an `http` mapping; tools on other upstreams refuse one.",
  request: jsonBody(ToolInput),
  responses: { 201: jsonResponse(Tool, "The new tool"), ...errorResponses },
});

export const permission = "tools:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const tool = await createTool({ ctx: serviceContext(c), input: c.req.valid("json") });
    return c.json(toolOut(tool), 201);
  });
}
