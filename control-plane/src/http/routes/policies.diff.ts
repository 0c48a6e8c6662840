// GET /api/v1/policies/{id}/diff?from=&to=: what changed between two versions, field by field, with a line
// diff of the condition for side-by-side display.
import { createRoute, z } from "@hono/zod-openapi";
import { diffPolicyVersions } from "../../services/policies.ts";
import { type ApiApp, errorResponses, IdParam, jsonResponse, serviceContext } from "../common.ts";
import { PolicyVersion, versionOut } from "./policies.schemas.ts";

const PolicyDiff = z
  .object({
    from: PolicyVersion,
    to: PolicyVersion,
    changes: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })),
    conditionDiff: z.array(z.object({ value: z.string(), added: z.boolean(), removed: z.boolean() })),
  })
  .openapi("PolicyDiff");

const versionNo = z.coerce.number().int().positive("expected a version number ≥ 1");

export const route = createRoute({
  method: "get",
  path: "/api/v1/policies/{id}/diff",
  operationId: "diffPolicyVersions",
  tags: ["policies"],
  summary: "Diff two versions of a policy",
  request: { params: IdParam, query: z.object({ from: versionNo, to: versionNo }) },
  responses: { 200: jsonResponse(PolicyDiff, "The differences"), ...errorResponses },
});

export const permission = "policies:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const { from, to } = c.req.valid("query");
    const d = await diffPolicyVersions({ ctx: serviceContext(c), id: c.req.valid("param").id, from, to });
    return c.json({ ...d, from: versionOut(d.from), to: versionOut(d.to) }, 200);
  });
}
