// GET /api/v1/users: console users, filtered and paged.
import { createRoute } from "@hono/zod-openapi";
import { listUsers } from "../../services/users.ts";
import { type ApiApp, errorResponses, jsonResponse, PageQuery, serviceContext } from "../common.ts";
import { UserPage, UserQuery, userOut } from "./users.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/users",
  operationId: "listUsers",
  tags: ["users"],
  summary: "List console users",
  description: "Console users in creation order; `q` searches email and display name.",
  request: { query: PageQuery.extend(UserQuery) },
  responses: { 200: jsonResponse(UserPage, "A page of users"), ...errorResponses },
});

export const permission = "users:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const page = await listUsers({ ctx: serviceContext(c), filter: c.req.valid("query") });
    return c.json({ items: page.items.map(userOut), nextCursor: page.nextCursor }, 200);
  });
}
