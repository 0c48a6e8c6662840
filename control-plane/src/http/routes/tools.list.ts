// GET /api/v1/tools: tools, filtered and paged.
import { createRoute } from "@hono/zod-openapi";
import { listTools } from "../../services/tools.ts";
import { type ApiApp, errorResponses, jsonResponse, PageQuery, serviceContext } from "../common.ts";
import { ToolPage, ToolQuery, toolOut } from "./tools.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/tools",
  operationId: "listTools",
  tags: ["tools"],
  summary: "List tools",
  description: "Tools in creation order; filter by upstream, status, name (`q`) or label.",
  request: { query: PageQuery.extend(ToolQuery) },
  responses: { 200: jsonResponse(ToolPage, "A page of tools"), ...errorResponses },
});

export const permission = "tools:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const page = await listTools({ ctx: serviceContext(c), filter: c.req.valid("query") });
    return c.json({ items: page.items.map(toolOut), nextCursor: page.nextCursor }, 200);
  });
}
