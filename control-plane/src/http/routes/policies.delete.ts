// DELETE /api/v1/policies/{id}: retire a policy. Its versions stay as the record of what was enforced.
import { createRoute } from "@hono/zod-openapi";
import { deletePolicy } from "../../services/policies.ts";
import { type ApiApp, errorResponses, IdParam, serviceContext } from "../common.ts";

export const route = createRoute({
  method: "delete",
  path: "/api/v1/policies/{id}",
  operationId: "deletePolicy",
  tags: ["policies"],
  summary: "Delete a policy",
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...errorResponses },
});

export const permission = "policies:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    await deletePolicy({ ctx: serviceContext(c), id: c.req.valid("param").id });
    return c.body(null, 204);
  });
}
