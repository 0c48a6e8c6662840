// The console's overview figures: decisions over a recent window in time buckets (allow / deny / approval), the
// most denied tools and the busiest agents in that window, node health and audit lag. Only aggregates: no
// arguments, operators or sessions, so every role that may see the gateway's nodes may see them.
import { and, eq, gte, lt, sql } from "drizzle-orm";
import { rowsOf } from "../db/client.ts";
import { auditEvents } from "../db/schema.ts";
import type { ServiceContext } from "./context.ts";
import { listNodes } from "./nodes.ts";
import { authorize } from "./rbac.ts";

export type Verdict = "allow" | "deny" | "approval";

export interface Overview {
  window: { from: Date; to: Date; minutes: number; bucketSeconds: number };
  series: { at: Date; allow: number; deny: number; approval: number }[];
  totals: { allow: number; deny: number; approval: number };
  topDeniedTools: { tool: string; count: number }[];
  topAgents: { agent: string; calls: number; denied: number }[];
  nodes: { total: number; ready: number; stale: number; disconnected: number };
  audit: { maxLagMs: number | null; spoolDepth: number; lastEventAt: Date | null };
}

/**
 * How a decision event counts: the policy decision when there is one, otherwise the outcome (`ok` is an allow,
 * `approval_required` an approval, anything else — unknown tool, refused session, bad input — a deny).
 */
const verdictSql = sql<Verdict>`case
  when ${auditEvents.decision} = 'allow' then 'allow'
  when ${auditEvents.decision} = 'require_approval' or ${auditEvents.outcome} = 'approval_required' then 'approval'
  when ${auditEvents.decision} is null and ${auditEvents.outcome} = 'ok' then 'allow'
  else 'deny' end`;

const TOP = 5;

export async function overview({ ctx, minutes }: { ctx: ServiceContext; minutes: number }): Promise<Overview> {
  authorize(ctx.actor, "gateways:read");
  const to = ctx.clock();
  // About 60 bars whatever the window: one a minute for an hour, one every 24 minutes for a day.
  const bucketSeconds = Math.ceil(minutes / 60) * 60;
  const end = Math.ceil(to.getTime() / 1000 / bucketSeconds) * bucketSeconds;
  const start = end - Math.ceil((minutes * 60) / bucketSeconds) * bucketSeconds;
  const from = new Date(start * 1000);
  const inWindow = and(
    eq(auditEvents.kind, "decision"),
    gte(auditEvents.at, from),
    lt(auditEvents.at, new Date(end * 1000)),
  );

  const bucket = sql<number>`floor(extract(epoch from ${auditEvents.at}) / ${bucketSeconds})::bigint`;
  const counted = await ctx.db
    .select({ bucket, verdict: verdictSql, n: sql<number>`count(*)::int` })
    .from(auditEvents)
    .where(inWindow)
    .groupBy(sql`1`, sql`2`);
  const series: Overview["series"] = [];
  for (let s = start; s < end; s += bucketSeconds)
    series.push({ at: new Date(s * 1000), allow: 0, deny: 0, approval: 0 });
  const totals = { allow: 0, deny: 0, approval: 0 };
  for (const row of counted) {
    const slot = series[Number(row.bucket) - start / bucketSeconds];
    if (!slot) continue;
    slot[row.verdict] += Number(row.n);
    totals[row.verdict] += Number(row.n);
  }

  const denied = await ctx.db
    .select({ tool: auditEvents.tool, count: sql<number>`count(*)::int` })
    .from(auditEvents)
    .where(and(inWindow, sql`${verdictSql} = 'deny'`, sql`${auditEvents.tool} is not null`))
    .groupBy(auditEvents.tool)
    .orderBy(sql`count(*) desc`, auditEvents.tool)
    .limit(TOP);
  const agents = await ctx.db
    .select({
      agent: auditEvents.agentId,
      calls: sql<number>`count(*)::int`,
      denied: sql<number>`count(*) filter (where ${verdictSql} = 'deny')::int`,
    })
    .from(auditEvents)
    .where(and(inWindow, sql`${auditEvents.agentId} is not null`))
    .groupBy(auditEvents.agentId)
    .orderBy(sql`count(*) desc`, auditEvents.agentId)
    .limit(TOP);

  const nodes = await listNodes({ ctx, includeRevoked: false });
  const [last] = rowsOf<{ at: string | Date | null }>(
    await ctx.db.execute(sql`select max(at) as at from audit_events`),
  );
  const lags = nodes.filter((n) => n.online && n.auditLagMs !== null).map((n) => n.auditLagMs as number);
  return {
    window: { from, to: new Date(end * 1000), minutes, bucketSeconds },
    series,
    totals,
    topDeniedTools: denied.map((d) => ({ tool: d.tool as string, count: Number(d.count) })),
    topAgents: agents.map((a) => ({ agent: a.agent as string, calls: Number(a.calls), denied: Number(a.denied) })),
    nodes: {
      total: nodes.length,
      ready: nodes.filter((n) => n.online && n.inSync).length,
      stale: nodes.filter((n) => n.online && !n.inSync).length,
      disconnected: nodes.filter((n) => !n.online).length,
    },
    audit: {
      maxLagMs: lags.length ? Math.max(...lags) : null,
      spoolDepth: nodes.reduce((sum, n) => sum + (n.online ? n.spoolDepth : 0), 0),
      lastEventAt: last?.at ? new Date(last.at) : null,
    },
  };
}
