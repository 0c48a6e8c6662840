// Data-plane nodes as platform teams see them: bootstrap tokens to enroll new ones (one-time, expiring, shown
// once, stored hashed), the status each node reports over its config stream, and revocation, which closes the
// node's streams on every replica and refuses its audit from then on.
import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import { rowsOf } from "../db/client.ts";
import { bootstrapTokens, dpNodes, gatewayGroups, nodeKeys } from "../db/schema.ts";
import { randomToken, uuidv7 } from "../lib/ids.ts";
import { sha256Hex } from "../lib/secrets.ts";
import type { ServiceContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import { authorize } from "./rbac.ts";
import { firstOr404, mutate } from "./store.ts";

export type NodeRow = typeof dpNodes.$inferSelect;

/** A node counts as connected when its stream is open and it was heard from recently. */
export const CONNECTED_WITHIN_MS = 45_000;

export interface NodeStatus extends NodeRow {
  online: boolean;
  inSync: boolean;
  currentVersion: number | null;
  groupName: string;
}

export const BOOTSTRAP_TOKEN_PREFIX = "pc_bt_";

export async function createBootstrapToken({
  ctx,
  groupId,
  expiresInMinutes,
}: {
  ctx: ServiceContext;
  groupId: string;
  expiresInMinutes: number;
}): Promise<{ id: string; token: string; expiresAt: Date; groupId: string }> {
  return mutate(ctx, "gateways:write", async (tx) => {
    await firstOr404(
      tx.select({ id: gatewayGroups.id }).from(gatewayGroups).where(eq(gatewayGroups.id, groupId)),
      "gateway group",
      groupId,
    );
    const token = randomToken(BOOTSTRAP_TOKEN_PREFIX, 32);
    const now = ctx.clock();
    const expiresAt = new Date(now.getTime() + expiresInMinutes * 60_000);
    const id = uuidv7();
    await tx
      .insert(bootstrapTokens)
      .values({ id, groupId, tokenHash: sha256Hex(token), createdBy: ctx.actor.name, createdAt: now, expiresAt });
    return {
      result: { id, token, expiresAt, groupId },
      audit: {
        action: "bootstrap_token.create",
        targetType: "gateway_group",
        targetId: groupId,
        after: { id, expiresAt },
      },
    };
  });
}

async function withStatus(ctx: ServiceContext, rows: { node: NodeRow; groupName: string }[]): Promise<NodeStatus[]> {
  const now = ctx.clock().getTime();
  const latest = new Map<string, number | null>();
  for (const { node } of rows) {
    if (latest.has(node.groupId)) continue;
    const [v] = rowsOf<{ v: string | null }>(
      await ctx.db.execute(sql`select max(version) as v from config_versions where group_id = ${node.groupId}`),
    );
    latest.set(node.groupId, v?.v ? Number(v.v) : null);
  }
  return rows.map(({ node, groupName }) => {
    const online =
      node.connected &&
      !node.revokedAt &&
      node.lastSeenAt !== null &&
      now - node.lastSeenAt.getTime() < CONNECTED_WITHIN_MS;
    const currentVersion = latest.get(node.groupId) ?? null;
    return {
      ...node,
      groupName,
      online,
      currentVersion,
      inSync: currentVersion !== null && node.servingVersion === currentVersion,
    };
  });
}

export async function listNodes({
  ctx,
  groupId,
  includeRevoked,
}: {
  ctx: ServiceContext;
  groupId?: string | undefined;
  includeRevoked: boolean;
}) {
  authorize(ctx.actor, "gateways:read");
  const rows = await ctx.db
    .select({ node: dpNodes, groupName: gatewayGroups.name })
    .from(dpNodes)
    .innerJoin(gatewayGroups, eq(gatewayGroups.id, dpNodes.groupId))
    .where(
      and(groupId ? eq(dpNodes.groupId, groupId) : undefined, includeRevoked ? undefined : isNull(dpNodes.revokedAt)),
    )
    .orderBy(asc(dpNodes.id));
  return withStatus(ctx, rows);
}

export async function getNode({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<NodeStatus> {
  authorize(ctx.actor, "gateways:read");
  const row = await firstOr404(
    ctx.db
      .select({ node: dpNodes, groupName: gatewayGroups.name })
      .from(dpNodes)
      .innerJoin(gatewayGroups, eq(gatewayGroups.id, dpNodes.groupId))
      .where(eq(dpNodes.id, id)),
    "node",
    id,
  );
  return (await withStatus(ctx, [row]))[0] as NodeStatus;
}

/** Revokes a node: its keys stop authenticating at once; every replica closes its streams (NOTIFY). */
export async function revokeNode({
  ctx,
  id,
  reason,
}: {
  ctx: ServiceContext;
  id: string;
  reason: string;
}): Promise<void> {
  await mutate(ctx, "gateways:write", async (tx) => {
    const before = await firstOr404(tx.select().from(dpNodes).where(eq(dpNodes.id, id)), "node", id);
    if (before.revokedAt) throw new ApiError("conflict", `node ${id} is already revoked`);
    const now = ctx.clock();
    await tx.update(dpNodes).set({ revokedAt: now, connected: false }).where(eq(dpNodes.id, id));
    await tx
      .update(nodeKeys)
      .set({ revokedAt: now })
      .where(and(eq(nodeKeys.nodeId, id), isNull(nodeKeys.revokedAt)));
    await tx.execute(sql`select pg_notify('portcullis_node_revoked', ${id})`);
    return {
      result: undefined,
      audit: {
        action: "node.revoke",
        targetType: "node",
        targetId: id,
        before: { name: before.name, groupId: before.groupId },
        details: { reason },
      },
    };
  });
}

export async function pendingBootstrapTokens({ ctx, groupId }: { ctx: ServiceContext; groupId: string }) {
  authorize(ctx.actor, "gateways:read");
  return ctx.db
    .select({
      id: bootstrapTokens.id,
      createdBy: bootstrapTokens.createdBy,
      createdAt: bootstrapTokens.createdAt,
      expiresAt: bootstrapTokens.expiresAt,
    })
    .from(bootstrapTokens)
    .where(
      and(
        eq(bootstrapTokens.groupId, groupId),
        isNull(bootstrapTokens.usedAt),
        gt(bootstrapTokens.expiresAt, ctx.clock()),
      ),
    );
}
