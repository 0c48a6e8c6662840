// POST /api/v1/agents: register an agent.
import { createRoute } from "@hono/zod-openapi";
import { createAgent } from "../../services/agents.ts";
import { type ApiApp, errorResponses, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { Agent, AgentInput, agentOut } from "./agents.schemas.ts";

export const route = createRoute({
  method: "post",
  path: "/api/v1/agents",
  operationId: "createAgent",
  tags: ["agents"],
  summary: "Register an agent",
  request: jsonBody(AgentInput),
  responses: { 201: jsonResponse(Agent, "The new agent"), ...errorResponses },
});

export const permission = "agents:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const agent = await createAgent({ ctx: serviceContext(c), input: c.req.valid("json") });
    return c.json(agentOut(agent), 201);
  });
}
