// The admin-audit trail: every mutation writes one row (actor, `entity.verb`, target, before/after hashes,
// request id) inside the same transaction as the change, so a change and its record commit or fail together.

import type { Tx } from "../db/client.ts";
import { adminAuditLog } from "../db/schema.ts";
import { uuidv7 } from "../lib/ids.ts";
import { sha256Hex } from "../lib/secrets.ts";
import type { ServiceContext } from "./context.ts";

/** A stable hash of an entity's state (secret fields must be removed by the caller). */
export function stateHash(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return sha256Hex(stableJson(value));
}

function stableJson(v: unknown): string {
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Buffer.isBuffer(v)) return JSON.stringify(`bytes:${sha256Hex(v)}`);
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

export interface AdminAuditEntry {
  action: string;
  targetType: string;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
  details?: Record<string, unknown>;
}

export async function recordAdminAction(tx: Tx, ctx: ServiceContext, entry: AdminAuditEntry): Promise<void> {
  await tx.insert(adminAuditLog).values({
    id: uuidv7(),
    at: ctx.clock(),
    actorType: ctx.actor.type,
    actorId: ctx.actor.id,
    actorName: ctx.actor.name,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    beforeHash: stateHash(entry.before),
    afterHash: stateHash(entry.after),
    requestId: ctx.requestId,
    details: entry.details ?? {},
  });
}
