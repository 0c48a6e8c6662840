// POST /api/v1/api-tokens: mint an API token for automation; the token is in this response only.
import { createRoute } from "@hono/zod-openapi";
import { createApiToken } from "../../services/api-tokens.ts";
import { type ApiApp, errorResponses, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { ApiTokenCreated, ApiTokenInput, apiTokenOut } from "./api-tokens.schemas.ts";

export const route = createRoute({
  method: "post",
  path: "/api/v1/api-tokens",
  operationId: "createApiToken",
  tags: ["api-tokens"],
  summary: "Create an API token",
  description:
    "Mints a token that acts with one role. The `token` field is returned once and stored only as a digest: " +
    "send it as `Authorization: Bearer …`.",
  request: jsonBody(ApiTokenInput),
  responses: { 201: jsonResponse(ApiTokenCreated, "The token, shown once"), ...errorResponses },
});

export const permission = "tokens:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const { row, token } = await createApiToken({ ctx: serviceContext(c), input: c.req.valid("json") });
    return c.json({ ...apiTokenOut(row), token }, 201);
  });
}
