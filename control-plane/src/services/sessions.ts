// Gateway sessions as the console reads them: who (operator), which agent, the verified delegation, and when.
// Sessions are opened by the token service's token exchange, never through this API. Newest first, keyset-paged
// on (started_at, id) since session ids are random, not time-ordered.
import { and, desc, eq, gte, lt, or, type SQL } from "drizzle-orm";
import { agents, gatewaySessions } from "../db/schema.ts";
import type { ServiceContext } from "./context.ts";
import { ApiError, invalidField } from "./errors.ts";
import { authorize } from "./rbac.ts";
import type { Page } from "./store.ts";

export type GatewaySessionRow = typeof gatewaySessions.$inferSelect;
export interface SessionView extends GatewaySessionRow {
  agentName: string | null;
}

export interface SessionFilter {
  operator?: string | undefined;
  agentId?: string | undefined;
  /** ISO 8601 date-times on `started_at`: `from` inclusive, `to` exclusive. */
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

function encodeCursor(row: GatewaySessionRow): string {
  return Buffer.from(`${row.startedAt.toISOString()}|${row.id}`).toString("base64url");
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const date = at ? new Date(at) : undefined;
  if (!date || Number.isNaN(date.getTime()) || !id || !/^sess_[A-Za-z0-9_-]{1,64}$/.test(id)) {
    throw invalidField("query.cursor", "expected the nextCursor of a previous page");
  }
  return { at: date, id };
}

const selection = { session: gatewaySessions, agentName: agents.name };
const view = (r: { session: GatewaySessionRow; agentName: string | null }): SessionView => ({
  ...r.session,
  agentName: r.agentName,
});

export async function listSessions({
  ctx,
  filter,
}: {
  ctx: ServiceContext;
  filter: SessionFilter;
}): Promise<Page<SessionView>> {
  authorize(ctx.actor, "sessions:read");
  const from = filter.from ? new Date(filter.from) : undefined;
  const to = filter.to ? new Date(filter.to) : undefined;
  if (from && to && from > to) throw invalidField("query.from", "must not be later than query.to");
  const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
  const conditions: (SQL | undefined)[] = [
    filter.operator ? eq(gatewaySessions.operatorSub, filter.operator) : undefined,
    filter.agentId ? eq(gatewaySessions.agentId, filter.agentId) : undefined,
    from ? gte(gatewaySessions.startedAt, from) : undefined,
    to ? lt(gatewaySessions.startedAt, to) : undefined,
    after
      ? or(
          lt(gatewaySessions.startedAt, after.at),
          and(eq(gatewaySessions.startedAt, after.at), lt(gatewaySessions.id, after.id)),
        )
      : undefined,
  ];
  const rows = await ctx.db
    .select(selection)
    .from(gatewaySessions)
    .leftJoin(agents, eq(agents.id, gatewaySessions.agentId))
    .where(and(...conditions))
    .orderBy(desc(gatewaySessions.startedAt), desc(gatewaySessions.id))
    .limit(filter.limit + 1);
  const more = rows.length > filter.limit;
  const items = (more ? rows.slice(0, filter.limit) : rows).map(view);
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? encodeCursor(last) : null };
}

export async function getSession({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<SessionView> {
  authorize(ctx.actor, "sessions:read");
  const [row] = await ctx.db
    .select(selection)
    .from(gatewaySessions)
    .leftJoin(agents, eq(agents.id, gatewaySessions.agentId))
    .where(eq(gatewaySessions.id, id));
  if (!row) throw new ApiError("not_found", `session ${id} does not exist`);
  return view(row);
}
