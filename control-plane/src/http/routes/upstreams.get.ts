// GET /api/v1/upstreams/{id}: one upstream.
import { createRoute } from "@hono/zod-openapi";
import { getUpstream } from "../../services/upstreams.ts";
import { type ApiApp, errorResponses, IdParam, jsonResponse, serviceContext } from "../common.ts";
import { Upstream, upstreamOut } from "./upstreams.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/upstreams/{id}",
  operationId: "getUpstream",
  tags: ["upstreams"],
  summary: "Get an upstream",
  request: { params: IdParam },
  responses: { 200: jsonResponse(Upstream, "The upstream"), ...errorResponses },
});

export const permission = "upstreams:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const upstream = await getUpstream({ ctx: serviceContext(c), id: c.req.valid("param").id });
    return c.json(upstreamOut(upstream), 200);
  });
}
