// Audit ingest: one transaction per batch. Checks the node's key and signature, the records hash, that the
// batch continues its stream (seq = last + 1, prev = last batch hash, event seqs contiguous), then stores the
// batch and its events and returns a signed receipt. An identical replay is a duplicate (same receipt); a
// different batch at a used seq is equivocation and a skipped seq is a gap: both are refused and kept as alarms.
import { checkChain, GENESIS_HASH, signReceipt, verifyBatch } from "@portcullis/proto";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { auditAlarms, auditBatches, auditStreams } from "../db/schema.ts";
import type { KeyRing } from "../keys/control-plane-keys.ts";
import { uuidv7 } from "../lib/ids.ts";
import { findNode, nodeSigningKeys } from "./node-keys.ts";

export type IngestStatus = "ACCEPTED" | "DUPLICATE" | "REJECTED";

export interface IngestResult {
  status: IngestStatus;
  streamId: string;
  seq: number;
  batchHash: string;
  reason: string;
  receipt: string;
  /** Whether the node should retry later (the database was unavailable) rather than treat it as final. */
  retryable: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function ingestBatch(
  db: Db,
  keys: KeyRing,
  input: { nodeId: string; jws: string; records: Uint8Array },
): Promise<IngestResult> {
  const refuse = (reason: string, extra: Partial<IngestResult> = {}): IngestResult => ({
    status: "REJECTED",
    streamId: "",
    seq: 0,
    batchHash: "",
    reason,
    receipt: "",
    retryable: false,
    ...extra,
  });
  const node = await findNode(db, input.nodeId);
  if (!node) return refuse("unknown node");
  if (node.revokedAt) {
    await recordAlarm(
      db,
      "revoked_node_batch",
      node.id,
      null,
      null,
      { reason: "batch from a revoked node" },
      input.jws,
    );
    return refuse("node is revoked");
  }
  const verified = verifyBatch(input.jws, input.records, await nodeSigningKeys(db, node.id), { nodeId: node.id });
  if (!verified.ok) {
    await recordAlarm(
      db,
      "rejected_batch",
      node.id,
      null,
      null,
      { code: verified.code, message: verified.message },
      input.jws,
    );
    return refuse(`${verified.code}: ${verified.message}`);
  }
  const { manifest, batchHash, records } = verified.value;
  const streamId = manifest.stream_id;
  if (!UUID.test(streamId)) return refuse("stream id is not a UUID");
  const receivedAt = new Date();
  const receiptFor = (at: Date) =>
    signReceipt({
      nodeId: node.id,
      streamId,
      seq: manifest.seq,
      batchHash,
      receivedAt: at,
      signingKey: keys.active.privateKey,
      kid: keys.active.kid,
    });

  return db.transaction(async (tx) => {
    // Serialize batches of one stream; a new stream is created by its first batch.
    await tx.execute(sql`select pg_advisory_xact_lock(7070003, hashtext(${streamId}))`);
    let [stream] = await tx.select().from(auditStreams).where(eq(auditStreams.id, streamId));
    if (stream && stream.nodeId !== node.id)
      return refuse("the stream belongs to another node", { streamId, seq: manifest.seq });
    const [existing] = await tx
      .select()
      .from(auditBatches)
      .where(and(eq(auditBatches.streamId, streamId), eq(auditBatches.seq, manifest.seq)));
    if (existing) {
      if (existing.batchHash === batchHash) {
        return {
          status: "DUPLICATE",
          streamId,
          seq: manifest.seq,
          batchHash,
          reason: "already stored",
          receipt: receiptFor(existing.receivedAt),
          retryable: false,
        };
      }
      await tx.insert(auditAlarms).values({
        id: uuidv7(),
        kind: "equivocation",
        nodeId: node.id,
        streamId,
        seq: manifest.seq,
        details: { storedHash: existing.batchHash, offeredHash: batchHash },
        evidence: input.jws,
      });
      await tx.update(auditStreams).set({ status: "alarmed" }).where(eq(auditStreams.id, streamId));
      return refuse("equivocation: a different batch was already stored at this seq", {
        streamId,
        seq: manifest.seq,
        batchHash,
      });
    }
    const head = stream
      ? { seq: stream.lastSeq, batchHash: stream.lastBatchHash ?? GENESIS_HASH, lastEventSeq: stream.lastEventSeq }
      : null;
    const chained = checkChain(head, { manifest, batchHash });
    if (!chained.ok) {
      await tx.insert(auditAlarms).values({
        id: uuidv7(),
        kind: chained.code,
        nodeId: node.id,
        streamId,
        seq: manifest.seq,
        details: { message: chained.message, storedSeq: head?.seq ?? 0 },
        evidence: input.jws,
      });
      return refuse(`${chained.code}: ${chained.message}`, { streamId, seq: manifest.seq, batchHash });
    }
    if (!stream) {
      [stream] = await tx
        .insert(auditStreams)
        .values({ id: streamId, nodeId: node.id, createdAt: receivedAt })
        .returning();
    }
    await tx.insert(auditBatches).values({
      streamId,
      seq: manifest.seq,
      nodeId: node.id,
      jws: input.jws,
      batchHash,
      prevHash: manifest.prev,
      recordsSha256: manifest.records_sha256,
      eventCount: manifest.count,
      configVersion: manifest.config_version,
      receivedAt,
    });
    const text = Buffer.from(input.records).toString("utf8").split("\n");
    const rows: EventRow[] = records.map((r, i) => ({
      id: r.id,
      stream_id: streamId,
      batch_seq: manifest.seq,
      event_seq: r.seq,
      at: (parseTime(r.at) ?? receivedAt).toISOString(),
      kind: r.type,
      session_id: str(r.session_id),
      agent_id: str(r.agent_id),
      operator_sub: str(r.operator),
      tool: str(r.tool),
      decision: str(r.decision),
      outcome: str(r.outcome),
      latency_us: Number.isSafeInteger(r.latency_us) && (r.latency_us as number) <= 2_147_483_647 ? r.latency_us : null,
      record: text[i] as string,
    }));
    await insertEventRows(tx as unknown as Db, rows);
    await tx
      .update(auditStreams)
      .set({ lastSeq: manifest.seq, lastBatchHash: batchHash, lastEventSeq: manifest.last_event_seq, status: "open" })
      .where(eq(auditStreams.id, streamId));
    return {
      status: "ACCEPTED",
      streamId,
      seq: manifest.seq,
      batchHash,
      reason: "",
      receipt: receiptFor(receivedAt),
      retryable: false,
    };
  });
}

function str(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}

function parseTime(v: unknown): Date | undefined {
  if (typeof v !== "string") return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

async function recordAlarm(
  db: Db,
  kind: string,
  nodeId: string | null,
  streamId: string | null,
  seq: number | null,
  details: Record<string, unknown>,
  evidence: string | null,
) {
  await db.insert(auditAlarms).values({ id: uuidv7(), kind, nodeId, streamId, seq, details, evidence });
}

export async function auditCursor(db: Db, nodeId: string, streamId: string) {
  const [stream] = await db.select().from(auditStreams).where(eq(auditStreams.id, streamId));
  if (!stream || stream.nodeId !== nodeId)
    return { streamId, lastSeq: 0, lastBatchHash: GENESIS_HASH, lastEventSeq: 0 };
  return {
    streamId,
    lastSeq: stream.lastSeq,
    lastBatchHash: stream.lastBatchHash ?? GENESIS_HASH,
    lastEventSeq: stream.lastEventSeq,
  };
}

export interface EventRow {
  id: string;
  stream_id: string;
  batch_seq: number;
  event_seq: number;
  at: string;
  kind: string;
  session_id: string | null;
  agent_id: string | null;
  operator_sub: string | null;
  tool: string | null;
  decision: string | null;
  outcome: string | null;
  latency_us: unknown;
  record: string;
}

/** Inserts event rows with one parameter (a JSON array) instead of ~14 per event: far cheaper for big batches. */
export async function insertEventRows(db: Db, rows: EventRow[]): Promise<void> {
  await db.execute(sql`
    insert into audit_events (id, stream_id, batch_seq, event_seq, at, kind, session_id, agent_id, operator_sub, tool, decision, outcome, latency_us, record)
    select id, stream_id, batch_seq, event_seq, at, kind, session_id, agent_id, operator_sub, tool, decision, outcome, latency_us, record
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as e(
      id uuid, stream_id uuid, batch_seq bigint, event_seq bigint, at timestamptz, kind text, session_id text,
      agent_id text, operator_sub text, tool text, decision text, outcome text, latency_us integer, record text)`);
}
