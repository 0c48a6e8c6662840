// 10,000 audit events written across two hard crashes (SIGKILL of real node processes mid-shipping) and a
// restart reach the control plane exactly once, in order, in one verified hash chain.
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runChild, startTestNode, tempDir, waitFor } from "./fixtures.ts";
import { TestControlPlane } from "./test-control-plane.ts";

const CHILD = fileURLToPath(new URL("./node-child.ts", import.meta.url));

describe("audit across crashes", () => {
  let cp: TestControlPlane;
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    cp = await TestControlPlane.start();
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    await cp.stop();
    await cleanup();
  });

  async function crashChild(job: Record<string, unknown>) {
    const file = path.join(path.dirname(dir), `${path.basename(dir)}-job.json`);
    await writeFile(file, JSON.stringify({ dataDir: dir, cpAddress: cp.address, ...job }));
    try {
      const { stdout, signal } = await runChild(CHILD, [file]);
      expect(signal).toBe("SIGKILL");
      return JSON.parse(stdout) as { nodeId: string; streamId: string; recovery: { kind: string } };
    } finally {
      await rm(file, { force: true });
    }
  }

  it("10,000 events across two SIGKILLs and a restart arrive exactly once, in order, chain-verified", {
    timeout: 120_000,
  }, async () => {
    const first = await crashChild({ bootstrapToken: cp.issueBootstrapToken(), from: 0, count: 4_123 });
    expect(first.recovery.kind).toBe("new");
    const second = await crashChild({ from: 4_123, count: 3_001 });
    expect(second.recovery.kind).toBe("resumed");
    expect(second.streamId).toBe(first.streamId);
    expect(cp.enrollCalls).toBe(1);

    const node = await startTestNode(cp.address, dir);
    try {
      expect(node.spool.recovery.kind).toBe("resumed");
      expect(node.spool.recovery.pendingBatches + node.spool.recovery.unsealedRecords).toBeGreaterThan(0);
      for (let i = 7_124; i < 10_000; i++) await node.spool.append({ type: "test", i });
      await waitFor("all 10,000 events at the control plane", () => cp.records(first.streamId).length >= 10_000, {
        timeoutMs: 60_000,
      });
      await node.spool.whenEmpty();
    } finally {
      await node.close();
    }

    const records = cp.records(first.streamId);
    expect(records).toHaveLength(10_000);
    expect(records.map((r) => r.i)).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1));
    expect(new Set(records.map((r) => r.id)).size).toBe(10_000);
    expect(cp.streamsOf(first.nodeId)).toEqual([first.streamId]);
    // The test control plane stores a batch only after verifyBatch and checkChain passed, so the stored batches
    // form one unbroken chain; nothing was ever rejected.
    expect(cp.ingestEvents.filter((e) => e.status === "REJECTED")).toEqual([]);
    const batches = cp.streams.get(first.streamId)?.batches ?? [];
    expect(batches.map((b) => b.seq)).toEqual(Array.from({ length: batches.length }, (_, i) => i + 1));
  });
});
