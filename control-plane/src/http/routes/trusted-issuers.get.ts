// GET /api/v1/trusted-issuers/{id}: one trusted issuer.
import { createRoute } from "@hono/zod-openapi";
import { getTrustedIssuer } from "../../services/trusted-issuers.ts";
import { type ApiApp, errorResponses, IdParam, jsonResponse, serviceContext } from "../common.ts";
import { TrustedIssuer, trustedIssuerOut } from "./trusted-issuers.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/trusted-issuers/{id}",
  operationId: "getTrustedIssuer",
  tags: ["trusted-issuers"],
  summary: "Get a trusted issuer",
  request: { params: IdParam },
  responses: { 200: jsonResponse(TrustedIssuer, "The trusted issuer"), ...errorResponses },
});

export const permission = "issuers:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const issuer = await getTrustedIssuer({ ctx: serviceContext(c), id: c.req.valid("param").id });
    return c.json(trustedIssuerOut(issuer), 200);
  });
}
