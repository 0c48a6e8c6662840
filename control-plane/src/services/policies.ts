// Policies and their immutable versions. Saving compiles the policy with the shared policy engine first: a
// policy that does not compile is refused with the error's position and no version is created. Every change,
// including a rollback, appends a new version; old versions are never modified.

import { diffLines } from "diff";
import { and, asc, desc, eq, gt, ilike, isNull, type SQL } from "drizzle-orm";
import type { Tx } from "../db/client.ts";
import { policies, policyVersions } from "../db/schema.ts";
import { uuidv7 } from "../lib/ids.ts";
import { stateHash } from "./admin-audit.ts";
import type { ServiceContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import { checkPolicySource } from "./policy-check.ts";
import { authorize } from "./rbac.ts";
import { firstOr404, likeContains, mutate, type Page } from "./store.ts";

export type PolicyVersionRow = typeof policyVersions.$inferSelect;
export type PolicyRow = typeof policies.$inferSelect;

export interface PolicyContent {
  name: string;
  description: string;
  target: { agents: string[]; tools: string[] };
  effect: "allow" | "deny" | "require_approval";
  condition: string;
  mode: "enforce" | "shadow";
  priority: number;
  approvers: string;
}

export interface PolicyView {
  id: string;
  currentVersion: number;
  createdAt: Date;
  updatedAt: Date;
  version: PolicyVersionRow;
}

const CONTENT_FIELDS = [
  "name",
  "description",
  "target",
  "effect",
  "condition",
  "mode",
  "priority",
  "approvers",
] as const;

export function contentOf(v: PolicyContent): PolicyContent {
  return {
    name: v.name,
    description: v.description,
    target: v.target,
    effect: v.effect,
    condition: v.condition,
    mode: v.mode,
    priority: v.priority,
    approvers: v.approvers ?? "",
  };
}

function validate(content: PolicyContent, id?: string): void {
  const issues = checkPolicySource(content, id);
  if (issues.length > 0) {
    throw new ApiError(
      "invalid_policy",
      `the policy does not compile: ${issues.map((i) => `${i.field}${i.line ? ` ${i.line}:${i.column}` : ""}: ${i.message}`).join("; ")}`,
      issues,
    );
  }
}

async function insertVersion(
  tx: Tx,
  ctx: ServiceContext,
  policyId: string,
  version: number,
  content: PolicyContent,
  extra: { comment?: string | undefined; rolledBackFrom?: number | undefined },
): Promise<PolicyVersionRow> {
  const [row] = await tx
    .insert(policyVersions)
    .values({
      policyId,
      version,
      ...content,
      contentHash: stateHash(content) as string,
      comment: extra.comment ?? "",
      rolledBackFrom: extra.rolledBackFrom ?? null,
      createdBy: ctx.actor.name,
      createdAt: ctx.clock(),
    })
    .returning();
  return row as PolicyVersionRow;
}

export async function createPolicy({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: PolicyContent & { comment?: string | undefined };
}): Promise<PolicyView> {
  authorize(ctx.actor, "policies:write");
  const content = contentOf(input);
  validate(content);
  return mutate(
    ctx,
    "policies:write",
    async (tx) => {
      const id = uuidv7();
      const now = ctx.clock();
      const [p] = await tx
        .insert(policies)
        .values({ id, name: content.name, currentVersion: 1, createdAt: now, updatedAt: now })
        .returning();
      const version = await insertVersion(tx, ctx, id, 1, content, { comment: input.comment });
      const view = { ...(p as PolicyRow), version };
      return {
        result: view,
        audit: { action: "policy.create", targetType: "policy", targetId: id, after: content, details: { version: 1 } },
      };
    },
    `a policy named "${content.name}" already exists`,
  );
}

async function loadCurrent(tx: Tx | ServiceContext["db"], id: string): Promise<PolicyView> {
  const p = await firstOr404(
    tx
      .select()
      .from(policies)
      .where(and(eq(policies.id, id), isNull(policies.deletedAt))),
    "policy",
    id,
  );
  const version = await firstOr404(
    tx
      .select()
      .from(policyVersions)
      .where(and(eq(policyVersions.policyId, id), eq(policyVersions.version, p.currentVersion))),
    "policy version",
    `${id}@${p.currentVersion}`,
  );
  return { ...p, version };
}

export async function getPolicy({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<PolicyView> {
  authorize(ctx.actor, "policies:read");
  return loadCurrent(ctx.db, id);
}

export interface PolicyFilter {
  q?: string | undefined;
  mode?: "enforce" | "shadow" | undefined;
  effect?: "allow" | "deny" | "require_approval" | undefined;
  limit: number;
  cursor?: string | undefined;
}

export async function listPolicies({
  ctx,
  filter,
}: {
  ctx: ServiceContext;
  filter: PolicyFilter;
}): Promise<Page<PolicyView>> {
  authorize(ctx.actor, "policies:read");
  const where: (SQL | undefined)[] = [
    isNull(policies.deletedAt),
    filter.q ? ilike(policies.name, likeContains(filter.q)) : undefined,
    filter.mode ? eq(policyVersions.mode, filter.mode) : undefined,
    filter.effect ? eq(policyVersions.effect, filter.effect) : undefined,
  ];
  const rows = await ctx.db
    .select({ p: policies, v: policyVersions })
    .from(policies)
    .innerJoin(
      policyVersions,
      and(eq(policyVersions.policyId, policies.id), eq(policyVersions.version, policies.currentVersion)),
    )
    .where(and(...where, filter.cursor ? gt(policies.id, filter.cursor) : undefined))
    .orderBy(asc(policies.id))
    .limit(filter.limit + 1);
  const more = rows.length > filter.limit;
  const items = (more ? rows.slice(0, filter.limit) : rows).map((r) => ({ ...r.p, version: r.v }));
  return { items, nextCursor: more ? (items[items.length - 1]?.id ?? null) : null };
}

export async function updatePolicy({
  ctx,
  id,
  input,
}: {
  ctx: ServiceContext;
  id: string;
  input: Partial<PolicyContent> & { comment?: string | undefined; expectedVersion?: number | undefined };
}): Promise<PolicyView> {
  authorize(ctx.actor, "policies:write");
  const current = await loadCurrent(ctx.db, id);
  const next = contentOf({ ...contentOf(current.version), ...definedContent(input) });
  validate(next, id);
  return mutate(
    ctx,
    "policies:write",
    async (tx) => {
      const before = await loadCurrent(tx, id);
      if (input.expectedVersion !== undefined && input.expectedVersion !== before.currentVersion) {
        throw new ApiError(
          "conflict",
          `the policy is at version ${before.currentVersion}, not ${input.expectedVersion}; reload and reapply your change`,
        );
      }
      return appendVersion(tx, ctx, before, next, { comment: input.comment }, "policy.update");
    },
    `a policy named "${next.name}" already exists`,
  );
}

async function appendVersion(
  tx: Tx,
  ctx: ServiceContext,
  before: PolicyView,
  next: PolicyContent,
  extra: { comment?: string | undefined; rolledBackFrom?: number | undefined },
  action: string,
) {
  const versionNo = before.currentVersion + 1;
  const version = await insertVersion(tx, ctx, before.id, versionNo, next, extra);
  const now = ctx.clock();
  await tx
    .update(policies)
    .set({ name: next.name, currentVersion: versionNo, updatedAt: now })
    .where(eq(policies.id, before.id));
  return {
    result: { ...before, currentVersion: versionNo, updatedAt: now, version },
    audit: {
      action,
      targetType: "policy",
      targetId: before.id,
      before: contentOf(before.version),
      after: next,
      details: { version: versionNo, ...(extra.rolledBackFrom ? { rolledBackFrom: extra.rolledBackFrom } : {}) },
    },
  };
}

function definedContent(input: Partial<PolicyContent>): Partial<PolicyContent> {
  const out: Partial<PolicyContent> = {};
  for (const key of CONTENT_FIELDS) {
    if (input[key] !== undefined) (out as Record<string, unknown>)[key] = input[key];
  }
  return out;
}

export async function deletePolicy({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<void> {
  await mutate(ctx, "policies:write", async (tx) => {
    const before = await loadCurrent(tx, id);
    // Soft delete: versions stay as the record of what was enforced; the name becomes free again.
    await tx
      .update(policies)
      .set({ deletedAt: ctx.clock(), name: `${before.version.name}~deleted~${id}` })
      .where(eq(policies.id, id));
    return {
      result: undefined,
      audit: { action: "policy.delete", targetType: "policy", targetId: id, before: contentOf(before.version) },
    };
  });
}

export async function listPolicyVersions({ ctx, id }: { ctx: ServiceContext; id: string }) {
  authorize(ctx.actor, "policies:read");
  await firstOr404(ctx.db.select({ id: policies.id }).from(policies).where(eq(policies.id, id)), "policy", id);
  return ctx.db
    .select()
    .from(policyVersions)
    .where(eq(policyVersions.policyId, id))
    .orderBy(desc(policyVersions.version));
}

export async function getPolicyVersion({ ctx, id, version }: { ctx: ServiceContext; id: string; version: number }) {
  authorize(ctx.actor, "policies:read");
  return firstOr404(
    ctx.db
      .select()
      .from(policyVersions)
      .where(and(eq(policyVersions.policyId, id), eq(policyVersions.version, version))),
    "policy version",
    `${id}@${version}`,
  );
}

export interface PolicyDiff {
  from: PolicyVersionRow;
  to: PolicyVersionRow;
  changes: { field: string; from: unknown; to: unknown }[];
  conditionDiff: { value: string; added: boolean; removed: boolean }[];
}

export async function diffPolicyVersions({
  ctx,
  id,
  from,
  to,
}: {
  ctx: ServiceContext;
  id: string;
  from: number;
  to: number;
}): Promise<PolicyDiff> {
  const a = await getPolicyVersion({ ctx, id, version: from });
  const b = await getPolicyVersion({ ctx, id, version: to });
  const changes = CONTENT_FIELDS.filter((f) => stateHash(a[f]) !== stateHash(b[f])).map((field) => ({
    field,
    from: a[field],
    to: b[field],
  }));
  const conditionDiff = diffLines(a.condition, b.condition).map((part) => ({
    value: part.value,
    added: part.added === true,
    removed: part.removed === true,
  }));
  return { from: a, to: b, changes, conditionDiff };
}

export async function rollbackPolicy({
  ctx,
  id,
  toVersion,
  comment,
}: {
  ctx: ServiceContext;
  id: string;
  toVersion: number;
  comment?: string | undefined;
}): Promise<PolicyView> {
  authorize(ctx.actor, "policies:write");
  const old = await getPolicyVersion({ ctx, id, version: toVersion });
  const content = contentOf(old);
  // Re-check: the language may have tightened since the old version was saved.
  validate(content, id);
  return mutate(ctx, "policies:write", async (tx) => {
    const before = await loadCurrent(tx, id);
    return appendVersion(
      tx,
      ctx,
      before,
      content,
      { comment: comment ?? `rollback to version ${toVersion}`, rolledBackFrom: toVersion },
      "policy.rollback",
    );
  });
}
