// GET /api/v1/policies/{id}/versions/{version}: one immutable version.
import { createRoute } from "@hono/zod-openapi";
import { getPolicyVersion } from "../../services/policies.ts";
import { type ApiApp, errorResponses, jsonResponse, serviceContext } from "../common.ts";
import { PolicyVersion, VersionParams, versionOut } from "./policies.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/policies/{id}/versions/{version}",
  operationId: "getPolicyVersion",
  tags: ["policies"],
  summary: "Get one version of a policy",
  request: { params: VersionParams },
  responses: { 200: jsonResponse(PolicyVersion, "The version"), ...errorResponses },
});

export const permission = "policies:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const { id, version } = c.req.valid("param");
    return c.json(versionOut(await getPolicyVersion({ ctx: serviceContext(c), id, version })), 200);
  });
}
