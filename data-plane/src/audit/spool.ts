// The audit write-ahead spool. append() gives each event its UUIDv7 id, stream id and gap-free seq and writes
// the canonical record to a segment file at once (so a process crash loses nothing; fsync is group-committed on
// a short timer, or awaited with {durable: true}). Each segment is sealed into one signed, hash-chained batch
// file; batch files are deleted only after the control plane acknowledged them. On open the spool resumes from
// disk; a lost or corrupt spool starts a new stream whose first record is a signed discontinuity.
//
// Layout under dataDir: audit-state.json (stream id, last sealed and last acknowledged batch), spool/STREAM
// (the stream the spool directory belongs to), spool/seg-<first event seq>.wal, spool/batch-<batch seq>.batch
// (the batch JWS, "\n", the records bytes: exactly what is sent).
import { closeSync, fsync as fsyncCallback, ftruncateSync, openSync, writeSync } from "node:fs";
import { readdir, readFile, rename, rm, unlink } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import {
  type AuditRecord,
  type ChainHead,
  checkChain,
  discontinuityRecord,
  encodeRecord,
  GENESIS_HEAD,
  isSha256Hex,
  isUuidV7,
  parseCanonical,
  parseSafeUint,
  type SigningKeyPair,
  sealBatch,
  uuidv7,
  uuidv7Timestamp,
  verifyBatch,
} from "@portcullis/proto";
import { createBackoff, sleep } from "../config/backoff.ts";
import {
  ensurePrivateDirectory,
  fsyncDirectory,
  isTempFile,
  removeStaleTempFiles,
  writeFileDurably,
} from "../lib/durable-file.ts";
import type { Logger } from "../log.ts";

const fsync = promisify(fsyncCallback);

export const STATE_FILE = "audit-state.json";
export const SPOOL_DIR = "spool";
const MARKER_FILE = "STREAM";
const NEWLINE = Buffer.from("\n");

export interface SpoolLimits {
  /** Seal a batch at this many events. */
  maxBatchEvents: number;
  /** Seal a batch before it would exceed this many record bytes. */
  maxBatchBytes: number;
  /** Seal a batch this long after its first event. */
  maxBatchAgeMs: number;
  /** Group commit: fsync the open segment this long after a write. */
  commitIntervalMs: number;
  /** The spool bound: unacknowledged bytes on disk... */
  maxBytes: number;
  /** ...and unacknowledged events. Past either, append() rejects with SpoolFullError. */
  maxEvents: number;
  /** A single record larger than this is refused (it could never be shipped). */
  maxRecordBytes: number;
}

export const DEFAULT_SPOOL_LIMITS: Readonly<SpoolLimits> = Object.freeze({
  maxBatchEvents: 500,
  maxBatchBytes: 256 * 1024,
  maxBatchAgeMs: 200,
  commitIntervalMs: 10,
  maxBytes: 512 * 1024 * 1024,
  maxEvents: 2_000_000,
  maxRecordBytes: 1024 * 1024,
});

/** The spool is at its bound: the event was NOT recorded. The caller applies the spool-full policy. */
export class SpoolFullError extends Error {
  override readonly name = "SpoolFullError";
  readonly bound: "bytes" | "events";
  constructor(bound: "bytes" | "events", message: string) {
    super(message);
    this.bound = bound;
  }
}

export interface AuditSpoolOptions extends Partial<SpoolLimits> {
  dataDir: string;
  nodeId: string;
  /** The node's signing key: seals batches, and checks spooled batches on recovery. */
  signing: SigningKeyPair;
  /** The config version served when a batch is sealed (0 when none). */
  configVersion?: () => number;
  logger: Logger;
}

/** An event to record. `stream_id` and `seq` are the spool's to assign. */
export interface AuditEventInput {
  type: string;
  /** UUIDv7; assigned when missing (pass one when it must be known before appending, e.g. a decision id). */
  id?: string;
  /** RFC 3339 time; now when missing. */
  at?: string;
  [field: string]: unknown;
}

export interface AppendedRecord {
  id: string;
  streamId: string;
  seq: number;
}

/** A sealed batch waiting for the control plane's acknowledgement. */
export interface SealedBatchInfo {
  readonly seq: number;
  readonly batchHash: string;
  readonly firstEventSeq: number;
  readonly lastEventSeq: number;
  readonly count: number;
  /** Size of the batch file. */
  readonly bytes: number;
  /** When its oldest event was recorded (ms since the epoch). */
  readonly oldestAt: number;
}

/** What opening the spool found. */
export interface SpoolRecovery {
  kind: "new" | "resumed" | "discontinuity";
  streamId: string;
  previousStreamId?: string;
  reason?: string;
  /** Where the damaged spool was moved, for inspection. */
  quarantinedTo?: string;
  /** Sealed batches found waiting to be shipped, and unsealed records found in segments. */
  pendingBatches: number;
  unsealedRecords: number;
}

/** The control plane's position in a stream (AuditService.Query). */
export interface StreamCursor {
  streamId: string;
  lastSeq: number | string;
  lastBatchHash: string;
}

export interface AuditSpool {
  readonly streamId: string;
  readonly recovery: SpoolRecovery;
  /**
   * Records an event. Resolves once written to the spool file (a process crash cannot lose it), or with
   * `{durable: true}` once fsynced. Rejects with SpoolFullError at the bound; the event is not recorded.
   */
  append(event: AuditEventInput, options?: { durable?: boolean }): Promise<AppendedRecord>;
  /** Seals everything appended so far and makes it durable. */
  flush(): Promise<void>;
  /** Events not yet acknowledged by the control plane. */
  depth(): number;
  /** Age in ms of the oldest unacknowledged event (0 when none). */
  lagMs(): number;
  usage(): { events: number; bytes: number };
  isFull(): boolean;
  onFullChange(listener: (full: boolean) => void): () => void;
  /** Sealed, unacknowledged batches in seq order (the shipper's queue). */
  pendingBatches(): readonly SealedBatchInfo[];
  /** The pending batch right after `seq`, if sealed. */
  batchAfter(seq: number): SealedBatchInfo | undefined;
  /** The exact bytes to send for a pending batch. */
  readBatch(batch: SealedBatchInfo): Promise<{ jws: string; records: Buffer }>;
  /** Marks the oldest pending batch acknowledged; resolves once that is durable and its file deleted. */
  acknowledge(batch: SealedBatchInfo, receipt?: string): Promise<void>;
  /** Drops pending batches the control plane already holds. Throws when its cursor contradicts the spool. */
  reconcile(cursor: StreamCursor): Promise<number>;
  lastAcked(): ChainHead;
  onSealed(listener: () => void): () => void;
  /** Resolves when every event has been acknowledged, durably (state written, batch files deleted). */
  whenEmpty(): Promise<void>;
  /** Seals and fsyncs what is open and stops. Later appends reject. */
  close(): Promise<void>;
}

interface AckedHead extends ChainHead {
  receipt?: string;
}

interface SpoolState {
  v: 1;
  streamId: string;
  startedAt: string;
  /** The last batch the control plane acknowledged. */
  lastAcked: AckedHead;
  /** The last batch written to disk (files between lastAcked and sealed must all exist). */
  sealed: ChainHead;
}

interface Segment {
  path: string;
  fd: number | undefined;
  /** Seq of records[0]. */
  firstSeq: number;
  /** Encoded records (no newline), not yet sealed. */
  records: Buffer[];
  /** Record bytes plus newlines. */
  bytes: number;
  /** File size, to undo a failed write. */
  fileSize: number;
  firstAt: number;
  written: number;
  synced: number;
  syncChain: Promise<void>;
  waiters: { count: number; resolve: () => void; reject: (error: Error) => void }[];
}

/** Opens (recovering or creating) the spool in `dataDir`. */
export async function openSpool(options: AuditSpoolOptions): Promise<AuditSpool> {
  const limits: SpoolLimits = { ...DEFAULT_SPOOL_LIMITS };
  for (const key of Object.keys(DEFAULT_SPOOL_LIMITS) as (keyof SpoolLimits)[]) {
    const value = options[key];
    if (value !== undefined) {
      if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`spool ${key} must be positive`);
      limits[key] = value;
    }
  }
  const { logger, nodeId, signing } = options;
  const configVersion = options.configVersion ?? (() => 0);
  const stateFile = path.join(options.dataDir, STATE_FILE);
  const spoolDir = path.join(options.dataDir, SPOOL_DIR);
  await ensurePrivateDirectory(options.dataDir);

  let state: SpoolState;
  let nextSeq = 1;
  let open: Segment | undefined;
  const toSeal: Segment[] = [];
  const pending: SealedBatchInfo[] = [];
  let unackedEvents = 0;
  let unackedBytes = 0;
  let full = false;
  let fullBound: "bytes" | "events" = "events";
  let refused: { count: number; first: string; last: string } | undefined;
  let closed = false;
  let ageTimer: NodeJS.Timeout | undefined;
  let commitTimer: NodeJS.Timeout | undefined;
  let sealing: Promise<void> | undefined;
  let dirDirty = false;
  const sealedListeners = new Set<() => void>();
  const fullListeners = new Set<(full: boolean) => void>();
  let emptyWaiters: (() => void)[] = [];
  let acksInProgress = 0;

  // ---- state file: coalesced durable writes of the in-memory state ----
  let stateWriting: Promise<void> = Promise.resolve();
  let stateQueued: Promise<void> | undefined;
  function persistState(): Promise<void> {
    if (stateQueued) return stateQueued;
    const run = async () => {
      stateQueued = undefined;
      await writeFileDurably(stateFile, JSON.stringify(state), 0o600);
    };
    const next = stateWriting.catch(() => {}).then(run);
    stateQueued = next;
    stateWriting = next;
    return next;
  }

  // ---- recovery ----
  const recovery = await recover();
  logger.info({ ...recovery }, "audit spool opened");

  async function recover(): Promise<SpoolRecovery> {
    await removeStaleTempFiles(options.dataDir);
    await removeStaleTempFiles(spoolDir);
    const names = await listSpool();
    const marker = await readMarker();
    const hasData = names.some(isDataFile);
    let text: string | undefined;
    try {
      text = await readFile(stateFile, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    if (text === undefined) {
      if (!hasData) return startStream(undefined);
      return startStream({
        previousStreamId: marker ?? "unknown",
        lastAcked: GENESIS_HEAD,
        reason: "audit state file is missing",
      });
    }
    const loaded = parseState(text);
    if (!loaded) {
      return startStream({
        previousStreamId: marker ?? "unknown",
        lastAcked: GENESIS_HEAD,
        reason: "audit state file is unreadable",
      });
    }
    state = loaded;
    const lost = (reason: string) =>
      startStream({ previousStreamId: loaded.streamId, lastAcked: loaded.lastAcked, reason });
    if (marker !== loaded.streamId) {
      return lost(marker === undefined ? "spool directory is missing" : "spool directory belongs to another stream");
    }
    try {
      return await resume(names);
    } catch (error) {
      return lost(`spool is corrupt: ${(error as Error).message}`);
    }
  }

  async function listSpool(): Promise<string[]> {
    try {
      return (await readdir(spoolDir)).filter((n) => !isTempFile(n));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
  }

  async function readMarker(): Promise<string | undefined> {
    try {
      const value = (await readFile(path.join(spoolDir, MARKER_FILE), "utf8")).trim();
      return value === "" ? undefined : value;
    } catch {
      return undefined;
    }
  }

  /** Resumes the stream in `state` from the files in the spool directory; throws when they do not add up. */
  async function resume(names: string[]): Promise<SpoolRecovery> {
    const streamId = state.streamId;
    let head: ChainHead = { ...state.lastAcked };
    const batchNames = names.filter((n) => /^batch-\d{12}\.batch$/.test(n)).sort();
    for (const name of batchNames) {
      const seq = Number(name.slice(6, 18));
      const file = path.join(spoolDir, name);
      if (seq <= state.lastAcked.seq) {
        await rm(file, { force: true }); // acknowledged; the crash came between the state write and the delete
        continue;
      }
      const { jws, records } = splitBatchFile(await readFile(file));
      const verified = verifyBatch(jws, records, signing.publicKey, { nodeId, streamId });
      if (!verified.ok) throw new Error(`${name}: ${verified.code}: ${verified.message}`);
      if (verified.value.manifest.seq !== seq) throw new Error(`${name}: holds batch ${verified.value.manifest.seq}`);
      const chained = checkChain(head, verified.value);
      if (!chained.ok) throw new Error(`${name}: ${chained.code}: ${chained.message}`);
      head = chained.value;
      const m = verified.value.manifest;
      pending.push(
        Object.freeze({
          seq: m.seq,
          batchHash: verified.value.batchHash,
          firstEventSeq: m.first_event_seq,
          lastEventSeq: m.last_event_seq,
          count: m.count,
          bytes: jws.length + 1 + records.length,
          oldestAt: recordTime(verified.value.records[0]),
        }),
      );
      unackedEvents += m.count;
      unackedBytes += jws.length + 1 + records.length;
    }
    if (head.seq < state.sealed.seq) {
      throw new Error(`batches ${head.seq + 1}..${state.sealed.seq} are missing`);
    }
    state.sealed = head;
    let expected = head.lastEventSeq + 1;
    let unsealed = 0;
    const segmentNames = names.filter((n) => /^seg-\d{15}\.wal$/.test(n)).sort();
    for (const [index, name] of segmentNames.entries()) {
      const file = path.join(spoolDir, name);
      const bytes = await readFile(file);
      const lines = splitLines(bytes, index === segmentNames.length - 1);
      const segment = newSegment(file, undefined, expected);
      for (const line of lines) {
        let record: AuditRecord;
        try {
          record = parseCanonical(line) as AuditRecord;
        } catch (error) {
          throw new Error(`${name}: ${(error as Error).message}`);
        }
        if (record?.stream_id !== streamId || !Number.isSafeInteger(record.seq)) {
          throw new Error(`${name}: a record of another stream`);
        }
        if (record.seq < expected) continue; // already sealed into a batch
        if (record.seq !== expected) throw new Error(`${name}: event ${expected} is missing`);
        if (segment.records.length === 0) segment.firstAt = recordTime(record);
        segment.records.push(Buffer.from(line));
        segment.bytes += line.length + 1;
        expected += 1;
      }
      if (segment.records.length > 0) {
        toSeal.push(segment);
        unsealed += segment.records.length;
        unackedEvents += segment.records.length;
        unackedBytes += segment.bytes;
      } else {
        await rm(file, { force: true });
      }
    }
    nextSeq = expected;
    await persistState();
    if (toSeal.length > 0) kickSealer();
    return {
      kind: "resumed",
      streamId,
      pendingBatches: pending.length,
      unsealedRecords: unsealed,
    };
  }

  /** Starts a fresh stream; with `loss`, quarantines the old spool and opens with a discontinuity record. */
  async function startStream(
    loss: { previousStreamId: string; lastAcked: ChainHead; reason: string } | undefined,
  ): Promise<SpoolRecovery> {
    // Forget whatever a failed resume had already queued from the old stream.
    pending.length = 0;
    toSeal.length = 0;
    unackedEvents = 0;
    unackedBytes = 0;
    let quarantinedTo: string | undefined;
    const leftovers = await listSpool();
    if (leftovers.some(isDataFile)) {
      quarantinedTo = `${spoolDir}.lost-${new Date().toISOString().replace(/[:.]/g, "-")}`;
      await rename(spoolDir, quarantinedTo);
      await fsyncDirectory(options.dataDir);
    } else {
      await rm(spoolDir, { recursive: true, force: true });
    }
    const streamId = uuidv7();
    await ensurePrivateDirectory(spoolDir);
    await writeFileDurably(path.join(spoolDir, MARKER_FILE), `${streamId}\n`, 0o600);
    state = {
      v: 1,
      streamId,
      startedAt: new Date().toISOString(),
      lastAcked: { ...GENESIS_HEAD },
      sealed: { ...GENESIS_HEAD },
    };
    await persistState();
    nextSeq = 1;
    if (!loss) return { kind: "new", streamId, pendingBatches: 0, unsealedRecords: 0 };
    logger.error(
      { previousStreamId: loss.previousStreamId, reason: loss.reason, quarantinedTo },
      "audit spool lost; starting a new stream with a discontinuity record",
    );
    const record = discontinuityRecord({
      streamId,
      previousStreamId: loss.previousStreamId,
      lastAcked: { seq: loss.lastAcked.seq, batchHash: loss.lastAcked.batchHash },
      reason: loss.reason,
    });
    const { durable } = writeRecord(encodeRecord(record));
    await durable();
    return {
      kind: "discontinuity",
      streamId,
      previousStreamId: loss.previousStreamId,
      reason: loss.reason,
      ...(quarantinedTo ? { quarantinedTo } : {}),
      pendingBatches: 0,
      unsealedRecords: 0,
    };
  }

  // ---- appending ----
  function newSegment(file: string, fd: number | undefined, firstSeq: number): Segment {
    return {
      path: file,
      fd,
      firstSeq,
      records: [],
      bytes: 0,
      fileSize: 0,
      firstAt: Date.now(),
      written: 0,
      synced: 0,
      syncChain: Promise.resolve(),
      waiters: [],
    };
  }

  /** Writes one encoded record (whose seq must be nextSeq) to the open segment. Throws on I/O errors. */
  function writeRecord(bytes: Buffer): { durable: () => Promise<void> } {
    const lineLength = bytes.length + 1;
    if (open && open.records.length > 0 && open.bytes + lineLength > limits.maxBatchBytes) rotate();
    if (!open) {
      const file = path.join(spoolDir, `seg-${String(nextSeq).padStart(15, "0")}.wal`);
      open = newSegment(file, openSync(file, "ax", 0o600), nextSeq);
      dirDirty = true;
      ageTimer = setTimeout(rotate, limits.maxBatchAgeMs);
    }
    const segment = open;
    const line = Buffer.concat([bytes, NEWLINE]);
    try {
      let offset = 0;
      while (offset < line.length) offset += writeSync(segment.fd as number, line, offset, line.length - offset);
    } catch (error) {
      // Undo a partial line so the segment stays a clean sequence of records.
      try {
        ftruncateSync(segment.fd as number, segment.fileSize);
      } catch {}
      throw error;
    }
    segment.fileSize += line.length;
    segment.records.push(bytes);
    segment.bytes += lineLength;
    segment.written += 1;
    nextSeq += 1;
    unackedEvents += 1;
    unackedBytes += lineLength;
    const count = segment.written;
    commitTimer ??= setTimeout(commitNow, limits.commitIntervalMs);
    if (segment.records.length >= limits.maxBatchEvents) rotate();
    return {
      durable: () =>
        segment.synced >= count
          ? Promise.resolve()
          : new Promise<void>((resolve, reject) => segment.waiters.push({ count, resolve, reject })),
    };
  }

  function overBound(extraBytes: number): "bytes" | "events" | undefined {
    if (unackedEvents + 1 > limits.maxEvents) return "events";
    if (unackedBytes + extraBytes > limits.maxBytes) return "bytes";
    return undefined;
  }

  function setFull(value: boolean): void {
    if (full === value) return;
    full = value;
    if (value) logger.error({ events: unackedEvents, bytes: unackedBytes }, "audit spool is full");
    else logger.warn({ refused: refused?.count ?? 0 }, "audit spool has room again");
    for (const listener of fullListeners) listener(value);
  }

  function append(event: AuditEventInput, appendOptions: { durable?: boolean } = {}): Promise<AppendedRecord> {
    if (closed) return Promise.reject(new Error("audit spool is closed"));
    if (event === null || typeof event !== "object") return Promise.reject(new TypeError("event must be an object"));
    if ("stream_id" in event || "seq" in event) {
      return Promise.reject(new TypeError("stream_id and seq are assigned by the spool"));
    }
    const now = new Date();
    let bytes: Buffer;
    const record: AuditRecord = {
      ...event,
      id: event.id ?? uuidv7(now.getTime()),
      stream_id: state.streamId,
      seq: nextSeq,
      at: event.at ?? now.toISOString(),
    };
    try {
      bytes = encodeRecord(record);
    } catch (error) {
      return Promise.reject(error);
    }
    if (bytes.length > limits.maxRecordBytes) {
      return Promise.reject(new RangeError(`audit record of ${bytes.length} bytes exceeds ${limits.maxRecordBytes}`));
    }
    const bound = full ? fullBound : overBound(bytes.length + 1);
    if (bound) {
      fullBound = bound;
      const at = now.toISOString();
      refused = refused ? { ...refused, count: refused.count + 1, last: at } : { count: 1, first: at, last: at };
      setFull(true);
      return Promise.reject(
        new SpoolFullError(
          bound,
          `audit spool is full (${unackedEvents} events, ${unackedBytes} bytes unacknowledged); the event was not recorded`,
        ),
      );
    }
    try {
      if (refused) {
        // Never silent: the events refused while full are counted in a record of their own.
        const overflow = encodeRecord({
          id: uuidv7(now.getTime()),
          stream_id: state.streamId,
          seq: nextSeq,
          type: "spool_overflow",
          at: now.toISOString(),
          refused_events: refused.count,
          first_refused_at: refused.first,
          last_refused_at: refused.last,
          reason: `spool bound exceeded (${fullBound})`,
        });
        writeRecord(overflow);
        refused = undefined;
        record.seq = nextSeq;
        bytes = encodeRecord(record);
      }
      const { durable } = writeRecord(bytes);
      const appended: AppendedRecord = { id: record.id, streamId: record.stream_id, seq: record.seq };
      return appendOptions.durable ? durable().then(() => appended) : Promise.resolve(appended);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // ---- group commit ----
  function commitNow(): void {
    commitTimer = undefined;
    for (const segment of [open, ...toSeal]) {
      if (segment && segment.written > segment.synced) void syncSegment(segment);
    }
  }

  function syncSegment(segment: Segment): Promise<void> {
    const run = async () => {
      const target = segment.written;
      if (segment.fd === undefined || target <= segment.synced) return;
      const withDir = dirDirty;
      dirDirty = false;
      try {
        await fsync(segment.fd);
        if (withDir) await fsyncDirectory(spoolDir);
      } catch (error) {
        if (withDir) dirDirty = true;
        logger.error({ err: String(error), file: segment.path }, "audit spool fsync failed");
        const failed = segment.waiters.filter((w) => w.count <= target);
        segment.waiters = segment.waiters.filter((w) => w.count > target);
        for (const waiter of failed) waiter.reject(error as Error);
        throw error;
      }
      segment.synced = target;
      const done = segment.waiters.filter((w) => w.count <= target);
      segment.waiters = segment.waiters.filter((w) => w.count > target);
      for (const waiter of done) waiter.resolve();
    };
    const next = segment.syncChain.then(run);
    segment.syncChain = next.catch(() => {});
    return next;
  }

  // ---- sealing ----
  function rotate(): void {
    clearTimeout(ageTimer);
    ageTimer = undefined;
    if (!open || open.records.length === 0) return;
    toSeal.push(open);
    open = undefined;
    kickSealer();
  }

  function kickSealer(): void {
    sealing ??= sealAll().finally(() => {
      sealing = undefined;
      // A segment rotated while the loop was finishing would otherwise wait for the next rotation.
      if (toSeal.length > 0 && !closed) kickSealer();
    });
  }

  async function sealAll(): Promise<void> {
    const retry = createBackoff({ baseMs: 100, capMs: 5_000 });
    while (toSeal.length > 0) {
      const segment = toSeal[0] as Segment;
      try {
        await sealSegment(segment);
        toSeal.shift();
        retry.reset();
      } catch (error) {
        logger.error({ err: String(error), file: segment.path }, "sealing an audit batch failed; will retry");
        if (closed) return; // the segment stays on disk and is sealed on the next start
        await sleep(retry.next());
      }
    }
  }

  async function sealSegment(segment: Segment): Promise<void> {
    if (segment.fd !== undefined) {
      await syncSegment(segment);
      closeSync(segment.fd);
      segment.fd = undefined;
    }
    while (segment.records.length > 0) {
      const chunk = takeChunk(segment.records);
      const chunkBytes = chunk.reduce((sum, r) => sum + r.length + 1, 0);
      const head = state.sealed;
      const batch = sealBatch({
        nodeId,
        streamId: state.streamId,
        seq: head.seq + 1,
        prevBatchHash: head.batchHash,
        records: chunk,
        configVersion: configVersion(),
        signingKey: signing.privateKey,
        kid: signing.kid,
      });
      const seq = batch.manifest.seq;
      const content = Buffer.concat([Buffer.from(batch.jws), NEWLINE, batch.recordsBytes]);
      await writeFileDurably(batchPath(seq), content, 0o600);
      state.sealed = { seq, batchHash: batch.batchHash, lastEventSeq: batch.manifest.last_event_seq };
      await persistState();
      segment.records = segment.records.slice(chunk.length);
      segment.bytes -= chunkBytes;
      unackedBytes += content.length - chunkBytes;
      pending.push(
        Object.freeze({
          seq,
          batchHash: batch.batchHash,
          firstEventSeq: batch.manifest.first_event_seq,
          lastEventSeq: batch.manifest.last_event_seq,
          count: batch.manifest.count,
          bytes: content.length,
          oldestAt: segment.firstAt,
        }),
      );
      for (const listener of sealedListeners) listener();
    }
    await rm(segment.path, { force: true });
  }

  function takeChunk(records: Buffer[]): Buffer[] {
    let bytes = 0;
    let count = 0;
    for (const record of records) {
      if (count >= limits.maxBatchEvents || (count > 0 && bytes + record.length + 1 > limits.maxBatchBytes)) break;
      bytes += record.length + 1;
      count += 1;
    }
    return records.slice(0, count);
  }

  function batchPath(seq: number): string {
    return path.join(spoolDir, `batch-${String(seq).padStart(12, "0")}.batch`);
  }

  // ---- acknowledgement ----
  async function acknowledge(batch: SealedBatchInfo, receipt?: string): Promise<void> {
    if (batch.seq <= state.lastAcked.seq) return; // already acknowledged (a duplicate ack)
    if (pending[0] !== batch) throw new Error(`batch ${batch.seq} acknowledged out of order`);
    pending.shift();
    state.lastAcked = {
      seq: batch.seq,
      batchHash: batch.batchHash,
      lastEventSeq: batch.lastEventSeq,
      ...(receipt ? { receipt } : {}),
    };
    unackedEvents -= batch.count;
    unackedBytes -= batch.bytes;
    if (full && unackedEvents < limits.maxEvents * 0.9 && unackedBytes < limits.maxBytes * 0.9) setFull(false);
    acksInProgress += 1;
    try {
      // The state must say "acknowledged" before the file goes, or a crash in between would lose the chain head.
      await persistState();
      await unlink(batchPath(batch.seq)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
      });
    } finally {
      acksInProgress -= 1;
      notifyIfEmpty();
    }
  }

  /** "Empty" means every event acknowledged, and that recorded durably with the batch files deleted. */
  function notifyIfEmpty(): void {
    if (unackedEvents !== 0 || acksInProgress !== 0) return;
    const waiters = emptyWaiters;
    emptyWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async function reconcile(cursor: StreamCursor): Promise<number> {
    if (cursor.streamId !== "" && cursor.streamId !== state.streamId) {
      throw new Error(`cursor is for stream ${cursor.streamId}, not ${state.streamId}`);
    }
    const lastSeq = parseSafeUint(cursor.lastSeq);
    if (lastSeq === undefined) throw new Error("cursor last_seq is not a safe uint64");
    const acked = state.lastAcked;
    if (lastSeq <= acked.seq) {
      if (lastSeq === acked.seq && lastSeq > 0 && cursor.lastBatchHash !== acked.batchHash) {
        throw new Error(`the control plane holds a different batch ${lastSeq} than the one it acknowledged`);
      }
      if (lastSeq < acked.seq) {
        logger.warn(
          { controlPlaneSeq: lastSeq, acknowledgedSeq: acked.seq },
          "the control plane's copy of the audit stream ends before batches it acknowledged",
        );
      }
      return 0;
    }
    const match = pending.find((b) => b.seq === lastSeq);
    if (!match) throw new Error(`the control plane reports batch ${lastSeq}, which this node never sealed`);
    if (!isSha256Hex(cursor.lastBatchHash) || match.batchHash !== cursor.lastBatchHash) {
      throw new Error(`the control plane holds a different batch ${lastSeq} than this node sealed`);
    }
    let dropped = 0;
    while (pending.length > 0 && (pending[0] as SealedBatchInfo).seq <= lastSeq) {
      await acknowledge(pending[0] as SealedBatchInfo);
      dropped += 1;
    }
    return dropped;
  }

  function oldestUnackedAt(): number | undefined {
    return pending[0]?.oldestAt ?? toSeal.find((s) => s.records.length > 0)?.firstAt ?? open?.firstAt;
  }

  return {
    get streamId() {
      return state.streamId;
    },
    recovery,
    append,
    async flush() {
      rotate();
      kickSealer();
      await sealing;
      await stateWriting;
    },
    depth: () => unackedEvents,
    lagMs() {
      const oldest = unackedEvents > 0 ? oldestUnackedAt() : undefined;
      return oldest === undefined ? 0 : Math.max(0, Date.now() - oldest);
    },
    usage: () => ({ events: unackedEvents, bytes: unackedBytes }),
    isFull: () => full,
    onFullChange(listener) {
      fullListeners.add(listener);
      return () => fullListeners.delete(listener);
    },
    pendingBatches: () => pending,
    batchAfter(seq) {
      const first = pending[0];
      if (!first) return undefined;
      return pending[Math.max(0, seq + 1 - first.seq)];
    },
    async readBatch(batch) {
      const { jws, records } = splitBatchFile(await readFile(batchPath(batch.seq)));
      return { jws, records };
    },
    acknowledge,
    reconcile,
    lastAcked: () => ({ ...state.lastAcked }),
    onSealed(listener) {
      sealedListeners.add(listener);
      return () => sealedListeners.delete(listener);
    },
    whenEmpty: () =>
      unackedEvents === 0 && acksInProgress === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => emptyWaiters.push(resolve)),
    async close() {
      if (closed) return;
      rotate();
      kickSealer();
      closed = true; // later appends reject; a failing seal is not retried (it is redone on the next start)
      await sealing;
      clearTimeout(commitTimer);
      commitTimer = undefined;
      await stateWriting.catch(() => {});
      if (toSeal.length > 0) logger.warn({ segments: toSeal.length }, "audit spool closed with unsealed segments");
    },
  };
}

function isDataFile(name: string): boolean {
  return name.startsWith("seg-") || name.startsWith("batch-");
}

function parseState(text: string): SpoolState | undefined {
  try {
    const s = JSON.parse(text) as SpoolState;
    const head = (h: ChainHead | undefined) =>
      !!h &&
      parseSafeUint(h.seq) !== undefined &&
      isSha256Hex(h.batchHash) &&
      parseSafeUint(h.lastEventSeq) !== undefined;
    if (s?.v !== 1 || !isUuidV7(s.streamId) || !head(s.lastAcked) || !head(s.sealed)) return undefined;
    if (s.sealed.seq < s.lastAcked.seq) return undefined;
    return s;
  } catch {
    return undefined;
  }
}

/** A batch file is the JWS, one newline, then the records bytes. */
function splitBatchFile(bytes: Buffer): { jws: string; records: Buffer } {
  const cut = bytes.indexOf(0x0a);
  if (cut <= 0) throw new Error("batch file has no JWS line");
  return { jws: bytes.subarray(0, cut).toString("ascii"), records: bytes.subarray(cut + 1) };
}

/** Splits a segment into records. An unterminated last line is a torn write; only the newest segment may have one. */
function splitLines(bytes: Buffer, isNewest: boolean): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, start)) {
    lines.push(bytes.subarray(start, i));
    start = i + 1;
  }
  if (start < bytes.length && !isNewest) throw new Error("a sealed-over segment ends in a torn record");
  return lines;
}

function recordTime(record: AuditRecord | undefined): number {
  if (!record) return Date.now();
  const at = typeof record.at === "string" ? Date.parse(record.at) : Number.NaN;
  if (!Number.isNaN(at)) return at;
  return isUuidV7(record.id) ? uuidv7Timestamp(record.id) : Date.now();
}
