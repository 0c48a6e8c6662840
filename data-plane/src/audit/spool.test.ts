import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  type AuditRecord,
  type ChainHead,
  checkChain,
  exportPrivateKeyPem,
  GENESIS_HASH,
  generateSigningKeyPair,
  isDiscontinuityRecord,
  isUuidV7,
  parseCanonical,
  uuidv7,
  verifyBatch,
} from "@portcullis/proto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runChild, tempDir, waitFor } from "../../test/fixtures.ts";
import { silentLogger } from "../log.ts";
import { type AuditSpool, type AuditSpoolOptions, openSpool, SpoolFullError, STATE_FILE } from "./spool.ts";

const WRITER = fileURLToPath(new URL("../../test/spool-writer.ts", import.meta.url));
const NODE_ID = "node-1";
const signing = generateSigningKeyPair();
/** Large enough that nothing is sealed by time unless a test wants it. */
const NO_TIMER = { maxBatchAgeMs: 60_000 };

describe("audit spool", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const spools: AuditSpool[] = [];
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(async () => {
    for (const spool of spools.splice(0)) await spool.close();
    await cleanup();
  });

  async function open(options: Partial<AuditSpoolOptions> = {}): Promise<AuditSpool> {
    const spool = await openSpool({ dataDir: dir, nodeId: NODE_ID, signing, logger: silentLogger, ...options });
    spools.push(spool);
    return spool;
  }

  async function closeSpool(spool: AuditSpool): Promise<void> {
    spools.splice(spools.indexOf(spool), 1);
    await spool.close();
  }

  /** Reads every pending batch, verifies it and its chain from `from`, and returns its records. */
  async function shippedRecords(spool: AuditSpool, from: ChainHead | null = null): Promise<AuditRecord[]> {
    let head = from;
    const records: AuditRecord[] = [];
    for (const batch of spool.pendingBatches()) {
      const { jws, records: bytes } = await spool.readBatch(batch);
      const verified = verifyBatch(jws, bytes, signing.publicKey, { nodeId: NODE_ID, streamId: spool.streamId });
      if (!verified.ok) throw new Error(verified.message);
      const chained = checkChain(head, verified.value);
      if (!chained.ok) throw new Error(chained.message);
      head = chained.value;
      expect(verified.value.batchHash).toBe(batch.batchHash);
      records.push(...verified.value.records);
    }
    return records;
  }

  async function crashWriter(
    job: Record<string, unknown>,
  ): Promise<{ streamId: string; appended: number; sealed: number }> {
    const file = path.join(dir, `job-${Math.random()}.json`);
    await writeFile(
      file,
      JSON.stringify({ dataDir: dir, nodeId: NODE_ID, signingPem: exportPrivateKeyPem(signing.privateKey), ...job }),
    );
    const { stdout, signal } = await runChild(WRITER, [file]);
    await rm(file);
    expect(signal).toBe("SIGKILL");
    return JSON.parse(stdout);
  }

  it("assigns a UUIDv7 id, the stream id, a gap-free seq and a time; the record is on disk at once", async () => {
    const spool = await open(NO_TIMER);
    expect(spool.recovery.kind).toBe("new");
    const given = uuidv7();
    const a = await spool.append({ type: "decision", tool: "add" });
    const b = await spool.append({ type: "decision", id: given });
    const c = await spool.append({ type: "decision" }, { durable: true });
    expect([a.seq, b.seq, c.seq]).toEqual([1, 2, 3]);
    expect(isUuidV7(a.id)).toBe(true);
    expect(b.id).toBe(given);
    expect(a.streamId).toBe(spool.streamId);
    const segments = (await readdir(path.join(dir, "spool"))).filter((n) => n.startsWith("seg-"));
    const lines = (await readFile(path.join(dir, "spool", segments[0] as string), "utf8")).trimEnd().split("\n");
    const records = lines.map((line) => parseCanonical(line) as AuditRecord);
    expect(records.map((r) => [r.seq, r.stream_id, r.type])).toEqual([
      [1, spool.streamId, "decision"],
      [2, spool.streamId, "decision"],
      [3, spool.streamId, "decision"],
    ]);
    expect(records[0]?.tool).toBe("add");
    expect(typeof records[0]?.at).toBe("string");
    expect(spool.depth()).toBe(3);
  });

  it("refuses events it cannot record faithfully, without using up a seq", async () => {
    const spool = await open(NO_TIMER);
    await expect(spool.append({ type: "x", seq: 9 })).rejects.toThrow(/assigned by the spool/);
    await expect(spool.append({ type: "x", stream_id: "s" })).rejects.toThrow(/assigned by the spool/);
    await expect(spool.append({ type: "x", amount: Number.NaN })).rejects.toThrow();
    await expect(spool.append({ type: "x", id: "not-a-uuid" })).rejects.toThrow(/UUIDv7/);
    await expect(spool.append({ type: "" })).rejects.toThrow(/type/);
    expect((await spool.append({ type: "ok" })).seq).toBe(1);
  });

  it("seals by count, by bytes and by time into signed batches chained from GENESIS", async () => {
    const spool = await open({ maxBatchEvents: 10, maxBatchBytes: 2_000, maxBatchAgeMs: 100 });
    for (let i = 0; i < 25; i++) await spool.append({ type: "t", i });
    await waitFor("count-sealed batches", () => spool.pendingBatches().length === 2);
    await waitFor("time-sealed batch", () => spool.pendingBatches().length === 3);
    expect(spool.pendingBatches().map((b) => b.count)).toEqual([10, 10, 5]);
    for (let i = 0; i < 5; i++) await spool.append({ type: "t", i: 25 + i, pad: "x".repeat(600) });
    await waitFor("byte-sealed batches", () => spool.pendingBatches().length >= 5);
    await spool.flush();
    const records = await shippedRecords(spool);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(records.map((r) => r.i)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    for (const batch of spool.pendingBatches().slice(3)) expect(batch.bytes).toBeLessThan(2_000 + 800);
    expect(spool.pendingBatches()[0]).toMatchObject({ seq: 1, firstEventSeq: 1, lastEventSeq: 10 });
    const { jws } = await spool.readBatch(spool.pendingBatches()[0] as never);
    expect(JSON.parse(Buffer.from(jws.split(".")[1] as string, "base64url").toString()).prev).toBe(GENESIS_HASH);
  });

  it("resumes after a crash: sealed batches are resent byte for byte, unsealed records go into the next batch", async () => {
    const crashed = await crashWriter({ count: 25, limits: { maxBatchEvents: 10, ...NO_TIMER }, waitForSealed: 2 });
    expect(crashed.sealed).toBe(2);
    const batchFiles = (await readdir(path.join(dir, "spool"))).filter((n) => n.startsWith("batch-")).sort();
    const before = await Promise.all(batchFiles.map((n) => readFile(path.join(dir, "spool", n))));

    const spool = await open({ maxBatchEvents: 10, ...NO_TIMER });
    expect(spool.recovery).toMatchObject({
      kind: "resumed",
      streamId: crashed.streamId,
      pendingBatches: 2,
      unsealedRecords: 5,
    });
    await waitFor("recovered records sealed", () => spool.pendingBatches().length === 3);
    const resent = await Promise.all(
      spool
        .pendingBatches()
        .slice(0, 2)
        .map((b) => spool.readBatch(b)),
    );
    resent.forEach((batch, i) => {
      expect(Buffer.concat([Buffer.from(`${batch.jws}\n`), batch.records]).equals(before[i] as Buffer)).toBe(true);
    });
    const next = await spool.append({ type: "test", i: 25 });
    expect(next.seq).toBe(26);
    await spool.flush();
    const records = await shippedRecords(spool);
    expect(records.map((r) => r.i)).toEqual(Array.from({ length: 26 }, (_, i) => i));
    expect(spool.depth()).toBe(26);
  });

  it("drops a torn last record (a write cut short by the crash) and loses nothing that was written", async () => {
    await crashWriter({ count: 7, limits: NO_TIMER, tearTail: true });
    const spool = await open(NO_TIMER);
    expect(spool.recovery).toMatchObject({ kind: "resumed", unsealedRecords: 7 });
    expect((await spool.append({ type: "test", i: 7 })).seq).toBe(8);
    await spool.flush();
    expect((await shippedRecords(spool)).map((r) => r.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("a corrupt batch file starts a new stream whose first record is a signed discontinuity", async () => {
    const crashed = await crashWriter({ count: 20, limits: { maxBatchEvents: 10, ...NO_TIMER }, waitForSealed: 2 });
    const file = path.join(dir, "spool", "batch-000000000002.batch");
    const bytes = await readFile(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 5) ^ 0x01, bytes.length - 5);
    await writeFile(file, bytes);

    const spool = await open(NO_TIMER);
    expect(spool.recovery).toMatchObject({
      kind: "discontinuity",
      previousStreamId: crashed.streamId,
      reason: expect.stringMatching(/spool is corrupt: batch-000000000002.batch: records_hash_mismatch/),
    });
    expect(spool.streamId).not.toBe(crashed.streamId);
    expect(spool.recovery.quarantinedTo).toBeDefined();
    expect(await readdir(spool.recovery.quarantinedTo as string)).toContain("batch-000000000002.batch");
    await spool.append({ type: "test", i: 100 });
    await spool.flush();
    const [first, second] = await shippedRecords(spool);
    expect(isDiscontinuityRecord(first)).toBe(true);
    expect(first).toMatchObject({
      seq: 1,
      stream_id: spool.streamId,
      previous_stream_id: crashed.streamId,
      last_acked_seq: 0,
      last_acked_batch_hash: GENESIS_HASH,
    });
    expect(second).toMatchObject({ seq: 2, i: 100 });
  });

  it("a deleted spool directory is a loss, reported with the last acknowledged batch", async () => {
    const first = await open({ maxBatchEvents: 5, ...NO_TIMER });
    for (let i = 0; i < 8; i++) await first.append({ type: "t", i });
    await first.flush();
    const acked = first.pendingBatches()[0];
    await first.acknowledge(acked as never, "receipt");
    const streamId = first.streamId;
    await closeSpool(first);
    expect(JSON.parse(await readFile(path.join(dir, STATE_FILE), "utf8")).lastAcked).toMatchObject({
      seq: 1,
      batchHash: acked?.batchHash,
      receipt: "receipt",
    });
    await rm(path.join(dir, "spool"), { recursive: true });

    const spool = await open(NO_TIMER);
    expect(spool.recovery).toMatchObject({
      kind: "discontinuity",
      previousStreamId: streamId,
      reason: "spool directory is missing",
    });
    await spool.flush();
    const [record] = await shippedRecords(spool);
    expect(record).toMatchObject({ last_acked_seq: 1, last_acked_batch_hash: acked?.batchHash });
  });

  it("a lost state file with spooled data is a loss too; an empty directory is simply a new stream", async () => {
    const first = await open(NO_TIMER);
    await first.append({ type: "t" });
    const streamId = first.streamId;
    await closeSpool(first);
    await rm(path.join(dir, STATE_FILE));
    const spool = await open(NO_TIMER);
    expect(spool.recovery).toMatchObject({
      kind: "discontinuity",
      previousStreamId: streamId,
      reason: "audit state file is missing",
    });
    await closeSpool(spool);

    const fresh = await tempDir();
    try {
      const other = await openSpool({ dataDir: fresh.dir, nodeId: NODE_ID, signing, logger: silentLogger });
      expect(other.recovery.kind).toBe("new");
      await other.close();
    } finally {
      await fresh.cleanup();
    }
  });

  it("acknowledging deletes the batch file only after the state says so; depth and lag follow", async () => {
    const spool = await open({ maxBatchEvents: 3, ...NO_TIMER });
    expect(spool.lagMs()).toBe(0);
    for (let i = 0; i < 7; i++) await spool.append({ type: "t", i, at: new Date(Date.now() - 60_000).toISOString() });
    await spool.flush();
    expect(spool.depth()).toBe(7);
    expect(spool.lagMs()).toBeGreaterThanOrEqual(0);
    const [b1, b2, b3] = spool.pendingBatches();
    await spool.acknowledge(b1 as never);
    await expect(spool.acknowledge(b3 as never)).rejects.toThrow(/out of order/);
    await spool.acknowledge(b1 as never); // a repeated ack is harmless
    expect(spool.depth()).toBe(4);
    expect(spool.lastAcked()).toMatchObject({ seq: 1, batchHash: b1?.batchHash, lastEventSeq: 3 });
    const files = (await readdir(path.join(dir, "spool"))).filter((n) => n.startsWith("batch-")).sort();
    expect(files).toEqual(["batch-000000000002.batch", "batch-000000000003.batch"]);
    await spool.acknowledge(b2 as never);
    await spool.acknowledge(b3 as never);
    expect(spool.depth()).toBe(0);
    expect(spool.lagMs()).toBe(0);
    await spool.whenEmpty();
  });

  it("reconcile drops what the control plane holds and refuses a cursor that contradicts the spool", async () => {
    const spool = await open({ maxBatchEvents: 2, ...NO_TIMER });
    for (let i = 0; i < 6; i++) await spool.append({ type: "t", i });
    await spool.flush();
    const [b1, b2] = spool.pendingBatches();
    const streamId = spool.streamId;
    expect(await spool.reconcile({ streamId, lastSeq: "0", lastBatchHash: GENESIS_HASH })).toBe(0);
    await expect(spool.reconcile({ streamId, lastSeq: "2", lastBatchHash: "f".repeat(64) })).rejects.toThrow(
      /different batch 2/,
    );
    await expect(spool.reconcile({ streamId, lastSeq: "9", lastBatchHash: "f".repeat(64) })).rejects.toThrow(
      /never sealed/,
    );
    expect(await spool.reconcile({ streamId, lastSeq: "2", lastBatchHash: b2?.batchHash as string })).toBe(2);
    expect(spool.pendingBatches().map((b) => b.seq)).toEqual([3]);
    expect(spool.lastAcked().batchHash).toBe(b2?.batchHash);
    expect(b1).toBeDefined();
  });

  it("A08 past the bound: rejects with SpoolFullError and records nothing; once there is room, an overflow record says how many were refused", async () => {
    const spool = await open({ maxEvents: 5, maxBatchEvents: 5, ...NO_TIMER });
    const changes: boolean[] = [];
    spool.onFullChange((full) => changes.push(full));
    for (let i = 0; i < 5; i++) await spool.append({ type: "t", i });
    const refused = spool.append({ type: "t", i: 5 });
    await expect(refused).rejects.toBeInstanceOf(SpoolFullError);
    await expect(refused).rejects.toMatchObject({ bound: "events" });
    await expect(spool.append({ type: "t", i: 6 })).rejects.toBeInstanceOf(SpoolFullError);
    expect(spool.isFull()).toBe(true);
    expect(spool.depth()).toBe(5);
    await spool.flush();
    await spool.acknowledge(spool.pendingBatches()[0] as never);
    expect(spool.isFull()).toBe(false);
    expect(changes).toEqual([true, false]);
    const next = await spool.append({ type: "t", i: 7 });
    expect(next.seq).toBe(7);
    await spool.flush();
    const records = await shippedRecords(spool, spool.lastAcked());
    expect(records[0]).toMatchObject({
      seq: 6,
      type: "spool_overflow",
      refused_events: 2,
      reason: "spool bound exceeded (events)",
      first_refused_at: expect.any(String),
      last_refused_at: expect.any(String),
    });
    expect(records[1]).toMatchObject({ seq: 7, i: 7 });
  });

  it("the byte bound works the same way", async () => {
    const spool = await open({ maxBytes: 1_000, ...NO_TIMER });
    await spool.append({ type: "t", pad: "x".repeat(500) });
    await expect(spool.append({ type: "t", pad: "x".repeat(500) })).rejects.toMatchObject({
      name: "SpoolFullError",
      bound: "bytes",
    });
    expect(spool.depth()).toBe(1);
  });

  it("rejects appends after close, and close seals and fsyncs what was open", async () => {
    const spool = await open(NO_TIMER);
    await spool.append({ type: "t" });
    await closeSpool(spool);
    await expect(spool.append({ type: "t" })).rejects.toThrow(/closed/);
    const files = await readdir(path.join(dir, "spool"));
    expect(files.filter((n) => n.startsWith("batch-"))).toHaveLength(1);
    expect(files.filter((n) => n.startsWith("seg-"))).toHaveLength(0);
  });
});
