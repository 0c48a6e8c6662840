// The audit events of one gateway session, in the order they happened: every decision the data plane recorded
// for calls made with the session's token (allowed, denied, held, errored), with the policies that decided it,
// read from the signed records the nodes shipped. `streams` names the audit streams the events are in, so a
// client can verify exactly those (GET /api/v1/audit/verify?streamId=…). Keyset-paged on (at, stream, seq).
import { and, asc, eq, gt, inArray, or, type SQL } from "drizzle-orm";
import { auditEvents, gatewaySessions, policies } from "../db/schema.ts";
import type { ServiceContext } from "./context.ts";
import { ApiError, invalidField } from "./errors.ts";
import { authorize } from "./rbac.ts";

export interface SessionEvent {
  id: string;
  at: Date;
  kind: string;
  streamId: string;
  eventSeq: number;
  tool: string | null;
  agent: string | null;
  operator: string | null;
  decision: string | null;
  outcome: string | null;
  code: string | null;
  reason: string | null;
  /** The policies whose match decided the outcome (name: null when the policy has since been deleted for good). */
  policies: { id: string; name: string | null }[];
  /** How many policies were evaluated for the call. */
  evaluated: number | null;
  /** Shadow policies that matched. */
  shadowMatched: string[];
  argsSha256: string | null;
  upstreamStatus: number | null;
  latencyUs: number | null;
  protocol: string | null;
}

export interface SessionEventsPage {
  items: SessionEvent[];
  streams: string[];
  nextCursor: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function encodeCursor(e: { at: Date; streamId: string; eventSeq: number }): string {
  return Buffer.from(`${e.at.toISOString()}|${e.streamId}|${e.eventSeq}`).toString("base64url");
}

function decodeCursor(cursor: string): { at: Date; streamId: string; eventSeq: number } {
  const [at, streamId, seq] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const date = at ? new Date(at) : undefined;
  const eventSeq = Number(seq);
  if (!date || Number.isNaN(date.getTime()) || !streamId || !/^[0-9a-f-]{36}$/.test(streamId) || !(eventSeq >= 0)) {
    throw invalidField("query.cursor", "expected the nextCursor of a previous page");
  }
  return { at: date, streamId, eventSeq };
}

export async function listSessionEvents({
  ctx,
  sessionId,
  limit,
  cursor,
}: {
  ctx: ServiceContext;
  sessionId: string;
  limit: number;
  cursor?: string | undefined;
}): Promise<SessionEventsPage> {
  authorize(ctx.actor, "audit:read");
  const after = cursor ? decodeCursor(cursor) : undefined;
  const [session] = await ctx.db
    .select({ id: gatewaySessions.id })
    .from(gatewaySessions)
    .where(eq(gatewaySessions.id, sessionId));
  if (!session) throw new ApiError("not_found", `session ${sessionId} does not exist`);
  const conditions: (SQL | undefined)[] = [
    eq(auditEvents.sessionId, sessionId),
    after
      ? or(
          gt(auditEvents.at, after.at),
          and(eq(auditEvents.at, after.at), gt(auditEvents.streamId, after.streamId)),
          and(
            eq(auditEvents.at, after.at),
            eq(auditEvents.streamId, after.streamId),
            gt(auditEvents.eventSeq, after.eventSeq),
          ),
        )
      : undefined,
  ];
  const rows = await ctx.db
    .select()
    .from(auditEvents)
    .where(and(...conditions))
    .orderBy(asc(auditEvents.at), asc(auditEvents.streamId), asc(auditEvents.eventSeq))
    .limit(limit + 1);
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const records = page.map((row) => {
    try {
      const parsed = JSON.parse(row.record) as unknown;
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // The stored bytes are what the node signed; `audit verify` reports them if they do not parse.
    }
    return {} as Record<string, unknown>;
  });
  // Events name policies by id; people read names.
  const policyIds = [...new Set(records.flatMap((r) => strings(r.policies)))].filter((id) => UUID.test(id));
  const names = new Map(
    policyIds.length === 0
      ? []
      : (
          await ctx.db
            .select({ id: policies.id, name: policies.name })
            .from(policies)
            .where(inArray(policies.id, policyIds))
        ).map((p) => [p.id, p.name]),
  );
  const items = page.map((row, i): SessionEvent => {
    const record = records[i] as Record<string, unknown>;
    const shadow = record.shadow as { matched?: unknown } | undefined;
    return {
      id: row.id,
      at: row.at,
      kind: row.kind,
      streamId: row.streamId,
      eventSeq: row.eventSeq,
      tool: row.tool,
      agent: row.agentId,
      operator: row.operatorSub,
      decision: row.decision,
      outcome: row.outcome,
      code: str(record.code),
      reason: str(record.reason),
      policies: strings(record.policies).map((id) => ({ id, name: names.get(id) ?? null })),
      evaluated: num(record.evaluated),
      shadowMatched: strings(shadow?.matched),
      argsSha256: str(record.args_sha256),
      upstreamStatus: num(record.upstream_status),
      latencyUs: row.latencyUs,
      protocol: str(record.protocol),
    };
  });
  const last = page[page.length - 1];
  return {
    items,
    streams: [...new Set(items.map((e) => e.streamId))].sort(),
    nextCursor: more && last ? encodeCursor(last) : null,
  };
}
