// POST /api/v1/upstreams: register an MCP server, HTTP API or A2A agent that tools live on.
import { createRoute } from "@hono/zod-openapi";
import { createUpstream } from "../../services/upstreams.ts";
import { type ApiApp, errorResponses, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { Upstream, UpstreamInput, upstreamOut } from "./upstreams.schemas.ts";

export const route = createRoute({
  method: "post",
  path: "/api/v1/upstreams",
  operationId: "createUpstream",
  tags: ["upstreams"],
  summary: "Register an upstream",
  description:
    "Registers where tools live. An optional `credential` is encrypted at rest, injected by the data plane, and " +
    "never returned: responses only say that one is set.",
  request: jsonBody(UpstreamInput),
  responses: { 201: jsonResponse(Upstream, "The new upstream"), ...errorResponses },
});

export const permission = "upstreams:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const upstream = await createUpstream({ ctx: serviceContext(c), input: c.req.valid("json") });
    return c.json(upstreamOut(upstream), 201);
  });
}
