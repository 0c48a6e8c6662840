// Audit batches: a node seals records into a batch whose manifest (compact JWS, node key) binds node, stream,
// batch seq, the previous batch's hash, the records' SHA-256, count, event seq range and config version.
// Invariants: batch seq and event seq are gap-free per stream from 1; batchHash = SHA-256 of the JWS text.
import type { KeyObject } from "node:crypto";
import { canonicalBytes, isSha256Hex, parseCanonical, sha256Hex } from "./canonical.ts";
import { isRecord, signCompactJws, verifyCompactJws } from "./jws.ts";
import type { TrustedKeys } from "./keys.ts";
import { fail, ok, type Result } from "./result.ts";
import { isSafeUint } from "./uint.ts";
import { isUuidV7, uuidv7 } from "./uuid.ts";

/** The JWS `typ` of batch manifests. */
export const AUDIT_BATCH_JWS_TYPE = "portcullis-audit-batch+jws";

/** The `prev` of a stream's first batch, and the hash of "no batch yet". */
export const GENESIS_HASH = "0".repeat(64);

/** Records are joined with this byte; canonical JSON never contains a raw newline. */
const NEWLINE = 0x0a;

/** The envelope every audit record has. The rest of the event (decision, tool, principal...) is the node's. */
export interface AuditRecord {
  /** UUIDv7 of the event; also the decision id given to the tool in the downstream assertion. */
  id: string;
  /** The stream (spool epoch) the event belongs to. */
  stream_id: string;
  /** Position in the stream: 1, 2, 3... with no gaps. */
  seq: number;
  /** What kind of event (for example "decision", or "discontinuity"). */
  type: string;
  [field: string]: unknown;
}

/** The signed manifest of one batch. Field names are snake_case because it is a wire format. */
export interface BatchManifest {
  /** Manifest format version. */
  v: 1;
  node_id: string;
  stream_id: string;
  /** Batch seq within the stream, from 1. */
  seq: number;
  /** batchHash of the previous batch of this stream; GENESIS_HASH for seq 1. */
  prev: string;
  /** SHA-256 (hex) of the records bytes. */
  records_sha256: string;
  count: number;
  first_event_seq: number;
  last_event_seq: number;
  /** The snapshot version the node served when it sealed the batch (0 when it served none). */
  config_version: number;
  /** RFC 3339 UTC time of sealing. */
  created_at: string;
}

export interface SealBatchInput {
  nodeId: string;
  streamId: string;
  /** Batch seq: 1 for the stream's first batch, then +1. */
  seq: number;
  /** batchHash of the previous batch; GENESIS_HASH for seq 1. */
  prevBatchHash: string;
  /** The records in event-seq order, as objects or as encodeRecord() bytes (e.g. read back from the spool). */
  records: readonly (AuditRecord | Uint8Array)[];
  configVersion: number;
  /** The node's Ed25519 signing key. */
  signingKey: KeyObject;
  /** Its kid (RFC 7638 thumbprint), as registered at enrollment. */
  kid: string;
  now?: Date;
}

export interface SealedBatch {
  /** The AuditBatch.jws to send. */
  jws: string;
  /** The AuditBatch.records to send: the canonical records joined with "\n". */
  recordsBytes: Buffer;
  manifest: BatchManifest;
  /** SHA-256 (hex) of the JWS text: the next batch's `prev`. */
  batchHash: string;
}

export type BatchErrorCode =
  | "malformed"
  | "bad_signature"
  | "unknown_key"
  | "node_mismatch"
  | "stream_mismatch"
  | "records_hash_mismatch"
  | "count_mismatch"
  | "sequence_mismatch";

export interface VerifiedBatch {
  manifest: BatchManifest;
  batchHash: string;
  /** The parsed records, in order. */
  records: AuditRecord[];
  /** Which node key signed it. */
  kid: string;
}

/** The end of a stream as stored: what the next batch must chain onto. */
export interface ChainHead {
  /** Seq of the last batch; 0 before the first. */
  seq: number;
  /** batchHash of the last batch; GENESIS_HASH before the first. */
  batchHash: string;
  /** last_event_seq of the last batch; 0 before the first. */
  lastEventSeq: number;
}

/** The head of a stream that has no batch yet. */
export const GENESIS_HEAD: ChainHead = Object.freeze({ seq: 0, batchHash: GENESIS_HASH, lastEventSeq: 0 });

/**
 * How a batch relates to the stored head of its stream. `seq_reused`: the seq is already taken; the caller
 * compares batch hashes to tell a duplicate (identical) from equivocation (different). `gap`: batches or events
 * are missing in between. `broken_chain`: the batch does not name the stored previous batch.
 */
export type ChainErrorCode = "gap" | "broken_chain" | "seq_reused";

/** The signed first record of a new stream, started because the node lost (part of) its spool. */
export interface DiscontinuityRecord extends AuditRecord {
  type: "discontinuity";
  /** The stream that was cut short. */
  previous_stream_id: string;
  /** The last batch seq of that stream the control plane acknowledged (0 if none). */
  last_acked_seq: number;
  /** That batch's hash (GENESIS_HASH if none), so the control plane can check it against its own cursor. */
  last_acked_batch_hash: string;
  /** Why, for example "spool corrupted" or "spool bound exceeded". */
  reason: string;
  /** RFC 3339 UTC time the new stream started. */
  at: string;
}

/** The canonical bytes of one record, checked for the envelope. What the spool should store. */
export function encodeRecord(record: AuditRecord): Buffer {
  const problem = recordProblem(record);
  if (problem) {
    throw new TypeError(`audit record: ${problem}`);
  }
  return canonicalBytes(record);
}

/**
 * Seals records into a signed batch. Throws (a programming error, not hostile input) if the records are not
 * one contiguous run of the stream's event seqs, or if a number is not a safe integer.
 */
export function sealBatch(input: SealBatchInput): SealedBatch {
  if (input.records.length === 0) {
    throw new RangeError("a batch needs at least one record");
  }
  if (!isNonEmptyString(input.nodeId) || !isNonEmptyString(input.streamId)) {
    throw new TypeError("nodeId and streamId are required");
  }
  if (!isSafeUint(input.seq) || input.seq < 1) {
    throw new RangeError(`batch seq must be a positive safe integer, got ${input.seq}`);
  }
  if (!isSafeUint(input.configVersion)) {
    throw new RangeError(`config version must be a safe integer, got ${input.configVersion}`);
  }
  if (!isSha256Hex(input.prevBatchHash) || (input.seq === 1) !== (input.prevBatchHash === GENESIS_HASH)) {
    throw new RangeError("prevBatchHash must be a hex SHA-256, and GENESIS_HASH exactly for seq 1");
  }
  const encoded: Buffer[] = [];
  let firstEventSeq = 0;
  for (const [index, item] of input.records.entries()) {
    const record = item instanceof Uint8Array ? (parseCanonical(item) as AuditRecord) : item;
    const problem = recordProblem(record);
    if (problem) {
      throw new TypeError(`record ${index}: ${problem}`);
    }
    if (record.stream_id !== input.streamId) {
      throw new TypeError(`record ${index}: stream_id ${record.stream_id} is not the batch's ${input.streamId}`);
    }
    if (index === 0) {
      firstEventSeq = record.seq;
    } else if (record.seq !== firstEventSeq + index) {
      throw new RangeError(`record ${index}: seq ${record.seq} breaks the run starting at ${firstEventSeq}`);
    }
    encoded.push(item instanceof Uint8Array ? Buffer.from(item) : canonicalBytes(record));
  }
  const recordsBytes = joinRecords(encoded);
  const manifest: BatchManifest = {
    v: 1,
    node_id: input.nodeId,
    stream_id: input.streamId,
    seq: input.seq,
    prev: input.prevBatchHash,
    records_sha256: sha256Hex(recordsBytes),
    count: encoded.length,
    first_event_seq: firstEventSeq,
    last_event_seq: firstEventSeq + encoded.length - 1,
    config_version: input.configVersion,
    created_at: (input.now ?? new Date()).toISOString(),
  };
  const jws = signCompactJws(AUDIT_BATCH_JWS_TYPE, input.kid, manifest, input.signingKey);
  return { jws, recordsBytes, manifest, batchHash: batchHash(jws) };
}

/** The hash that names a batch in the chain: SHA-256 (hex) of its compact JWS text. */
export function batchHash(jws: string): string {
  return sha256Hex(jws);
}

/**
 * Verifies one received batch: signature (EdDSA only) by the node's key (or one of its keys, by kid), manifest
 * shape, node and stream, records hash, count, and that every record is canonical JSON of this stream with event
 * seqs exactly first_event_seq..last_event_seq. Chain position is checkChain's job.
 */
export function verifyBatch(
  jws: string,
  recordsBytes: Uint8Array,
  keys: KeyObject | TrustedKeys,
  expect: { nodeId: string; streamId?: string },
): Result<VerifiedBatch, BatchErrorCode> {
  const verified = verifyCompactJws(jws, AUDIT_BATCH_JWS_TYPE, keys);
  if (!verified.ok) {
    return verified;
  }
  const manifest = verified.value.payload;
  const problem = manifestProblem(manifest);
  if (problem) {
    return fail("malformed", `manifest: ${problem}`);
  }
  const m = manifest as BatchManifest;
  if (m.node_id !== expect.nodeId) {
    return fail("node_mismatch", `batch is from node ${m.node_id}, not ${expect.nodeId}`);
  }
  if (expect.streamId !== undefined && m.stream_id !== expect.streamId) {
    return fail("stream_mismatch", `batch is for stream ${m.stream_id}, not ${expect.streamId}`);
  }
  if (sha256Hex(recordsBytes) !== m.records_sha256) {
    return fail("records_hash_mismatch", "records bytes do not hash to the signed records_sha256");
  }
  const lines = splitRecords(recordsBytes);
  if (lines.length !== m.count) {
    return fail("count_mismatch", `manifest says ${m.count} records, batch has ${lines.length}`);
  }
  const records: AuditRecord[] = [];
  for (const [index, line] of lines.entries()) {
    let record: unknown;
    try {
      record = parseCanonical(line);
    } catch (error) {
      return fail("malformed", `record ${index}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const recordError = recordProblem(record);
    if (recordError) {
      return fail("malformed", `record ${index}: ${recordError}`);
    }
    const r = record as AuditRecord;
    if (r.stream_id !== m.stream_id || r.seq !== m.first_event_seq + index) {
      return fail(
        "sequence_mismatch",
        `record ${index} is ${r.stream_id}#${r.seq}, expected seq ${m.first_event_seq + index}`,
      );
    }
    records.push(r);
  }
  return ok({ manifest: m, batchHash: batchHash(jws), records, kid: verified.value.header.kid });
}

/**
 * Checks that `batch` (a SealedBatch or VerifiedBatch) is the next batch after `head` (GENESIS_HEAD, or null,
 * for a new stream) and returns the stream's new head.
 */
export function checkChain(
  head: ChainHead | null,
  batch: { manifest: BatchManifest; batchHash: string },
): Result<ChainHead, ChainErrorCode> {
  const last = head ?? GENESIS_HEAD;
  const { manifest } = batch;
  if (manifest.seq <= last.seq) {
    return fail("seq_reused", `batch seq ${manifest.seq} is already used (stream is at ${last.seq})`);
  }
  if (manifest.seq !== last.seq + 1) {
    return fail(
      "gap",
      `batch seq ${manifest.seq} follows ${last.seq}: batches ${last.seq + 1}..${manifest.seq - 1} are missing`,
    );
  }
  if (manifest.prev !== last.batchHash) {
    return fail("broken_chain", `batch ${manifest.seq} does not chain onto the stored batch ${last.seq}`);
  }
  if (manifest.first_event_seq !== last.lastEventSeq + 1) {
    return fail("gap", `events resume at ${manifest.first_event_seq} after ${last.lastEventSeq}`);
  }
  return ok({ seq: manifest.seq, batchHash: batch.batchHash, lastEventSeq: manifest.last_event_seq });
}

export interface DiscontinuityInput {
  /** The new stream this record opens (a fresh UUIDv7). */
  streamId: string;
  previousStreamId: string;
  /** The last batch of the previous stream that the control plane acknowledged; GENESIS_HEAD if none. */
  lastAcked: Pick<ChainHead, "seq" | "batchHash">;
  reason: string;
  now?: Date;
}

/** The first record (seq 1) of a stream that replaces a lost one; sealed and signed like any record. */
export function discontinuityRecord(input: DiscontinuityInput): DiscontinuityRecord {
  const now = input.now ?? new Date();
  return {
    id: uuidv7(now.getTime()),
    stream_id: input.streamId,
    seq: 1,
    type: "discontinuity",
    previous_stream_id: input.previousStreamId,
    last_acked_seq: input.lastAcked.seq,
    last_acked_batch_hash: input.lastAcked.batchHash,
    reason: input.reason,
    at: now.toISOString(),
  };
}

/** True for a well-formed discontinuity record. */
export function isDiscontinuityRecord(record: unknown): record is DiscontinuityRecord {
  return (
    recordProblem(record) === undefined &&
    (record as AuditRecord).type === "discontinuity" &&
    (record as AuditRecord).seq === 1 &&
    isNonEmptyString((record as AuditRecord).previous_stream_id) &&
    isSafeUint((record as AuditRecord).last_acked_seq) &&
    isSha256Hex((record as AuditRecord).last_acked_batch_hash) &&
    typeof (record as AuditRecord).reason === "string"
  );
}

function joinRecords(encoded: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const [index, bytes] of encoded.entries()) {
    if (index > 0) {
      parts.push(NEWLINE_BYTE);
    }
    parts.push(bytes);
  }
  return Buffer.concat(parts);
}

const NEWLINE_BYTE = Buffer.from([NEWLINE]);

function splitRecords(bytes: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let i = bytes.indexOf(NEWLINE); i !== -1; i = bytes.indexOf(NEWLINE, start)) {
    lines.push(bytes.subarray(start, i));
    start = i + 1;
  }
  lines.push(bytes.subarray(start));
  return lines;
}

const MANIFEST_KEYS = [
  "config_version",
  "count",
  "created_at",
  "first_event_seq",
  "last_event_seq",
  "node_id",
  "prev",
  "records_sha256",
  "seq",
  "stream_id",
  "v",
].join();

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

function manifestProblem(value: unknown): string | undefined {
  if (!isRecord(value) || Object.keys(value).sort().join() !== MANIFEST_KEYS) {
    return `must have exactly ${MANIFEST_KEYS}`;
  }
  const m = value as unknown as BatchManifest;
  if (m.v !== 1) return "unknown format version";
  if (!isNonEmptyString(m.node_id) || !isNonEmptyString(m.stream_id)) return "node_id and stream_id are required";
  if (!isSafeUint(m.seq) || m.seq < 1) return "seq must be a positive integer";
  if (!isSha256Hex(m.prev) || !isSha256Hex(m.records_sha256)) return "prev and records_sha256 must be hex SHA-256";
  if ((m.seq === 1) !== (m.prev === GENESIS_HASH)) return "prev is GENESIS_HASH exactly for seq 1";
  if (!isSafeUint(m.count) || m.count < 1) return "count must be a positive integer";
  if (!isSafeUint(m.first_event_seq) || m.first_event_seq < 1) return "first_event_seq must be a positive integer";
  if (m.last_event_seq !== m.first_event_seq + m.count - 1) return "last_event_seq must be first_event_seq + count - 1";
  if (!isSafeUint(m.config_version)) return "config_version must be a non-negative integer";
  if (typeof m.created_at !== "string" || !RFC3339_UTC.test(m.created_at) || Number.isNaN(Date.parse(m.created_at))) {
    return "created_at must be an RFC 3339 UTC time";
  }
  return undefined;
}

function recordProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return "not a JSON object";
  if (!isUuidV7(value.id)) return "id must be a lowercase UUIDv7";
  if (!isNonEmptyString(value.stream_id)) return "stream_id is required";
  if (!isSafeUint(value.seq) || value.seq < 1) return "seq must be a positive integer";
  if (!isNonEmptyString(value.type)) return "type is required";
  return undefined;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}
