// GET /api/v1/users/{id}: one console user (never their password hash).
import { createRoute } from "@hono/zod-openapi";
import { getUser } from "../../services/users.ts";
import { type ApiApp, errorResponses, IdParam, jsonResponse, serviceContext } from "../common.ts";
import { User, userOut } from "./users.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/users/{id}",
  operationId: "getUser",
  tags: ["users"],
  summary: "Get a console user",
  request: { params: IdParam },
  responses: { 200: jsonResponse(User, "The user"), ...errorResponses },
});

export const permission = "users:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const user = await getUser({ ctx: serviceContext(c), id: c.req.valid("param").id });
    return c.json(userOut(user), 200);
  });
}
