// GET /api/v1/agents/{id}: one agent with its active credentials (ids only, never secrets).
import { createRoute } from "@hono/zod-openapi";
import { getAgent } from "../../services/agents.ts";
import { type ApiApp, errorResponses, IdParam, jsonResponse, serviceContext } from "../common.ts";
import { AgentDetail, agentOut, credentialOut } from "./agents.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/agents/{id}",
  operationId: "getAgent",
  tags: ["agents"],
  summary: "Get an agent",
  request: { params: IdParam },
  responses: { 200: jsonResponse(AgentDetail, "The agent"), ...errorResponses },
});

export const permission = "agents:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const { agent, credentials } = await getAgent({ ctx: serviceContext(c), id: c.req.valid("param").id });
    return c.json({ ...agentOut(agent), credentials: credentials.map(credentialOut) }, 200);
  });
}
