import { readdir } from "node:fs/promises";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { type AuditServiceClient, createAuditClient, verifyReceipt } from "@portcullis/proto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FAST_BACKOFF, FAST_CHANNEL, tempDir, waitFor } from "../../test/fixtures.ts";
import { TestControlPlane } from "../../test/test-control-plane.ts";
import { loadOrEnrollNode, type NodeIdentity, nodeCredentials } from "../identity/node-identity.ts";
import { silentLogger } from "../log.ts";
import { type AuditShipper, startAuditShipper } from "./shipper.ts";
import { type AuditSpool, openSpool } from "./spool.ts";

describe("audit shipper", () => {
  let cp: TestControlPlane;
  let dir: string;
  let cleanup: () => Promise<void>;
  let identity: NodeIdentity;
  let spool: AuditSpool;
  let client: AuditServiceClient;
  let shipper: AuditShipper;

  beforeEach(async () => {
    cp = await TestControlPlane.start();
    ({ dir, cleanup } = await tempDir());
    identity = await loadOrEnrollNode({
      dataDir: dir,
      cpAddress: cp.address,
      bootstrapToken: cp.issueBootstrapToken(),
      logger: silentLogger,
    });
    spool = await openSpool({
      dataDir: dir,
      nodeId: identity.nodeId,
      signing: identity.signing,
      logger: silentLogger,
      maxBatchEvents: 100,
      maxBatchAgeMs: 20,
    });
    client = createAuditClient(cp.address, grpc.credentials.createInsecure(), FAST_CHANNEL);
    shipper = startAuditShipper({
      spool,
      client,
      credentials: nodeCredentials(identity),
      cpKeys: identity.cpKeys,
      logger: silentLogger,
      window: 4,
      backoff: FAST_BACKOFF,
    });
  });
  afterEach(async () => {
    await shipper.close();
    await spool.close();
    client.close();
    await cp.stop();
    await cleanup();
  });

  async function appendMany(from: number, count: number): Promise<void> {
    for (let i = from; i < from + count; i++) await spool.append({ type: "test", i });
  }

  const storedIndexes = () => cp.records(spool.streamId).map((r) => r.i);
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);

  it("ships every batch in order, exactly once, chain-verified, and deletes it only after the ack", async () => {
    await appendMany(0, 1234);
    await spool.whenEmpty();
    expect(storedIndexes()).toEqual(range(1234));
    expect(cp.records(spool.streamId).map((r) => r.seq)).toEqual(range(1234).map((i) => i + 1));
    expect(cp.ingestEvents.every((e) => e.status === "ACCEPTED")).toBe(true);
    const stored = cp.streams.get(spool.streamId);
    expect(stored?.batches.map((b) => b.seq)).toEqual(range(stored?.batches.length ?? 0).map((i) => i + 1));
    expect((await readdir(path.join(dir, "spool"))).filter((n) => n.startsWith("batch-"))).toEqual([]);
    const acked = spool.lastAcked() as { receipt?: string; batchHash: string };
    expect(verifyReceipt(acked.receipt as string, identity.cpKeys, { batchHash: acked.batchHash }).ok).toBe(true);
    expect(shipper.status()).toMatchObject({ acknowledged: stored?.batches.length, duplicates: 0 });
  });

  it("A06: a lost ack (stale cursor): the batch is resent, acknowledged as DUPLICATE, then deleted", async () => {
    cp.faults.dropStreamAfterStore = 1;
    cp.faults.staleCursor = true;
    await appendMany(0, 250);
    await spool.whenEmpty();
    expect(cp.ingestEvents.filter((e) => e.status === "DUPLICATE").map((e) => e.seq)).toEqual([1]);
    expect(storedIndexes()).toEqual(range(250));
    expect(shipper.status().duplicates).toBe(1);
  });

  it("a lost ack (honest cursor): Query shows the control plane has the batch, so it is not resent", async () => {
    cp.faults.dropStreamAfterStore = 1;
    await appendMany(0, 250);
    await spool.whenEmpty();
    expect(cp.ingestEvents.filter((e) => e.status === "DUPLICATE")).toEqual([]);
    expect(storedIndexes()).toEqual(range(250));
  });

  it("ignores repeated acks for batches already acknowledged", async () => {
    cp.faults.doubleAck = true;
    await appendMany(0, 450);
    await spool.whenEmpty();
    expect(storedIndexes()).toEqual(range(450));
    expect(shipper.status().lastError).toBeUndefined();
  });

  it("REJECTED: keeps the batch, surfaces the reason, retries with backoff, and delivers once the cause is gone", async () => {
    cp.faults.rejectAllWith = "unknown_key: no such node key";
    await appendMany(0, 150);
    await waitFor("rejection surfaced", () => shipper.status().lastRejected);
    expect(shipper.status().lastRejected).toMatchObject({ seq: 1, reason: "unknown_key: no such node key" });
    const rejectionsSoFar = cp.ingestEvents.length;
    await waitFor("a retry", () => cp.ingestEvents.length > rejectionsSoFar);
    expect(spool.depth()).toBe(150);
    expect((await readdir(path.join(dir, "spool"))).filter((n) => n.startsWith("batch-")).length).toBeGreaterThan(0);
    cp.faults.rejectAllWith = undefined;
    await spool.whenEmpty();
    expect(storedIndexes()).toEqual(range(150));
    expect(shipper.status().lastRejected).toBeUndefined();
  });

  it("A08: keeps spooling while the control plane is down and delivers everything once it is back", async () => {
    await appendMany(0, 300);
    await waitFor("first delivery", () => cp.records(spool.streamId).length > 0);
    const port = cp.port;
    await cp.stop();
    await appendMany(300, 300);
    await waitFor("shipper noticed", () => !shipper.status().connected);
    expect(spool.depth()).toBeGreaterThan(0);
    await cp.start(port);
    await spool.whenEmpty();
    expect(storedIndexes()).toEqual(range(600));
    expect(cp.ingestEvents.filter((e) => e.status === "REJECTED")).toEqual([]);
  });
});
