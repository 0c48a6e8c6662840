// PATCH /api/v1/upstreams/{id}: change an upstream, replace or clear its credential.
import { createRoute } from "@hono/zod-openapi";
import { updateUpstream } from "../../services/upstreams.ts";
import { type ApiApp, errorResponses, IdParam, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { Upstream, UpstreamPatch, upstreamOut } from "./upstreams.schemas.ts";

export const route = createRoute({
  method: "patch",
  path: "/api/v1/upstreams/{id}",
  operationId: "updateUpstream",
  tags: ["upstreams"],
  summary: "Update an upstream",
  description: "Changes only the fields sent. `credential`: an object replaces the stored secret, `null` removes it.",
  request: { params: IdParam, ...jsonBody(UpstreamPatch) },
  responses: { 200: jsonResponse(Upstream, "The updated upstream"), ...errorResponses },
});

export const permission = "upstreams:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const upstream = await updateUpstream({
      ctx: serviceContext(c),
      id: c.req.valid("param").id,
      input: c.req.valid("json"),
    });
    return c.json(upstreamOut(upstream), 200);
  });
}
