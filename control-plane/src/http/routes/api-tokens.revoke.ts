// DELETE /api/v1/api-tokens/{id}: revoke an API token; it is refused from the next request on.
import { createRoute } from "@hono/zod-openapi";
import { revokeApiToken } from "../../services/api-tokens.ts";
import { type ApiApp, errorResponses, IdParam, serviceContext } from "../common.ts";

export const route = createRoute({
  method: "delete",
  path: "/api/v1/api-tokens/{id}",
  operationId: "revokeApiToken",
  tags: ["api-tokens"],
  summary: "Revoke an API token",
  description: "The token stops working at once. The record stays, listed with `includeRevoked=true`.",
  request: { params: IdParam },
  responses: { 204: { description: "Revoked" }, ...errorResponses },
});

export const permission = "tokens:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    await revokeApiToken({ ctx: serviceContext(c), id: c.req.valid("param").id });
    return c.body(null, 204);
  });
}
