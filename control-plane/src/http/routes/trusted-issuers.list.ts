// GET /api/v1/trusted-issuers: the identity providers whose operator tokens are accepted.
import { createRoute } from "@hono/zod-openapi";
import { listTrustedIssuers } from "../../services/trusted-issuers.ts";
import { type ApiApp, errorResponses, jsonResponse, PageQuery, serviceContext } from "../common.ts";
import { TrustedIssuerPage, TrustedIssuerQuery, trustedIssuerOut } from "./trusted-issuers.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/trusted-issuers",
  operationId: "listTrustedIssuers",
  tags: ["trusted-issuers"],
  summary: "List trusted issuers",
  description: "Trusted issuers in creation order; `q` searches name and issuer.",
  request: { query: PageQuery.extend(TrustedIssuerQuery) },
  responses: { 200: jsonResponse(TrustedIssuerPage, "A page of trusted issuers"), ...errorResponses },
});

export const permission = "issuers:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const page = await listTrustedIssuers({ ctx: serviceContext(c), filter: c.req.valid("query") });
    return c.json({ items: page.items.map(trustedIssuerOut), nextCursor: page.nextCursor }, 200);
  });
}
