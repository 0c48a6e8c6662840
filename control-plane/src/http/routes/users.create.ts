// POST /api/v1/users: create a console user with a role and an initial password.
import { createRoute } from "@hono/zod-openapi";
import { createUser } from "../../services/users.ts";
import { type ApiApp, errorResponses, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { User, UserInput, userOut } from "./users.schemas.ts";

export const route = createRoute({
  method: "post",
  path: "/api/v1/users",
  operationId: "createUser",
  tags: ["users"],
  summary: "Create a console user",
  description: "The password (at least 12 characters) is stored as a salted hash and never returned.",
  request: jsonBody(UserInput),
  responses: { 201: jsonResponse(User, "The new user"), ...errorResponses },
});

export const permission = "users:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const user = await createUser({ ctx: serviceContext(c), input: c.req.valid("json") });
    return c.json(userOut(user), 201);
  });
}
