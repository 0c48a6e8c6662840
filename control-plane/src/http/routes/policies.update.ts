// PATCH /api/v1/policies/{id}: change a policy; creates a new immutable version.
import { createRoute } from "@hono/zod-openapi";
import { updatePolicy } from "../../services/policies.ts";
import { type ApiApp, errorResponses, IdParam, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { Policy, PolicyPatch, policyOut } from "./policies.schemas.ts";

export const route = createRoute({
  method: "patch",
  path: "/api/v1/policies/{id}",
  operationId: "updatePolicy",
  tags: ["policies"],
  summary: "Update a policy (new version)",
  description:
    "Fields not sent keep their current value. The result must compile; otherwise 400 `invalid_policy` and no version is created.",
  request: { params: IdParam, ...jsonBody(PolicyPatch) },
  responses: { 200: jsonResponse(Policy, "The policy at its new version"), ...errorResponses },
});

export const permission = "policies:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const policy = await updatePolicy({
      ctx: serviceContext(c),
      id: c.req.valid("param").id,
      input: c.req.valid("json"),
    });
    return c.json(policyOut(policy), 200);
  });
}
