// GET /api/v1/agents: agents, filtered and paged.
import { createRoute, z } from "@hono/zod-openapi";
import { listAgents } from "../../services/agents.ts";
import { type ApiApp, errorResponses, jsonResponse, PageQuery, serviceContext } from "../common.ts";
import { AgentPage, agentOut } from "./agents.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/agents",
  operationId: "listAgents",
  tags: ["agents"],
  summary: "List agents",
  request: {
    query: PageQuery.extend({
      q: z.string().max(200).optional().openapi({ description: "Name contains" }),
      trust: z.enum(["first_party", "third_party"]).optional(),
      owner: z.string().max(200).optional(),
      label: z.string().max(300).optional().openapi({ description: "`key` or `key=value`" }),
    }),
  },
  responses: { 200: jsonResponse(AgentPage, "A page of agents"), ...errorResponses },
});

export const permission = "agents:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const page = await listAgents({ ctx: serviceContext(c), filter: c.req.valid("query") });
    return c.json({ items: page.items.map(agentOut), nextCursor: page.nextCursor }, 200);
  });
}
