// GET /api/v1/policies: policies at their current version, filtered and paged.
import { createRoute, z } from "@hono/zod-openapi";
import { listPolicies } from "../../services/policies.ts";
import { type ApiApp, errorResponses, jsonResponse, PageQuery, serviceContext } from "../common.ts";
import { PolicyPage, policyOut } from "./policies.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/policies",
  operationId: "listPolicies",
  tags: ["policies"],
  summary: "List policies",
  request: {
    query: PageQuery.extend({
      q: z.string().max(200).optional().openapi({ description: "Name contains" }),
      mode: z.enum(["enforce", "shadow"]).optional(),
      effect: z.enum(["allow", "deny", "require_approval"]).optional(),
    }),
  },
  responses: { 200: jsonResponse(PolicyPage, "A page of policies"), ...errorResponses },
});

export const permission = "policies:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const page = await listPolicies({ ctx: serviceContext(c), filter: c.req.valid("query") });
    return c.json({ items: page.items.map(policyOut), nextCursor: page.nextCursor }, 200);
  });
}
