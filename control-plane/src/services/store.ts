// Small storage verbs shared by every entity service: one transaction per mutation with its admin-audit row,
// lookups that answer 404, keyset pages, and mapping of constraint violations to clear API errors.
import { and, asc, desc, eq, gt, lt, type SQL, sql } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Db, Tx } from "../db/client.ts";
import { type AdminAuditEntry, recordAdminAction } from "./admin-audit.ts";
import type { ServiceContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import { authorize, type Permission } from "./rbac.ts";

/** Runs `change` in one transaction after checking the permission, and records its admin-audit row there. */
export async function mutate<T>(
  ctx: ServiceContext,
  permission: Permission,
  change: (tx: Tx) => Promise<{ result: T; audit: AdminAuditEntry }>,
  onConflict?: string,
): Promise<T> {
  authorize(ctx.actor, permission);
  try {
    return await ctx.db.transaction(async (tx) => {
      const { result, audit } = await change(tx);
      await recordAdminAction(tx, ctx, audit);
      return result;
    });
  } catch (err) {
    throw translateDbError(err, onConflict);
  }
}

/** Postgres constraint violations become 409/400 with a human message; anything else is rethrown as is. */
export function translateDbError(err: unknown, onConflict = "an object with the same name already exists"): unknown {
  if (err instanceof ApiError) return err;
  const code = pgCode(err);
  if (code === "23505") return new ApiError("conflict", onConflict);
  if (code === "23503")
    return new ApiError("conflict", "it is still referenced by other objects, or refers to one that does not exist");
  return err;
}

function pgCode(err: unknown): string | undefined {
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

export async function firstOr404<T>(rows: Promise<T[]>, what: string, id: string): Promise<T> {
  const [row] = await rows;
  if (!row) throw new ApiError("not_found", `${what} ${id} does not exist`);
  return row;
}

/** The row of `table` with this id, or a 404 that names `what`. */
export function rowById<T extends PgTable & { id: PgColumn }>(
  db: Db | Tx,
  table: T,
  what: string,
  id: string,
): Promise<T["$inferSelect"]> {
  return firstOr404(
    db
      .select()
      .from(table as PgTable)
      .where(eq(table.id, id)),
    what,
    id,
  ) as Promise<T["$inferSelect"]>;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** One keyset page ordered by the UUIDv7 id column: creation order, or newest first with `order: "desc"`. */
export async function keysetPage<T extends { id: string }>(
  db: Db | Tx,
  table: PgTable,
  idColumn: PgColumn,
  filters: (SQL | undefined)[],
  limit: number,
  cursor: string | undefined,
  order: "asc" | "desc" = "asc",
): Promise<Page<T>> {
  const after = order === "asc" ? gt : lt;
  const where = and(...filters, cursor ? after(idColumn, cursor) : undefined);
  const rows = (await db
    .select()
    .from(table)
    .where(where)
    .orderBy(order === "asc" ? asc(idColumn) : desc(idColumn))
    .limit(limit + 1)) as T[];
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items, nextCursor: more ? (items[items.length - 1]?.id ?? null) : null };
}

/** Escapes LIKE wildcards so a search for `50%` means the text "50%". */
export function likeContains(q: string): string {
  return `%${q.replaceAll(/[\\%_]/g, (m) => `\\${m}`)}%`;
}

/** `key=value` (or just `key`) against a jsonb labels column. */
export function labelFilter(labels: PgColumn, label: string): SQL {
  const [key, value] = label.split("=", 2) as [string, string | undefined];
  return value === undefined ? sql`${labels} ? ${key}` : sql`${labels} @> ${JSON.stringify({ [key]: value })}::jsonb`;
}
