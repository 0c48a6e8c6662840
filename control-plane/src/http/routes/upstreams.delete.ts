// DELETE /api/v1/upstreams/{id}: remove an upstream and its tools.
import { createRoute } from "@hono/zod-openapi";
import { deleteUpstream } from "../../services/upstreams.ts";
import { type ApiApp, errorResponses, IdParam, serviceContext } from "../common.ts";

export const route = createRoute({
  method: "delete",
  path: "/api/v1/upstreams/{id}",
  operationId: "deleteUpstream",
  tags: ["upstreams"],
  summary: "Delete an upstream",
  description: "Also deletes the upstream's tools and its stored credential.",
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...errorResponses },
});

export const permission = "upstreams:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    await deleteUpstream({ ctx: serviceContext(c), id: c.req.valid("param").id });
    return c.body(null, 204);
  });
}
