// `audit verify`: re-checks everything stored against what the nodes signed. For every stream: batches run
// 1..last with no gap, each batch's JWS verifies with its node's key and hashes to its stored hash, each
// batch chains onto the previous one, and the stored events re-hash to the records hash the node signed.
// The database holds no node private key, so an edit cannot be hidden by recomputing hashes.
import { GENESIS_HASH, batchHash as hashOfBatch, sha256Hex, type TrustedKeys, verifyBatch } from "@portcullis/proto";
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { auditAlarms, auditBatches, auditEvents, auditStreams } from "../db/schema.ts";
import type { KeyRing } from "../keys/control-plane-keys.ts";
import { checkStoredCheckpoints } from "./checkpoints.ts";
import { nodeSigningKeys } from "./node-keys.ts";

export const problemKinds = [
  "missing_batch",
  "bad_signature",
  "modified_batch",
  "broken_chain",
  "modified_event",
  "missing_event",
  "extra_event",
  "checkpoint_mismatch",
] as const;
export type ProblemKind = (typeof problemKinds)[number];

export interface AuditProblem {
  kind: ProblemKind;
  nodeId: string;
  streamId: string;
  seq: number;
  detail: string;
}

export interface AuditVerification {
  ok: boolean;
  streams: number;
  batches: number;
  events: number;
  problems: AuditProblem[];
  /** Stored alarms (equivocations, gaps refused at ingest): evidence, not tampering of stored data. */
  alarms: number;
  checkedAt: string;
}

export async function verifyAuditTrail(
  db: Db,
  options: { streamId?: string; keys?: KeyRing } = {},
): Promise<AuditVerification> {
  const problems: AuditProblem[] = [];
  let batches = 0;
  let events = 0;
  const streams = await db
    .select()
    .from(auditStreams)
    .where(options.streamId ? eq(auditStreams.id, options.streamId) : undefined)
    .orderBy(asc(auditStreams.id));
  const keyCache = new Map<string, Awaited<ReturnType<typeof nodeSigningKeys>>>();
  for (const stream of streams) {
    const keys = keyCache.get(stream.nodeId) ?? (await nodeSigningKeys(db, stream.nodeId, { includeRevoked: true }));
    keyCache.set(stream.nodeId, keys);
    const problem = (kind: ProblemKind, seq: number, detail: string) =>
      problems.push({ kind, nodeId: stream.nodeId, streamId: stream.id, seq, detail });
    const rows = await db
      .select()
      .from(auditBatches)
      .where(eq(auditBatches.streamId, stream.id))
      .orderBy(asc(auditBatches.seq));
    let expectedSeq = 1;
    let prevHash: string | undefined = GENESIS_HASH;
    for (const batch of rows) {
      batches += 1;
      if (batch.seq !== expectedSeq) {
        problem("missing_batch", expectedSeq, `batches ${expectedSeq}..${batch.seq - 1} are missing`);
        prevHash = undefined;
      }
      expectedSeq = batch.seq + 1;
      const stored = await batchRecords(db, stream.id, batch.seq);
      events += stored.length;
      for (const p of verifyStoredBatch({ batch, records: stored, keys, nodeId: stream.nodeId, prevHash })) {
        problem(p.kind, batch.seq, p.detail);
      }
      prevHash = batch.batchHash;
    }
    if (stream.lastSeq >= expectedSeq) {
      problem(
        "missing_batch",
        expectedSeq,
        `batches ${expectedSeq}..${stream.lastSeq} are missing (the stream head is at ${stream.lastSeq})`,
      );
    }
  }
  if (options.keys && !options.streamId) {
    for (const c of await checkStoredCheckpoints(db, options.keys)) {
      problems.push({
        kind: "checkpoint_mismatch",
        nodeId: "",
        streamId: "",
        seq: 0,
        detail: `checkpoint ${c.id}: ${c.problem}`,
      });
    }
  }
  const alarms = await db.select({ id: auditAlarms.id }).from(auditAlarms);
  return {
    ok: problems.length === 0,
    streams: streams.length,
    batches,
    events,
    problems,
    alarms: alarms.length,
    checkedAt: new Date().toISOString(),
  };
}

export type StoredBatch = typeof auditBatches.$inferSelect;

/** The stored records of one batch, in event order (the bytes the node signed, one per line). */
export async function batchRecords(db: Db, streamId: string, seq: number): Promise<string[]> {
  const rows = await db
    .select({ record: auditEvents.record })
    .from(auditEvents)
    .where(and(eq(auditEvents.streamId, streamId), eq(auditEvents.batchSeq, seq)))
    .orderBy(asc(auditEvents.eventSeq));
  return rows.map((r) => r.record);
}

/**
 * Checks one stored batch on its own: its JWS verifies with the node's key, hashes to the stored hash, matches
 * the stored columns, its stored events re-hash to the signed records hash, and (when `prevHash` is known, i.e.
 * the previous batch is stored or this is the first) it chains onto the previous batch. Returns the problems.
 */
export function verifyStoredBatch(input: {
  batch: StoredBatch;
  records: string[];
  keys: TrustedKeys;
  nodeId: string;
  /** The previous batch's hash (GENESIS_HASH for seq 1); undefined when the previous batch is not stored. */
  prevHash: string | undefined;
}): { kind: ProblemKind; detail: string }[] {
  const { batch, records, keys, nodeId, prevHash } = input;
  const problems: { kind: ProblemKind; detail: string }[] = [];
  const problem = (kind: ProblemKind, detail: string) => problems.push({ kind, detail });
  const recordsBytes = Buffer.from(records.join("\n"), "utf8");
  if (hashOfBatch(batch.jws) !== batch.batchHash) {
    problem("modified_batch", "the stored batch hash does not match its signed JWS");
  }
  // Verify the signature and manifest on their own first, then the events against the manifest.
  const verified = verifyBatch(batch.jws, recordsBytes, keys, { nodeId, streamId: batch.streamId });
  if (!verified.ok) {
    if (
      verified.code === "records_hash_mismatch" ||
      verified.code === "count_mismatch" ||
      verified.code === "sequence_mismatch"
    ) {
      const manifest = manifestOf(batch.jws);
      const expected = manifest ? manifest.count : batch.eventCount;
      if (records.length < expected)
        problem("missing_event", `${expected - records.length} of ${expected} events are missing`);
      else if (records.length > expected) problem("extra_event", `${records.length - expected} events were added`);
      else problem("modified_event", `an event differs from what node ${nodeId} signed (${verified.code})`);
    } else {
      problem("bad_signature", `${verified.code}: ${verified.message}`);
    }
    return problems;
  }
  const m = verified.value.manifest;
  if (m.seq !== batch.seq || m.records_sha256 !== batch.recordsSha256 || m.prev !== batch.prevHash) {
    problem("modified_batch", "stored batch columns differ from the signed manifest");
  }
  if (prevHash !== undefined && m.prev !== prevHash) {
    problem("broken_chain", `batch ${batch.seq} does not chain onto batch ${batch.seq - 1}`);
  }
  if (sha256Hex(recordsBytes) !== m.records_sha256) problem("modified_event", "records hash mismatch");
  return problems;
}

function manifestOf(jws: string): { count: number } | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jws.split(".")[1] ?? "", "base64url").toString("utf8")) as {
      count?: unknown;
    };
    return typeof payload.count === "number" ? { count: payload.count } : undefined;
  } catch {
    return undefined;
  }
}
