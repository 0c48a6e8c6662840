// POST /api/v1/policies: create a policy (version 1). It must compile, or nothing is saved.
import { createRoute } from "@hono/zod-openapi";
import { createPolicy } from "../../services/policies.ts";
import { type ApiApp, errorResponses, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { Policy, PolicyInput, policyOut } from "./policies.schemas.ts";

export const route = createRoute({
  method: "post",
  path: "/api/v1/policies",
  operationId: "createPolicy",
  tags: ["policies"],
  summary: "Create a policy",
  description:
    "Compiles the condition first: invalid CEL, unknown variables or type errors answer 400 `invalid_policy` with line and column, and no version is created.",
  request: jsonBody(PolicyInput),
  responses: { 201: jsonResponse(Policy, "The new policy at version 1"), ...errorResponses },
});

export const permission = "policies:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const policy = await createPolicy({ ctx: serviceContext(c), input: c.req.valid("json") });
    return c.json(policyOut(policy), 201);
  });
}
