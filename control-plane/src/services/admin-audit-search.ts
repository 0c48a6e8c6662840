// Reading the admin-audit trail: who changed what, newest first, filtered by action, actor, target and time.
// (Kept apart from admin-audit.ts, which store.ts imports to write rows, so neither imports the other.)
import { eq, gte, lt } from "drizzle-orm";
import { adminAuditLog } from "../db/schema.ts";
import type { ServiceContext } from "./context.ts";
import { invalidField } from "./errors.ts";
import { authorize } from "./rbac.ts";
import { keysetPage, type Page } from "./store.ts";

export type AdminAuditRow = typeof adminAuditLog.$inferSelect;

export interface AdminAuditFilter {
  action?: string | undefined;
  actorId?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  /** ISO 8601 date-times: `from` inclusive, `to` exclusive. */
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export async function listAdminActions({
  ctx,
  filter,
}: {
  ctx: ServiceContext;
  filter: AdminAuditFilter;
}): Promise<Page<AdminAuditRow>> {
  authorize(ctx.actor, "admin-audit:read");
  const from = filter.from ? new Date(filter.from) : undefined;
  const to = filter.to ? new Date(filter.to) : undefined;
  if (from && to && from > to) {
    throw invalidField("query.from", "must not be later than query.to");
  }
  return keysetPage<AdminAuditRow>(
    ctx.db,
    adminAuditLog,
    adminAuditLog.id,
    [
      filter.action ? eq(adminAuditLog.action, filter.action) : undefined,
      filter.actorId ? eq(adminAuditLog.actorId, filter.actorId) : undefined,
      filter.targetType ? eq(adminAuditLog.targetType, filter.targetType) : undefined,
      filter.targetId ? eq(adminAuditLog.targetId, filter.targetId) : undefined,
      from ? gte(adminAuditLog.at, from) : undefined,
      to ? lt(adminAuditLog.at, to) : undefined,
    ],
    filter.limit,
    filter.cursor,
    "desc",
  );
}
