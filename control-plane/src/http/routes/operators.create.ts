// POST /api/v1/operators: record an operator and their directory attributes.
import { createRoute } from "@hono/zod-openapi";
import { createOperator } from "../../services/operators.ts";
import { type ApiApp, errorResponses, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { Operator, OperatorInput, operatorOut } from "./operators.schemas.ts";

export const route = createRoute({
  method: "post",
  path: "/api/v1/operators",
  operationId: "createOperator",
  tags: ["operators"],
  summary: "Create an operator",
  description:
    "Records a person agents act for, with the attributes policies read as `operator.*`. The subject is unique.",
  request: jsonBody(OperatorInput),
  responses: { 201: jsonResponse(Operator, "The new operator"), ...errorResponses },
});

export const permission = "operators:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const operator = await createOperator({ ctx: serviceContext(c), input: c.req.valid("json") });
    return c.json(operatorOut(operator), 201);
  });
}
