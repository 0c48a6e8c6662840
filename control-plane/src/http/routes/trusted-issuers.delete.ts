// DELETE /api/v1/trusted-issuers/{id}: stop trusting an issuer.
import { createRoute } from "@hono/zod-openapi";
import { deleteTrustedIssuer } from "../../services/trusted-issuers.ts";
import { type ApiApp, errorResponses, IdParam, serviceContext } from "../common.ts";

export const route = createRoute({
  method: "delete",
  path: "/api/v1/trusted-issuers/{id}",
  operationId: "deleteTrustedIssuer",
  tags: ["trusted-issuers"],
  summary: "Delete a trusted issuer",
  description: "Token exchange stops accepting its tokens at once; sessions already open run until they expire.",
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...errorResponses },
});

export const permission = "issuers:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    await deleteTrustedIssuer({ ctx: serviceContext(c), id: c.req.valid("param").id });
    return c.body(null, 204);
  });
}
