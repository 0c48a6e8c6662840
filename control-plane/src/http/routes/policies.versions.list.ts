// GET /api/v1/policies/{id}/versions: every version of a policy, newest first.
import { createRoute, z } from "@hono/zod-openapi";
import { listPolicyVersions } from "../../services/policies.ts";
import { type ApiApp, errorResponses, IdParam, jsonResponse, serviceContext } from "../common.ts";
import { PolicyVersion, versionOut } from "./policies.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/policies/{id}/versions",
  operationId: "listPolicyVersions",
  tags: ["policies"],
  summary: "List a policy's versions",
  request: { params: IdParam },
  responses: {
    200: jsonResponse(z.object({ items: z.array(PolicyVersion) }), "Versions, newest first"),
    ...errorResponses,
  },
});

export const permission = "policies:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const versions = await listPolicyVersions({ ctx: serviceContext(c), id: c.req.valid("param").id });
    return c.json({ items: versions.map(versionOut) }, 200);
  });
}
