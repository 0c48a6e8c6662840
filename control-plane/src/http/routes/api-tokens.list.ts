// GET /api/v1/api-tokens: API tokens, newest first; never the tokens themselves.
import { createRoute } from "@hono/zod-openapi";
import { listApiTokens } from "../../services/api-tokens.ts";
import { type ApiApp, errorResponses, jsonResponse, PageQuery, serviceContext } from "../common.ts";
import { ApiTokenPage, ApiTokenQuery, apiTokenOut } from "./api-tokens.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/api-tokens",
  operationId: "listApiTokens",
  tags: ["api-tokens"],
  summary: "List API tokens",
  description:
    "Newest first. Shows each token's prefix, never the token; revoked ones only with `includeRevoked=true`.",
  request: { query: PageQuery.extend(ApiTokenQuery) },
  responses: { 200: jsonResponse(ApiTokenPage, "A page of API tokens"), ...errorResponses },
});

export const permission = "tokens:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const { includeRevoked, ...page } = c.req.valid("query");
    const tokens = await listApiTokens({
      ctx: serviceContext(c),
      filter: { ...page, includeRevoked: includeRevoked === "true" },
    });
    return c.json({ items: tokens.items.map(apiTokenOut), nextCursor: tokens.nextCursor }, 200);
  });
}
