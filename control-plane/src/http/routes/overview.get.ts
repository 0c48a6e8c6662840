// GET /api/v1/overview: the console's overview figures (decisions over time, top denied tools, nodes, audit lag).
import { createRoute, z } from "@hono/zod-openapi";
import { overview } from "../../services/overview.ts";
import { type ApiApp, errorResponses, jsonResponse, serviceContext, Timestamp } from "../common.ts";

const Counts = { allow: z.number().int(), deny: z.number().int(), approval: z.number().int() };

const Overview = z
  .object({
    window: z.object({ from: Timestamp, to: Timestamp, minutes: z.number().int(), bucketSeconds: z.number().int() }),
    series: z
      .array(z.object({ at: Timestamp, ...Counts }))
      .openapi({ description: "Decisions per bucket, oldest first; deny includes calls refused before policy" }),
    totals: z.object(Counts),
    topDeniedTools: z.array(z.object({ tool: z.string(), count: z.number().int() })),
    topAgents: z.array(z.object({ agent: z.string(), calls: z.number().int(), denied: z.number().int() })),
    nodes: z.object({
      total: z.number().int(),
      ready: z.number().int().openapi({ description: "Online and serving the group's current snapshot" }),
      stale: z.number().int().openapi({ description: "Online but serving an older snapshot" }),
      disconnected: z.number().int(),
    }),
    audit: z.object({
      maxLagMs: z.number().int().nullable().openapi({ description: "The largest audit lag an online node reports" }),
      spoolDepth: z.number().int().openapi({ description: "Events waiting in online nodes' spools" }),
      lastEventAt: Timestamp.nullable(),
    }),
  })
  .openapi("Overview");

export const route = createRoute({
  method: "get",
  path: "/api/v1/overview",
  operationId: "getOverview",
  tags: ["overview"],
  summary: "Figures for the console's overview",
  description: "Aggregates only (no arguments, operators or sessions): readable by every role that sees nodes.",
  request: {
    query: z.object({
      minutes: z.coerce
        .number({ error: "expected a number of minutes" })
        .int()
        .min(5)
        .max(10_080)
        .default(60)
        .openapi({ description: "The window, in minutes (5 to 10080 = a week)", example: 60 }),
    }),
  },
  responses: { 200: jsonResponse(Overview, "The figures"), ...errorResponses },
});

export const permission = "gateways:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const o = await overview({ ctx: serviceContext(c), minutes: c.req.valid("query").minutes });
    return c.json(
      {
        ...o,
        window: { ...o.window, from: o.window.from.toISOString(), to: o.window.to.toISOString() },
        series: o.series.map((s) => ({ ...s, at: s.at.toISOString() })),
        audit: { ...o.audit, lastEventAt: o.audit.lastEventAt?.toISOString() ?? null },
      },
      200,
    );
  });
}
