// GET /api/v1/operators: operators, filtered and paged.
import { createRoute } from "@hono/zod-openapi";
import { listOperators } from "../../services/operators.ts";
import { type ApiApp, errorResponses, jsonResponse, PageQuery, serviceContext } from "../common.ts";
import { OperatorPage, OperatorQuery, operatorOut } from "./operators.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/operators",
  operationId: "listOperators",
  tags: ["operators"],
  summary: "List operators",
  description: "Operators in creation order; `q` searches email and subject.",
  request: { query: PageQuery.extend(OperatorQuery) },
  responses: { 200: jsonResponse(OperatorPage, "A page of operators"), ...errorResponses },
});

export const permission = "operators:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const page = await listOperators({ ctx: serviceContext(c), filter: c.req.valid("query") });
    return c.json({ items: page.items.map(operatorOut), nextCursor: page.nextCursor }, 200);
  });
}
