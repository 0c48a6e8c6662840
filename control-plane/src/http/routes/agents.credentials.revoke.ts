// DELETE /api/v1/agents/{id}/credentials/{credentialId}: revoke a client credential.
import { createRoute, z } from "@hono/zod-openapi";
import { revokeAgentCredential } from "../../services/agents.ts";
import { type ApiApp, errorResponses, IdParam, serviceContext } from "../common.ts";

export const route = createRoute({
  method: "delete",
  path: "/api/v1/agents/{id}/credentials/{credentialId}",
  operationId: "revokeAgentCredential",
  tags: ["agents"],
  summary: "Revoke an agent credential",
  request: {
    params: IdParam.extend({
      credentialId: z.uuid({ message: "expected a UUID" }).openapi({ param: { name: "credentialId", in: "path" } }),
    }),
  },
  responses: { 204: { description: "Revoked" }, ...errorResponses },
});

export const permission = "agents:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const { id, credentialId } = c.req.valid("param");
    await revokeAgentCredential({ ctx: serviceContext(c), agentId: id, credentialId });
    return c.body(null, 204);
  });
}
