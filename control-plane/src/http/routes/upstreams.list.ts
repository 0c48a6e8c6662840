// GET /api/v1/upstreams: upstreams, filtered and paged.
import { createRoute } from "@hono/zod-openapi";
import { listUpstreams } from "../../services/upstreams.ts";
import { type ApiApp, errorResponses, jsonResponse, PageQuery, serviceContext } from "../common.ts";
import { UpstreamPage, UpstreamQuery, upstreamOut } from "./upstreams.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/upstreams",
  operationId: "listUpstreams",
  tags: ["upstreams"],
  summary: "List upstreams",
  description: "Upstreams in creation order; `q` searches name and URL. Credentials are never included.",
  request: { query: PageQuery.extend(UpstreamQuery) },
  responses: { 200: jsonResponse(UpstreamPage, "A page of upstreams"), ...errorResponses },
});

export const permission = "upstreams:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const page = await listUpstreams({ ctx: serviceContext(c), filter: c.req.valid("query") });
    return c.json({ items: page.items.map(upstreamOut), nextCursor: page.nextCursor }, 200);
  });
}
