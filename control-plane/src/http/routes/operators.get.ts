// GET /api/v1/operators/{id}: one operator.
import { createRoute } from "@hono/zod-openapi";
import { getOperator } from "../../services/operators.ts";
import { type ApiApp, errorResponses, IdParam, jsonResponse, serviceContext } from "../common.ts";
import { Operator, operatorOut } from "./operators.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/operators/{id}",
  operationId: "getOperator",
  tags: ["operators"],
  summary: "Get an operator",
  request: { params: IdParam },
  responses: { 200: jsonResponse(Operator, "The operator"), ...errorResponses },
});

export const permission = "operators:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const operator = await getOperator({ ctx: serviceContext(c), id: c.req.valid("param").id });
    return c.json(operatorOut(operator), 200);
  });
}
