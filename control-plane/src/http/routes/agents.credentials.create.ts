// POST /api/v1/agents/{id}/credentials: issue a client secret; it is shown in this response only.
import { createRoute, z } from "@hono/zod-openapi";
import { createAgentCredential } from "../../services/agents.ts";
import { type ApiApp, errorResponses, IdParam, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { AgentCredential, credentialOut } from "./agents.schemas.ts";

const Input = z
  .object({ expiresInDays: z.number().int().min(1).max(3650).optional() })
  .strict()
  .openapi("AgentCredentialInput");

export const route = createRoute({
  method: "post",
  path: "/api/v1/agents/{id}/credentials",
  operationId: "createAgentCredential",
  tags: ["agents"],
  summary: "Issue a client secret for an agent",
  description: "The secret is returned once and stored only as a digest; keep it safe.",
  request: { params: IdParam, ...jsonBody(Input) },
  responses: {
    201: jsonResponse(
      AgentCredential.extend({ clientSecret: z.string() }).openapi("AgentCredentialIssued"),
      "The credential, with its secret shown once",
    ),
    ...errorResponses,
  },
});

export const permission = "agents:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const { credential, clientSecret } = await createAgentCredential({
      ctx: serviceContext(c),
      agentId: c.req.valid("param").id,
      expiresInDays: c.req.valid("json").expiresInDays,
    });
    return c.json({ ...credentialOut(credential), clientSecret }, 201);
  });
}
