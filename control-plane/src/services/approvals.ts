// Human approvals of tool calls. A node asks for an approval bound to one exact call (session, agent, operator,
// tool, canonical digest of the arguments); people decide here; the first identical call after an approval
// consumes it with one conditional UPDATE, so an approval executes exactly one call even under concurrent retries.
// Expiry is evaluated at read time against `expires_at` (and written back lazily), so no sweeper is needed.
import { and, desc, eq, gt, inArray, lt, lte, or, type SQL } from "drizzle-orm";
import type { Db, Tx } from "../db/client.ts";
import { approvals } from "../db/schema.ts";
import { uuidv7 } from "../lib/ids.ts";
import type { ServiceContext } from "./context.ts";
import { ApiError, invalidField } from "./errors.ts";
import { authorize } from "./rbac.ts";
import { mutate, type Page } from "./store.ts";

export type ApprovalRow = typeof approvals.$inferSelect;
export type ApprovalState = "pending" | "approved" | "rejected" | "expired" | "consumed";

export const DEFAULT_APPROVAL_TTL_MS = 15 * 60_000;

export interface ApprovalSettings {
  /** How long a request waits for a decision, and how long an approved call may take to be retried. */
  ttlMs: number;
  /** The console's base URL, for "where to approve" links. */
  consoleUrl: () => string;
  /** Called once per newly opened request (webhook notification); must not throw. */
  onRequested?: (row: ApprovalRow) => void;
}

/** The binding of an approval to one exact call. */
export interface ApprovalBinding {
  sessionId: string;
  agentId: string;
  operatorSub: string;
  tool: string;
  argsSha256: string;
}

export interface ApprovalAsk extends ApprovalBinding {
  agentName: string;
  operatorEmail: string | null;
  args: Record<string, unknown>;
  policyId: string;
  approvers: string[];
  reason: string;
  requestEventId: string;
  delegationChain: unknown[];
  nodeId: string;
}

/** Where an approval stands now, with expiry applied. */
export function stateOf(row: ApprovalRow, now: Date): ApprovalState {
  if ((row.status === "pending" || row.status === "approved") && row.expiresAt.getTime() <= now.getTime()) {
    return "expired";
  }
  return row.status;
}

export function decideUrl(settings: ApprovalSettings, id: string): string {
  return `${settings.consoleUrl().replace(/\/$/, "")}/approvals/${id}`;
}

const bindingOf = (b: ApprovalBinding): SQL =>
  and(
    eq(approvals.sessionId, b.sessionId),
    eq(approvals.agentId, b.agentId),
    eq(approvals.operatorSub, b.operatorSub),
    eq(approvals.tool, b.tool),
    eq(approvals.argsSha256, b.argsSha256),
  ) as SQL;

/** Writes the lazy expiry of this binding's pending or approved rows that ran out. */
async function expireStale(db: Db | Tx, where: SQL, now: Date): Promise<void> {
  await db
    .update(approvals)
    .set({ status: "expired" })
    .where(and(where, inArray(approvals.status, ["pending", "approved"]), lte(approvals.expiresAt, now)));
}

export type RequestOutcome =
  | { kind: "consumed"; row: ApprovalRow }
  | { kind: "pending" | "rejected" | "expired"; row: ApprovalRow; created: boolean };

/**
 * A node's request for the approval of one exact call: consume an approved, unused approval of this binding
 * (atomically: one conditional UPDATE, so two concurrent retries cannot both win); else answer the binding's
 * latest pending, rejected or expired approval; else (none, or the last one was used) open a new pending one.
 */
export async function requestApproval(db: Db, settings: ApprovalSettings, ask: ApprovalAsk): Promise<RequestOutcome> {
  const now = new Date();
  const binding = bindingOf(ask);
  await expireStale(db, binding, now);
  const [consumed] = await db
    .update(approvals)
    .set({ status: "consumed", consumedAt: now, executionEventId: ask.requestEventId })
    .where(and(binding, eq(approvals.status, "approved"), gt(approvals.expiresAt, now)))
    .returning();
  if (consumed) return { kind: "consumed", row: consumed };

  const [latest] = await db
    .select()
    .from(approvals)
    .where(binding)
    .orderBy(desc(approvals.createdAt), desc(approvals.id))
    .limit(1);
  if (latest && latest.status !== "consumed") {
    const state = stateOf(latest, now);
    if (state === "pending" || state === "rejected" || state === "expired") {
      return { kind: state, row: latest, created: false };
    }
  }
  const inserted = await db
    .insert(approvals)
    .values({
      id: uuidv7(),
      sessionId: ask.sessionId,
      agentId: ask.agentId,
      agentName: ask.agentName,
      operatorSub: ask.operatorSub,
      operatorEmail: ask.operatorEmail,
      delegationChain: ask.delegationChain,
      tool: ask.tool,
      argsSha256: ask.argsSha256,
      args: ask.args,
      policyId: ask.policyId,
      approvers: ask.approvers,
      status: "pending",
      reason: null,
      requestEventId: ask.requestEventId,
      requestedByNode: ask.nodeId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + settings.ttlMs),
    })
    .onConflictDoNothing()
    .returning();
  const created = inserted[0];
  if (created) {
    settings.onRequested?.(created);
    return { kind: "pending", row: created, created: true };
  }
  // A concurrent identical request opened it first: answer that one.
  const [pending] = await db
    .select()
    .from(approvals)
    .where(and(binding, eq(approvals.status, "pending")))
    .limit(1);
  if (!pending) throw new Error("approval request raced and lost its row");
  return { kind: "pending", row: pending, created: false };
}

/** One approval of a session the node serves (never consumes); undefined when there is none. */
export async function readApprovalForNode(db: Db, id: string, sessionId: string): Promise<ApprovalRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db
    .select()
    .from(approvals)
    .where(and(eq(approvals.id, id), eq(approvals.sessionId, sessionId)));
  return row;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (s: string) => UUID.test(s);

// ---- the console's verbs -----------------------------------------------------------------------------------

export interface ApprovalFilter {
  status?: ApprovalState | undefined;
  tool?: string | undefined;
  agent?: string | undefined;
  operator?: string | undefined;
  session?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Approvals newest first (ids are UUIDv7, so id order is creation order); `status` is the state with expiry. */
export async function listApprovals({
  ctx,
  filter,
}: {
  ctx: ServiceContext;
  filter: ApprovalFilter;
}): Promise<Page<ApprovalRow>> {
  authorize(ctx.actor, "approvals:read");
  const now = ctx.clock();
  if (filter.cursor !== undefined && !isUuid(filter.cursor)) {
    throw invalidField("query.cursor", "expected the nextCursor of a previous page");
  }
  const live = gt(approvals.expiresAt, now);
  const byState: Record<ApprovalState, SQL | undefined> = {
    pending: and(eq(approvals.status, "pending"), live),
    approved: and(eq(approvals.status, "approved"), live),
    expired: or(
      eq(approvals.status, "expired"),
      and(inArray(approvals.status, ["pending", "approved"]), lte(approvals.expiresAt, now)),
    ),
    rejected: eq(approvals.status, "rejected"),
    consumed: eq(approvals.status, "consumed"),
  };
  const conditions: (SQL | undefined)[] = [
    filter.status ? byState[filter.status] : undefined,
    filter.tool ? eq(approvals.tool, filter.tool) : undefined,
    filter.agent ? or(eq(approvals.agentId, filter.agent), eq(approvals.agentName, filter.agent)) : undefined,
    filter.operator
      ? or(eq(approvals.operatorSub, filter.operator), eq(approvals.operatorEmail, filter.operator))
      : undefined,
    filter.session ? eq(approvals.sessionId, filter.session) : undefined,
    filter.cursor ? lt(approvals.id, filter.cursor) : undefined,
  ];
  const rows = await ctx.db
    .select()
    .from(approvals)
    .where(and(...conditions))
    .orderBy(desc(approvals.id))
    .limit(filter.limit + 1);
  const more = rows.length > filter.limit;
  const items = more ? rows.slice(0, filter.limit) : rows;
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? last.id : null };
}

export async function getApproval({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<ApprovalRow> {
  authorize(ctx.actor, "approvals:read");
  const [row] = isUuid(id) ? await ctx.db.select().from(approvals).where(eq(approvals.id, id)) : [];
  if (!row) throw new ApiError("not_found", `approval ${id} does not exist`);
  return row;
}

/**
 * The approvers entry the actor satisfies: their email, or `role:<their role>`. An empty list means anyone with
 * the approvals:decide permission (the empty string is returned then). Undefined: the actor may not decide.
 */
export function matchApprover(approvers: readonly string[], actor: ServiceContext["actor"]): string | undefined {
  if (approvers.length === 0) return "";
  const email = actor.type === "user" ? actor.name.toLowerCase() : undefined;
  return approvers.find((a) => (email !== undefined && a.toLowerCase() === email) || a === `role:${actor.role}`);
}

/** Whether the actor is the operator the approval would act for (nobody approves their own request). */
function isRequester(row: ApprovalRow, actor: ServiceContext["actor"]): boolean {
  if (actor.type !== "user") return false;
  const me = actor.name.toLowerCase();
  return me === row.operatorSub.toLowerCase() || me === (row.operatorEmail ?? "").toLowerCase();
}

/**
 * Approve or reject a pending approval. Only someone the policy named (or, when it named nobody, anyone with the
 * approvals:decide permission), never the operator the call acts for. One conditional UPDATE: a decision lands
 * only while the approval is still pending and unexpired. An approval's validity restarts at the decision, so the
 * agent has the full TTL to retry the call. Audited in the same transaction.
 */
export async function decideApproval({
  ctx,
  id,
  decision,
  comment,
  ttlMs,
}: {
  ctx: ServiceContext;
  id: string;
  decision: "approve" | "reject";
  comment: string;
  ttlMs: number;
}): Promise<ApprovalRow> {
  authorize(ctx.actor, "approvals:decide");
  const row = await getApproval({ ctx, id });
  const now = ctx.clock();
  if (isRequester(row, ctx.actor)) {
    throw new ApiError("forbidden", "you cannot decide an approval for a call made on your own behalf");
  }
  const matched = matchApprover(row.approvers, ctx.actor);
  if (matched === undefined) {
    throw new ApiError("forbidden", `only ${row.approvers.join(" or ")} may decide this approval`);
  }
  const state = stateOf(row, now);
  if (state !== "pending") throw new ApiError("conflict", `the approval is ${state}, not pending`);
  return mutate(ctx, "approvals:decide", async (tx) => {
    const [updated] = await tx
      .update(approvals)
      .set({
        status: decision === "approve" ? "approved" : "rejected",
        decidedBy: ctx.actor.name,
        decidedAt: now,
        reason: comment === "" ? null : comment,
        ...(decision === "approve"
          ? { expiresAt: new Date(now.getTime() + ttlMs), approvedAs: matched === "" ? null : matched }
          : {}),
      })
      .where(and(eq(approvals.id, id), eq(approvals.status, "pending"), gt(approvals.expiresAt, now)))
      .returning();
    if (!updated) throw new ApiError("conflict", "the approval is no longer pending");
    return {
      result: updated,
      audit: {
        action: decision === "approve" ? "approval.approve" : "approval.reject",
        targetType: "approval",
        targetId: id,
        before: { status: row.status },
        after: { status: updated.status, decidedBy: updated.decidedBy },
        details: {
          tool: row.tool,
          sessionId: row.sessionId,
          operator: row.operatorEmail ?? row.operatorSub,
          argsSha256: row.argsSha256,
          approvedAs: matched,
          requestEventId: row.requestEventId,
          ...(comment ? { comment } : {}),
        },
      },
    };
  });
}
