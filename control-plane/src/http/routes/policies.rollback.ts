// POST /api/v1/policies/{id}/rollback: a new version whose content equals an old one.
import { createRoute, z } from "@hono/zod-openapi";
import { rollbackPolicy } from "../../services/policies.ts";
import { type ApiApp, errorResponses, IdParam, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { Policy, policyOut } from "./policies.schemas.ts";

const Input = z
  .object({
    toVersion: z.number().int().positive("expected a version number ≥ 1"),
    comment: z.string().max(500).optional(),
  })
  .strict()
  .openapi("PolicyRollbackInput");

export const route = createRoute({
  method: "post",
  path: "/api/v1/policies/{id}/rollback",
  operationId: "rollbackPolicy",
  tags: ["policies"],
  summary: "Roll a policy back to an earlier version",
  description: "History is never rewritten: the rollback appends a new version equal to `toVersion`.",
  request: { params: IdParam, ...jsonBody(Input) },
  responses: { 200: jsonResponse(Policy, "The policy at its new version"), ...errorResponses },
});

export const permission = "policies:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const { toVersion, comment } = c.req.valid("json");
    const policy = await rollbackPolicy({ ctx: serviceContext(c), id: c.req.valid("param").id, toVersion, comment });
    return c.json(policyOut(policy), 200);
  });
}
