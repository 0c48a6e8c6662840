// PATCH /api/v1/users/{id}: change a console user's details, role, password or disabled flag.
import { createRoute } from "@hono/zod-openapi";
import { updateUser } from "../../services/users.ts";
import { type ApiApp, errorResponses, IdParam, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { User, UserPatch, userOut } from "./users.schemas.ts";

export const route = createRoute({
  method: "patch",
  path: "/api/v1/users/{id}",
  operationId: "updateUser",
  tags: ["users"],
  summary: "Update a console user",
  description:
    "Changes only the fields sent. A new password, role or disabled flag ends the user's console sessions. " +
    "Demoting or disabling the last enabled admin is refused with 409.",
  request: { params: IdParam, ...jsonBody(UserPatch) },
  responses: { 200: jsonResponse(User, "The updated user"), ...errorResponses },
});

export const permission = "users:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const user = await updateUser({
      ctx: serviceContext(c),
      id: c.req.valid("param").id,
      input: c.req.valid("json"),
    });
    return c.json(userOut(user), 200);
  });
}
