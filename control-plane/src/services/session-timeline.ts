// One session's calls in order, each with the integrity of the signed batch that carries it. Every batch that
// holds an event of the session is verified as `audit verify` does (signature with the node's key, stored hash,
// records hash of every stored event of the batch, link to the previous batch): `verified` when all hold,
// `failed` when any does not, `pending` when the batch verifies on its own but its previous batch is not
// stored, so the chain cannot be confirmed yet (what `audit verify` reports as a gap, not as tampering).
import { GENESIS_HASH } from "@portcullis/proto";
import { and, asc, eq, inArray } from "drizzle-orm";
import { nodeSigningKeys } from "../audit/node-keys.ts";
import { batchRecords, type ProblemKind, verifyStoredBatch } from "../audit/verify.ts";
import { auditBatches, auditEvents, auditStreams } from "../db/schema.ts";
import { type AuditEventView, eventViews } from "./audit-events.ts";
import type { ServiceContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import { authorize } from "./rbac.ts";
import { getSession, type SessionView } from "./sessions.ts";

export type Integrity = "verified" | "failed" | "pending";

export interface BatchIntegrity {
  nodeId: string;
  streamId: string;
  seq: number;
  receivedAt: Date;
  eventCount: number;
  integrity: Integrity;
  problems: { kind: ProblemKind; detail: string }[];
}

export interface SessionTimeline {
  session: SessionView | null;
  events: (AuditEventView & { integrity: Integrity })[];
  batches: BatchIntegrity[];
  /** `failed` if any batch failed, else `pending` if any is pending or nothing is stored yet, else `verified`. */
  integrity: Integrity;
  /** Whether more calls may still arrive: the session has not ended or expired. */
  open: boolean;
  /** True when the session has more events than one timeline shows (the first `limit` are returned). */
  truncated: boolean;
  checkedAt: Date;
}

export const TIMELINE_LIMIT = 2000;

export async function sessionTimeline({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<SessionTimeline> {
  authorize(ctx.actor, "sessions:read");
  authorize(ctx.actor, "audit:read");
  const session = await getSession({ ctx, id }).catch((e: unknown) => {
    if (e instanceof ApiError && e.code === "not_found") return null;
    throw e;
  });
  const rows = await ctx.db
    .select({ event: auditEvents, nodeId: auditStreams.nodeId })
    .from(auditEvents)
    .innerJoin(auditStreams, eq(auditStreams.id, auditEvents.streamId))
    .where(eq(auditEvents.sessionId, id))
    .orderBy(asc(auditEvents.at), asc(auditEvents.streamId), asc(auditEvents.eventSeq))
    .limit(TIMELINE_LIMIT + 1);
  if (!session && rows.length === 0) throw new ApiError("not_found", `session ${id} does not exist`);
  const truncated = rows.length > TIMELINE_LIMIT;
  const events = await eventViews(
    ctx,
    rows.slice(0, TIMELINE_LIMIT).map((r) => ({ ...r.event, nodeId: r.nodeId })),
  );

  const batches = await verifyBatchesOf(ctx, events);
  const byBatch = new Map(batches.map((b) => [`${b.streamId}/${b.seq}`, b.integrity]));
  const integrity: Integrity = batches.some((b) => b.integrity === "failed")
    ? "failed"
    : batches.length === 0 || batches.some((b) => b.integrity === "pending")
      ? "pending"
      : "verified";
  const now = ctx.clock();
  return {
    session,
    events: events.map((e) => ({ ...e, integrity: byBatch.get(`${e.streamId}/${e.batchSeq}`) ?? "failed" })),
    batches,
    integrity,
    open: session ? !session.endedAt && session.expiresAt > now : false,
    truncated,
    checkedAt: now,
  };
}

/** Verifies each distinct batch the events came in, with the previous batch's stored hash as the chain link. */
async function verifyBatchesOf(
  ctx: ServiceContext,
  events: { streamId: string; batchSeq: number; nodeId: string }[],
): Promise<BatchIntegrity[]> {
  const wanted = new Map<string, { streamId: string; seq: number; nodeId: string }>();
  for (const e of events)
    wanted.set(`${e.streamId}/${e.batchSeq}`, { streamId: e.streamId, seq: e.batchSeq, nodeId: e.nodeId });
  const keys = new Map<string, Awaited<ReturnType<typeof nodeSigningKeys>>>();
  const out: BatchIntegrity[] = [];
  for (const { streamId, seq, nodeId } of wanted.values()) {
    const stored = await ctx.db
      .select()
      .from(auditBatches)
      .where(and(eq(auditBatches.streamId, streamId), inArray(auditBatches.seq, seq > 1 ? [seq - 1, seq] : [seq])));
    const batch = stored.find((b) => b.seq === seq);
    if (!batch) {
      // An event whose batch is not stored cannot be proven: fail closed.
      out.push({
        nodeId,
        streamId,
        seq,
        receivedAt: new Date(0),
        eventCount: 0,
        integrity: "failed",
        problems: [{ kind: "missing_batch", detail: `batch ${seq} of stream ${streamId} is not stored` }],
      });
      continue;
    }
    const prevHash = seq === 1 ? GENESIS_HASH : stored.find((b) => b.seq === seq - 1)?.batchHash;
    const nodeKeys = keys.get(nodeId) ?? (await nodeSigningKeys(ctx.db, nodeId, { includeRevoked: true }));
    keys.set(nodeId, nodeKeys);
    const records = await batchRecords(ctx.db, streamId, seq);
    const problems = verifyStoredBatch({ batch, records, keys: nodeKeys, nodeId, prevHash });
    const integrity: Integrity = problems.length > 0 ? "failed" : prevHash === undefined ? "pending" : "verified";
    out.push({ nodeId, streamId, seq, receivedAt: batch.receivedAt, eventCount: records.length, integrity, problems });
  }
  return out;
}
