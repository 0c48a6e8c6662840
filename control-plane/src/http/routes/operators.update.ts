// PATCH /api/v1/operators/{id}: change an operator's attributes.
import { createRoute } from "@hono/zod-openapi";
import { updateOperator } from "../../services/operators.ts";
import { type ApiApp, errorResponses, IdParam, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { Operator, OperatorPatch, operatorOut } from "./operators.schemas.ts";

export const route = createRoute({
  method: "patch",
  path: "/api/v1/operators/{id}",
  operationId: "updateOperator",
  tags: ["operators"],
  summary: "Update an operator",
  description: "Changes only the fields sent; `null` clears department, manager or cost centre.",
  request: { params: IdParam, ...jsonBody(OperatorPatch) },
  responses: { 200: jsonResponse(Operator, "The updated operator"), ...errorResponses },
});

export const permission = "operators:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const operator = await updateOperator({
      ctx: serviceContext(c),
      id: c.req.valid("param").id,
      input: c.req.valid("json"),
    });
    return c.json(operatorOut(operator), 200);
  });
}
