// POST /api/v1/trusted-issuers: trust an identity provider's operator tokens for token exchange.
import { createRoute } from "@hono/zod-openapi";
import { createTrustedIssuer } from "../../services/trusted-issuers.ts";
import { type ApiApp, errorResponses, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { TrustedIssuer, TrustedIssuerInput, trustedIssuerOut } from "./trusted-issuers.schemas.ts";

export const route = createRoute({
  method: "post",
  path: "/api/v1/trusted-issuers",
  operationId: "createTrustedIssuer",
  tags: ["trusted-issuers"],
  summary: "Create a trusted issuer",
  description:
    "Gives the issuer's `iss`, one key source (`jwksUrl`, or `staticJwks` with public keys only), an optional " +
    "required audience and a claim mapping. JWKS URLs pointing to link-local or metadata addresses are refused.",
  request: jsonBody(TrustedIssuerInput),
  responses: { 201: jsonResponse(TrustedIssuer, "The new trusted issuer"), ...errorResponses },
});

export const permission = "issuers:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const issuer = await createTrustedIssuer({ ctx: serviceContext(c), input: c.req.valid("json") });
    return c.json(trustedIssuerOut(issuer), 201);
  });
}
