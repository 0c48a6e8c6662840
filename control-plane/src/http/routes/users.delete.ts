// DELETE /api/v1/users/{id}: remove a console user and end their sessions.
import { createRoute } from "@hono/zod-openapi";
import { deleteUser } from "../../services/users.ts";
import { type ApiApp, errorResponses, IdParam, serviceContext } from "../common.ts";

export const route = createRoute({
  method: "delete",
  path: "/api/v1/users/{id}",
  operationId: "deleteUser",
  tags: ["users"],
  summary: "Delete a console user",
  description: "Refused with 409 for your own account and for the last enabled admin.",
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...errorResponses },
});

export const permission = "users:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    await deleteUser({ ctx: serviceContext(c), id: c.req.valid("param").id });
    return c.body(null, 204);
  });
}
