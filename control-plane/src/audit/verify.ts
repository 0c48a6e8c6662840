// `audit verify`: re-checks everything stored against what the nodes signed. For every stream: batches run
// 1..last with no gap, each batch's JWS verifies with its node's key and hashes to its stored hash, each
// batch chains onto the previous one, and the stored events re-hash to the records hash the node signed.
// The database holds no node private key, so an edit cannot be hidden by recomputing hashes.
import { GENESIS_HASH, batchHash as hashOfBatch, sha256Hex, verifyBatch } from "@portcullis/proto";
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
    let prevHash = GENESIS_HASH;
    for (const batch of rows) {
      batches += 1;
      if (batch.seq !== expectedSeq) {
        problem("missing_batch", expectedSeq, `batches ${expectedSeq}..${batch.seq - 1} are missing`);
        prevHash = "(unknown: missing batch)";
      }
      expectedSeq = batch.seq + 1;
      const stored = await db
        .select({ eventSeq: auditEvents.eventSeq, record: auditEvents.record })
        .from(auditEvents)
        .where(and(eq(auditEvents.streamId, stream.id), eq(auditEvents.batchSeq, batch.seq)))
        .orderBy(asc(auditEvents.eventSeq));
      events += stored.length;
      const recordsBytes = Buffer.from(stored.map((e) => e.record).join("\n"), "utf8");
      if (hashOfBatch(batch.jws) !== batch.batchHash) {
        problem("modified_batch", batch.seq, "the stored batch hash does not match its signed JWS");
      }
      // Verify the signature and manifest on their own first, then the events against the manifest.
      const verified = verifyBatch(batch.jws, recordsBytes, keys, { nodeId: stream.nodeId, streamId: stream.id });
      if (!verified.ok) {
        if (
          verified.code === "records_hash_mismatch" ||
          verified.code === "count_mismatch" ||
          verified.code === "sequence_mismatch"
        ) {
          const manifest = manifestOf(batch.jws);
          const expected = manifest ? manifest.count : batch.eventCount;
          if (stored.length < expected)
            problem("missing_event", batch.seq, `${expected - stored.length} of ${expected} events are missing`);
          else if (stored.length > expected)
            problem("extra_event", batch.seq, `${stored.length - expected} events were added`);
          else
            problem(
              "modified_event",
              batch.seq,
              `an event differs from what node ${stream.nodeId} signed (${verified.code})`,
            );
        } else {
          problem("bad_signature", batch.seq, `${verified.code}: ${verified.message}`);
        }
      } else {
        const m = verified.value.manifest;
        if (m.seq !== batch.seq || m.records_sha256 !== batch.recordsSha256 || m.prev !== batch.prevHash) {
          problem("modified_batch", batch.seq, "stored batch columns differ from the signed manifest");
        }
        if (prevHash !== "(unknown: missing batch)" && m.prev !== prevHash) {
          problem("broken_chain", batch.seq, `batch ${batch.seq} does not chain onto batch ${batch.seq - 1}`);
        }
        if (sha256Hex(recordsBytes) !== m.records_sha256) problem("modified_event", batch.seq, "records hash mismatch");
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
