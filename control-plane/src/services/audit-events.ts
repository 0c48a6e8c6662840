// Searching the data planes' audit events as stored by ingest: filters on the indexed columns (agent, operator,
// tool, session, decision, outcome, time) and on the reason code inside the signed record; newest first,
// keyset-paged on (at, id). Each event is read back from the exact record bytes the node signed, so what the
// console shows is what `audit verify` checks.
import { and, desc, eq, gte, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import { auditEvents, auditStreams, policies } from "../db/schema.ts";
import type { ServiceContext } from "./context.ts";
import { invalidField } from "./errors.ts";
import { authorize } from "./rbac.ts";
import type { Page } from "./store.ts";

export type AuditEventRow = typeof auditEvents.$inferSelect & { nodeId: string };

export interface AuditEventFilter {
  agent?: string | undefined;
  operator?: string | undefined;
  tool?: string | undefined;
  session?: string | undefined;
  decision?: string | undefined;
  outcome?: string | undefined;
  /** The reason code the node recorded (e.g. `denied_by_policy`): read from the signed record. */
  code?: string | undefined;
  /** ISO 8601 date-times on the event time: `from` inclusive, `to` exclusive. */
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** A stored event with the fields of its signed record the console shows. */
export interface AuditEventView {
  id: string;
  at: Date;
  kind: string;
  nodeId: string;
  streamId: string;
  batchSeq: number;
  eventSeq: number;
  sessionId: string | null;
  agent: string | null;
  operator: string | null;
  tool: string | null;
  decision: string | null;
  outcome: string | null;
  code: string | null;
  reason: string | null;
  protocol: string | null;
  /** The policies that decided the call, and every policy whose target and condition matched. */
  policiesDeciding: PolicyRef[];
  policiesMatched: PolicyRef[];
  policiesEvaluated: number | null;
  argsSha256: string | null;
  latencyUs: number | null;
  configVersion: number | null;
  /** The exact record bytes the node signed (canonical JSON). */
  record: string;
}

/** A policy as a record names it (its id), with its current name when it still exists. */
export interface PolicyRef {
  id: string;
  name: string | null;
}

export function encodeEventCursor(row: { at: Date; id: string }): string {
  return Buffer.from(`${row.at.toISOString()}|${row.id}`).toString("base64url");
}

function decodeEventCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const date = at ? new Date(at) : undefined;
  if (!date || Number.isNaN(date.getTime()) || !id || !/^[0-9a-f-]{36}$/.test(id)) {
    throw invalidField("query.cursor", "expected the nextCursor of a previous page");
  }
  return { at: date, id };
}

export function eventConditions(filter: Omit<AuditEventFilter, "limit" | "cursor">): (SQL | undefined)[] {
  const from = filter.from ? new Date(filter.from) : undefined;
  const to = filter.to ? new Date(filter.to) : undefined;
  if (from && to && from > to) throw invalidField("query.from", "must not be later than query.to");
  return [
    filter.agent ? eq(auditEvents.agentId, filter.agent) : undefined,
    filter.operator ? eq(auditEvents.operatorSub, filter.operator) : undefined,
    filter.tool ? eq(auditEvents.tool, filter.tool) : undefined,
    filter.session ? eq(auditEvents.sessionId, filter.session) : undefined,
    filter.decision ? eq(auditEvents.decision, filter.decision) : undefined,
    filter.outcome ? eq(auditEvents.outcome, filter.outcome) : undefined,
    filter.code ? sql`(${auditEvents.record}::jsonb ->> 'code') = ${filter.code}` : undefined,
    from ? gte(auditEvents.at, from) : undefined,
    to ? lt(auditEvents.at, to) : undefined,
  ];
}

export async function searchAuditEvents({
  ctx,
  filter,
}: {
  ctx: ServiceContext;
  filter: AuditEventFilter;
}): Promise<Page<AuditEventView>> {
  authorize(ctx.actor, "audit:read");
  const after = filter.cursor ? decodeEventCursor(filter.cursor) : undefined;
  const conditions = [
    ...eventConditions(filter),
    after
      ? or(lt(auditEvents.at, after.at), and(eq(auditEvents.at, after.at), lt(auditEvents.id, after.id)))
      : undefined,
  ];
  const rows = await ctx.db
    .select({ event: auditEvents, nodeId: auditStreams.nodeId })
    .from(auditEvents)
    .innerJoin(auditStreams, eq(auditStreams.id, auditEvents.streamId))
    .where(and(...conditions))
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(filter.limit + 1);
  const more = rows.length > filter.limit;
  const items = await eventViews(
    ctx,
    (more ? rows.slice(0, filter.limit) : rows).map((r) => ({ ...r.event, nodeId: r.nodeId })),
  );
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? encodeEventCursor(last) : null };
}

/** Every event the filter matches, newest first, a page at a time (for streamed exports). */
export async function* allAuditEvents(
  ctx: ServiceContext,
  filter: Omit<AuditEventFilter, "limit" | "cursor">,
  pageSize = 500,
): AsyncGenerator<AuditEventView> {
  let cursor: string | undefined;
  do {
    const page = await searchAuditEvents({ ctx, filter: { ...filter, limit: pageSize, cursor } });
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

const str = (v: unknown) => (typeof v === "string" ? v : null);

/** Events as the console shows them, with the names of the policies their records cite. */
export async function eventViews(ctx: ServiceContext, rows: AuditEventRow[]): Promise<AuditEventView[]> {
  const views = rows.map(eventView);
  const ids = [...new Set(views.flatMap((v) => [...v.policiesDeciding, ...v.policiesMatched].map((p) => p.id)))];
  const uuids = ids.filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id));
  if (uuids.length === 0) return views;
  const names = new Map(
    (
      await ctx.db.select({ id: policies.id, name: policies.name }).from(policies).where(inArray(policies.id, uuids))
    ).map((p) => [p.id, p.name]),
  );
  const named = (refs: PolicyRef[]) => refs.map((p) => ({ id: p.id, name: names.get(p.id) ?? null }));
  return views.map((v) => ({
    ...v,
    policiesDeciding: named(v.policiesDeciding),
    policiesMatched: named(v.policiesMatched),
  }));
}

function eventView(row: AuditEventRow): AuditEventView {
  let r: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(row.record) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) r = parsed as Record<string, unknown>;
  } catch {
    // A record that does not parse is shown by its columns; `audit verify` reports it as modified.
  }
  const refs = (v: unknown): PolicyRef[] =>
    Array.isArray(v) ? v.filter((m): m is string => typeof m === "string").map((id) => ({ id, name: null })) : [];
  return {
    id: row.id,
    at: row.at,
    kind: row.kind,
    nodeId: row.nodeId,
    streamId: row.streamId,
    batchSeq: row.batchSeq,
    eventSeq: row.eventSeq,
    sessionId: row.sessionId,
    agent: row.agentId,
    operator: row.operatorSub,
    tool: row.tool,
    decision: row.decision,
    outcome: row.outcome,
    code: str(r.code),
    reason: str(r.reason),
    protocol: str(r.protocol),
    policiesDeciding: refs(r.policies),
    policiesMatched: refs(r.matched),
    policiesEvaluated: typeof r.evaluated === "number" ? r.evaluated : null,
    argsSha256: str(r.args_sha256),
    latencyUs: row.latencyUs,
    configVersion: typeof r.config_version === "number" ? r.config_version : null,
    record: row.record,
  };
}
