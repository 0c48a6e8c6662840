// Gateway groups: sets of data-plane nodes that share one configuration (and one snapshot stream). A group
// cannot be deleted while nodes are enrolled in it; its bootstrap tokens and snapshots go with it.
import { count, eq, ilike } from "drizzle-orm";
import { dpNodes, gatewayGroups } from "../db/schema.ts";
import { uuidv7 } from "../lib/ids.ts";
import { definedOnly } from "./agents.ts";
import type { Deps, ServiceContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import { authorize } from "./rbac.ts";
import { keysetPage, likeContains, mutate, type Page, rowById } from "./store.ts";

export type GatewayGroupRow = typeof gatewayGroups.$inferSelect;

export interface GatewayGroupInput {
  name: string;
  description?: string | undefined;
  settings?: Record<string, unknown> | undefined;
}

export interface GatewayGroupFilter {
  q?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

const duplicateName = (name: string | undefined) => `a gateway group named "${name}" already exists`;

export async function listGatewayGroups({
  ctx,
  filter,
}: {
  ctx: ServiceContext;
  filter: GatewayGroupFilter;
}): Promise<Page<GatewayGroupRow>> {
  authorize(ctx.actor, "gateways:read");
  return keysetPage<GatewayGroupRow>(
    ctx.db,
    gatewayGroups,
    gatewayGroups.id,
    [filter.q ? ilike(gatewayGroups.name, likeContains(filter.q)) : undefined],
    filter.limit,
    filter.cursor,
  );
}

export async function getGatewayGroup({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<GatewayGroupRow> {
  authorize(ctx.actor, "gateways:read");
  return rowById(ctx.db, gatewayGroups, "gateway group", id);
}

export async function createGatewayGroup({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: GatewayGroupInput;
}): Promise<GatewayGroupRow> {
  return mutate(
    ctx,
    "gateways:write",
    async (tx) => {
      const now = ctx.clock();
      const [row] = await tx
        .insert(gatewayGroups)
        .values({
          id: uuidv7(),
          name: input.name,
          description: input.description ?? "",
          settings: input.settings ?? {},
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const group = row as GatewayGroupRow;
      return {
        result: group,
        audit: { action: "gateway_group.create", targetType: "gateway_group", targetId: group.id, after: group },
      };
    },
    duplicateName(input.name),
  );
}

export async function updateGatewayGroup({
  ctx,
  id,
  input,
}: {
  ctx: ServiceContext;
  id: string;
  input: Partial<GatewayGroupInput>;
}): Promise<GatewayGroupRow> {
  return mutate(
    ctx,
    "gateways:write",
    async (tx) => {
      const before = await rowById(tx, gatewayGroups, "gateway group", id);
      const [row] = await tx
        .update(gatewayGroups)
        .set({ ...definedOnly(input), updatedAt: ctx.clock() })
        .where(eq(gatewayGroups.id, id))
        .returning();
      const after = row as GatewayGroupRow;
      return {
        result: after,
        audit: { action: "gateway_group.update", targetType: "gateway_group", targetId: id, before, after },
      };
    },
    duplicateName(input.name),
  );
}

export async function deleteGatewayGroup({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<void> {
  await mutate(ctx, "gateways:write", async (tx) => {
    const before = await rowById(tx, gatewayGroups, "gateway group", id);
    const [nodes] = await tx.select({ n: count() }).from(dpNodes).where(eq(dpNodes.groupId, id));
    const n = nodes?.n ?? 0;
    if (n > 0) {
      throw new ApiError(
        "conflict",
        `gateway group "${before.name}" still has ${n} data-plane node${n === 1 ? "" : "s"}; remove its nodes before deleting the group`,
      );
    }
    await tx.delete(gatewayGroups).where(eq(gatewayGroups.id, id));
    return {
      result: undefined,
      audit: { action: "gateway_group.delete", targetType: "gateway_group", targetId: id, before },
    };
  });
}

/** On first start there is one group, `default`, so a node can be enrolled without any setup. */
export async function ensureDefaultGroup(deps: Deps): Promise<void> {
  const existing = await deps.db.select({ id: gatewayGroups.id }).from(gatewayGroups).limit(1);
  if (existing.length > 0) return;
  const ctx: ServiceContext = {
    ...deps,
    actor: { type: "system", id: "bootstrap", name: "system", role: "admin" },
    requestId: "startup",
  };
  await createGatewayGroup({ ctx, input: { name: "default", description: "Created on first start" } }).catch((err) => {
    // Another replica created it first.
    if (!(err instanceof ApiError && err.code === "conflict")) throw err;
  });
}
