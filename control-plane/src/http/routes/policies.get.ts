// GET /api/v1/policies/{id}: a policy at its current version.
import { createRoute } from "@hono/zod-openapi";
import { getPolicy } from "../../services/policies.ts";
import { type ApiApp, errorResponses, IdParam, jsonResponse, serviceContext } from "../common.ts";
import { Policy, policyOut } from "./policies.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/policies/{id}",
  operationId: "getPolicy",
  tags: ["policies"],
  summary: "Get a policy",
  request: { params: IdParam },
  responses: { 200: jsonResponse(Policy, "The policy"), ...errorResponses },
});

export const permission = "policies:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const policy = await getPolicy({ ctx: serviceContext(c), id: c.req.valid("param").id });
    return c.json(policyOut(policy), 200);
  });
}
