// PATCH /api/v1/trusted-issuers/{id}: change a trusted issuer.
import { createRoute } from "@hono/zod-openapi";
import { updateTrustedIssuer } from "../../services/trusted-issuers.ts";
import { type ApiApp, errorResponses, IdParam, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { TrustedIssuer, TrustedIssuerPatch, trustedIssuerOut } from "./trusted-issuers.schemas.ts";

export const route = createRoute({
  method: "patch",
  path: "/api/v1/trusted-issuers/{id}",
  operationId: "updateTrustedIssuer",
  tags: ["trusted-issuers"],
  summary: "Update a trusted issuer",
  description:
    "Changes only the fields sent. To switch key source, send the new one and `null` for the other. " +
    "`enabled: false` stops token exchange with this issuer's tokens at once.",
  request: { params: IdParam, ...jsonBody(TrustedIssuerPatch) },
  responses: { 200: jsonResponse(TrustedIssuer, "The updated trusted issuer"), ...errorResponses },
});

export const permission = "issuers:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const issuer = await updateTrustedIssuer({
      ctx: serviceContext(c),
      id: c.req.valid("param").id,
      input: c.req.valid("json"),
    });
    return c.json(trustedIssuerOut(issuer), 200);
  });
}
