// POST /api/v1/agents/{id}/credentials: issue a client secret; it is shown in this response only.
import { createRoute, z } from "@hono/zod-openapi";
import { createAgentCredential } from "../../services/agents.ts";
import { type ApiApp, errorResponses, IdParam, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { AgentCredential, credentialOut } from "./agents.schemas.ts";

const Input = z
  .object({
    expiresInDays: z.number().int().min(1).max(3650).optional(),
    publicJwk: z
      .record(z.string(), z.unknown(), { error: "expected a JWK object" })
      .optional()
      .openapi({
        description:
          "For `private_key_jwt`: the agent's public key (RSA ≥ 2048 bits, EC P-256 or Ed25519). Without it a " +
          "client secret is issued",
        example: { kty: "OKP", crv: "Ed25519", x: "…" },
      }),
  })
  .strict()
  .openapi("AgentCredentialInput");

export const route = createRoute({
  method: "post",
  path: "/api/v1/agents/{id}/credentials",
  operationId: "createAgentCredential",
  tags: ["agents"],
  summary: "Issue a client credential for an agent",
  description:
    "A client secret (returned once and stored only as a digest; keep it safe), or a `private_key_jwt` " +
    "credential when `publicJwk` is given. Use it at `POST /oauth/token` (see docs/tokens.md).",
  request: { params: IdParam, ...jsonBody(Input) },
  responses: {
    201: jsonResponse(
      AgentCredential.extend({
        clientSecret: z.string().optional().openapi({ description: "Shown once; absent for private_key_jwt" }),
      }).openapi("AgentCredentialIssued"),
      "The credential, with its secret (if any) shown once",
    ),
    ...errorResponses,
  },
});

export const permission = "agents:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const { expiresInDays, publicJwk } = c.req.valid("json");
    const { credential, clientSecret } = await createAgentCredential({
      ctx: serviceContext(c),
      agentId: c.req.valid("param").id,
      expiresInDays,
      publicJwk,
    });
    return c.json({ ...credentialOut(credential), ...(clientSecret ? { clientSecret } : {}) }, 201);
  });
}
