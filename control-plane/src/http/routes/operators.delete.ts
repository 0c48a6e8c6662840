// DELETE /api/v1/operators/{id}: remove an operator's directory record.
import { createRoute } from "@hono/zod-openapi";
import { deleteOperator } from "../../services/operators.ts";
import { type ApiApp, errorResponses, IdParam, serviceContext } from "../common.ts";

export const route = createRoute({
  method: "delete",
  path: "/api/v1/operators/{id}",
  operationId: "deleteOperator",
  tags: ["operators"],
  summary: "Delete an operator",
  description: "Past sessions and audit events keep the operator's subject; only the directory record goes.",
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...errorResponses },
});

export const permission = "operators:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    await deleteOperator({ ctx: serviceContext(c), id: c.req.valid("param").id });
    return c.body(null, 204);
  });
}
