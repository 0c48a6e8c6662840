import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { GENESIS_HASH, isDiscontinuityRecord } from "@portcullis/proto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeResources, startTestNode, tempDir, waitFor } from "../test/fixtures.ts";
import { TestControlPlane } from "../test/test-control-plane.ts";
import { SpoolFullError } from "./audit/spool.ts";
import { type DataPlaneNode, NodeRevokedError, REVOKED_FILE, type StartNodeOptions } from "./node.ts";

describe("data-plane node", () => {
  let cp: TestControlPlane;
  let dir: string;
  let cleanup: () => Promise<void>;
  const running = new Set<DataPlaneNode>();
  beforeEach(async () => {
    cp = await TestControlPlane.start();
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    for (const node of running) await node.close();
    running.clear();
    await cp.stop();
    await cleanup();
  });

  async function start(extra: Partial<StartNodeOptions> = {}): Promise<DataPlaneNode> {
    const node = await startTestNode(cp.address, dir, { heartbeatIntervalMs: 50, ...extra });
    running.add(node);
    return node;
  }

  async function stop(node: DataPlaneNode, drainMs = 0): Promise<void> {
    running.delete(node);
    await node.close({ drainMs });
  }

  it("wires enrollment, config and audit; a restart reuses the identity and the audit stream", async () => {
    const node = await start({ bootstrapToken: cp.issueBootstrapToken() });
    expect(node.isReady()).toBe(false);
    cp.publish(makeResources());
    await waitFor("ready", () => node.isReady());
    await node.spool.append({ type: "decision", tool: "tool_1" });
    await node.spool.whenEmpty();
    const [record] = cp.records(node.spool.streamId);
    expect(record).toMatchObject({ type: "decision", tool: "tool_1", seq: 1 });
    const batch = cp.streams.get(node.spool.streamId)?.batches[0];
    expect(JSON.parse(Buffer.from(batch?.jws.split(".")[1] as string, "base64url").toString()).config_version).toBe(1);
    await waitFor("heartbeat with audit figures", () =>
      cp.events("heartbeat").some((e) => (e.message as { servingVersion: string }).servingVersion === "1"),
    );
    expect(node.status()).toMatchObject({ ready: true, audit: { spoolDepth: 0, spoolFull: false } });
    const { nodeId } = node.identity;
    const streamId = node.spool.streamId;
    await stop(node);

    const again = await start();
    expect(again.identity.nodeId).toBe(nodeId);
    expect(again.spool.streamId).toBe(streamId);
    expect(again.isReady()).toBe(true);
    expect(cp.enrollCalls).toBe(1);
  });

  it("close() with a drain delivers what is left before stopping", async () => {
    const node = await start({ bootstrapToken: cp.issueBootstrapToken(), spool: { maxBatchAgeMs: 60_000 } });
    for (let i = 0; i < 42; i++) await node.spool.append({ type: "t", i });
    const streamId = node.spool.streamId;
    await stop(node, 10_000);
    expect(cp.records(streamId)).toHaveLength(42);
  });

  it("a spool lost while the node was down: the new stream opens with a discontinuity naming the last acked batch", async () => {
    const node = await start({ bootstrapToken: cp.issueBootstrapToken() });
    for (let i = 0; i < 10; i++) await node.spool.append({ type: "t", i });
    await node.spool.whenEmpty();
    const oldStream = node.spool.streamId;
    const ackedHead = cp.streams.get(oldStream)?.head;
    await stop(node);

    // Events spooled while the control plane is away, then the spool is deleted with the node down.
    const port = cp.port;
    await cp.stop();
    const offline = await start();
    for (let i = 10; i < 15; i++) await offline.spool.append({ type: "t", i });
    await stop(offline);
    await rm(path.join(dir, "spool"), { recursive: true, force: true });

    await cp.start(port);
    const restarted = await start();
    expect(restarted.spool.recovery).toMatchObject({ kind: "discontinuity", previousStreamId: oldStream });
    await restarted.spool.append({ type: "t", i: 100 });
    const newStream = restarted.spool.streamId;
    await waitFor("new stream delivered", () => cp.records(newStream).length === 2);
    const [discontinuity, next] = cp.records(newStream);
    expect(isDiscontinuityRecord(discontinuity)).toBe(true);
    expect(discontinuity).toMatchObject({
      seq: 1,
      previous_stream_id: oldStream,
      last_acked_seq: ackedHead?.seq,
      last_acked_batch_hash: ackedHead?.batchHash,
      reason: "spool directory is missing",
    });
    expect(ackedHead?.batchHash).not.toBe(GENESIS_HASH);
    expect(next).toMatchObject({ seq: 2, i: 100 });
    expect(cp.records(oldStream).map((r) => r.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("A08 past the bound: append rejects with SpoolFullError, the node reports it, and nothing is dropped silently", async () => {
    const node = await start({ bootstrapToken: cp.issueBootstrapToken(), spool: { maxEvents: 20, maxBatchEvents: 5 } });
    cp.faults.rejectAllWith = "storage unavailable";
    for (let i = 0; i < 20; i++) await node.spool.append({ type: "t", i });
    await expect(node.spool.append({ type: "t", i: 20 })).rejects.toBeInstanceOf(SpoolFullError);
    expect(node.spoolFull()).toBe(true);
    expect(node.status().audit).toMatchObject({ spoolFull: true, spoolDepth: 20 });
    cp.faults.rejectAllWith = undefined;
    await node.spool.whenEmpty();
    expect(node.spoolFull()).toBe(false);
    await node.spool.append({ type: "t", i: 21 });
    await waitFor("delivered", () => cp.records(node.spool.streamId).length === 22);
    const records = cp.records(node.spool.streamId);
    expect(records.slice(0, 20).map((r) => r.i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(records[20]).toMatchObject({ type: "spool_overflow", refused_events: 1 });
    expect(records[21]).toMatchObject({ i: 21 });
  });

  it("a revoked node stops, records the revocation, and refuses to start again from that directory", async () => {
    const node = await start({ bootstrapToken: cp.issueBootstrapToken() });
    cp.publish(makeResources());
    await waitFor("ready", () => node.isReady());
    cp.revoke(node.identity.nodeId, "compromised host");
    await waitFor("not ready", () => !node.isReady());
    expect(node.notReadyReason()).toMatch(/compromised host/);
    await waitFor("revocation recorded", () =>
      readFile(path.join(dir, REVOKED_FILE), "utf8").then(
        (text) => JSON.parse(text).reason === "compromised host",
        () => false,
      ),
    );
    await stop(node);
    await expect(start()).rejects.toBeInstanceOf(NodeRevokedError);
  });
});
