// PATCH /api/v1/agents/{id}: change an agent's fields.
import { createRoute } from "@hono/zod-openapi";
import { updateAgent } from "../../services/agents.ts";
import { type ApiApp, errorResponses, IdParam, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { Agent, AgentPatch, agentOut } from "./agents.schemas.ts";

export const route = createRoute({
  method: "patch",
  path: "/api/v1/agents/{id}",
  operationId: "updateAgent",
  tags: ["agents"],
  summary: "Update an agent",
  request: { params: IdParam, ...jsonBody(AgentPatch) },
  responses: { 200: jsonResponse(Agent, "The updated agent"), ...errorResponses },
});

export const permission = "agents:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const agent = await updateAgent({
      ctx: serviceContext(c),
      id: c.req.valid("param").id,
      input: c.req.valid("json"),
    });
    return c.json(agentOut(agent), 200);
  });
}
