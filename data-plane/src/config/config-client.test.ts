import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { type ConfigServiceClient, createConfigClient, generateSigningKeyPair } from "@portcullis/proto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  FAST_BACKOFF,
  FAST_CHANNEL,
  makeResources,
  recordingLogger,
  tempDir,
  UNCOMPILABLE_POLICY,
  waitFor,
} from "../../test/fixtures.ts";
import { TestControlPlane } from "../../test/test-control-plane.ts";
import { loadOrEnrollNode, type NodeIdentity, nodeCredentials } from "../identity/node-identity.ts";
import type { Logger } from "../log.ts";
import { silentLogger } from "../log.ts";
import { type ConfigClient, type ConfigClientOptions, startConfigClient } from "./config-client.ts";
import { SNAPSHOT_FILE } from "./snapshot-store.ts";
import type { ConfigEngine } from "./validate.ts";

const errorsOf = (event: { message: unknown } | undefined): string[] =>
  (event?.message as { errors?: string[] } | undefined)?.errors ?? [];

describe("config client", () => {
  let cp: TestControlPlane;
  let dir: string;
  let cleanup: () => Promise<void>;
  let identity: NodeIdentity;
  const open: { client: ConfigClient; grpcClient: ConfigServiceClient }[] = [];

  beforeEach(async () => {
    cp = await TestControlPlane.start();
    ({ dir, cleanup } = await tempDir());
    identity = await loadOrEnrollNode({
      dataDir: dir,
      cpAddress: cp.address,
      bootstrapToken: cp.issueBootstrapToken(),
      logger: silentLogger,
    });
  });
  afterEach(async () => {
    for (const { client, grpcClient } of open.splice(0)) {
      await client.close();
      grpcClient.close();
    }
    await cp.stop();
    await cleanup();
  });

  async function start(extra: Partial<ConfigClientOptions> & { logger?: Logger } = {}): Promise<ConfigClient> {
    const grpcClient = createConfigClient(cp.address, grpc.credentials.createInsecure(), FAST_CHANNEL);
    const client = await startConfigClient({
      identity,
      client: grpcClient,
      credentials: nodeCredentials(identity),
      dataDir: dir,
      logger: silentLogger,
      heartbeatIntervalMs: 50,
      backoff: FAST_BACKOFF,
      ...extra,
    });
    open.push({ client, grpcClient });
    return client;
  }

  async function stopClient(client: ConfigClient): Promise<void> {
    const index = open.findIndex((o) => o.client === client);
    const [entry] = open.splice(index, 1);
    await entry?.client.close();
    entry?.grpcClient.close();
  }

  const servedVersion = (client: ConfigClient, version: number) =>
    waitFor(`version ${version} served`, () => client.current()?.version === version);

  it("validates, persists, swaps and ACKs a snapshot by nonce; a newer one replaces it", async () => {
    const client = await start();
    const seen: ConfigEngine[] = [];
    client.onChange((engine) => seen.push(engine));
    expect(client.isReady()).toBe(false);
    const v1 = cp.publish(makeResources());
    await servedVersion(client, 1);
    const [ack] = await waitFor("ack", () => cp.events("ack").length === 1 && cp.events("ack"));
    const sent = cp.events("snapshot_sent")[0]?.message as { nonce: string };
    expect(ack?.message).toMatchObject({ nonce: sent.nonce, version: "1" });
    expect(client.isReady()).toBe(true);
    expect(client.notReadyReason()).toBeUndefined();
    const stored = JSON.parse(await readFile(path.join(dir, SNAPSHOT_FILE), "utf8"));
    expect(stored).toMatchObject({ version: 1, sha256: v1.sha256, signature: v1.signature });

    cp.publish(makeResources({ tools: 5 }));
    await servedVersion(client, 2);
    await waitFor("second ack", () => cp.events("ack").length === 2);
    expect(seen.map((e) => e.version)).toEqual([1, 2]);
    expect(client.status()).toMatchObject({ servingVersion: 2, connected: true });
    expect(client.status().lastApplyMs).toBeGreaterThanOrEqual(0);
    expect(cp.violations).toEqual([]);
  });

  it("R04: restores the persisted snapshot, verified, with the control plane down, and says so in Hello", async () => {
    const first = await start();
    const v1 = cp.publish(makeResources());
    await servedVersion(first, 1);
    await waitFor("ack", () => cp.events("ack").length === 1);
    await stopClient(first);
    const port = cp.port;
    await cp.stop();

    const restarted = await start();
    expect(restarted.isReady()).toBe(true);
    expect(restarted.current()?.version).toBe(1);
    expect(restarted.current()?.sha256).toBe(v1.sha256);

    await cp.start(port);
    const hellos = await waitFor("hello after restart", () => cp.events("hello").length === 2 && cp.events("hello"));
    expect(hellos[1]?.message).toMatchObject({ servingVersion: "1", servingSha256: v1.sha256, schemaVersion: 1 });
    await waitFor(
      "heartbeats on the new stream",
      () => cp.events("heartbeat").filter((e) => e.stream === 2).length >= 2,
    );
    expect(cp.events("snapshot_sent").filter((e) => e.stream === 2)).toEqual([]);
  });

  it("ignores a corrupt or unverifiable persisted snapshot with a logged reason, and is not ready", async () => {
    await writeFile(path.join(dir, SNAPSHOT_FILE), '{"v":1,"version":1');
    const logger = recordingLogger();
    const corrupt = await start({ logger });
    expect(corrupt.isReady()).toBe(false);
    expect(corrupt.notReadyReason()).toMatch(/persisted snapshot ignored.*not valid JSON/);
    expect(logger.entries.find((e) => e.level === "error")?.message).toMatch(/unreadable/);
    await stopClient(corrupt);

    // A well-formed file signed by a key the node does not trust (say, copied from another fleet).
    const stranger = generateSigningKeyPair();
    const forged = cp.sign(makeResources(), 9, stranger);
    await writeFile(
      path.join(dir, SNAPSHOT_FILE),
      JSON.stringify({
        v: 1,
        version: 9,
        sha256: forged.sha256,
        signature: forged.signature,
        resourcesJson: forged.resourcesJson.toString("utf8"),
        savedAt: "",
      }),
    );
    const unverifiable = await start();
    expect(unverifiable.isReady()).toBe(false);
    expect(unverifiable.notReadyReason()).toMatch(/unknown_key/);
    // The control plane's snapshot still gets it going.
    cp.publish(makeResources());
    await waitFor("ready", () => unverifiable.isReady());
  });

  it("a brand-new node with no snapshot is not ready", async () => {
    const client = await start();
    await waitFor("connected", () => client.status().connected);
    expect(client.isReady()).toBe(false);
    expect(client.current()).toBeUndefined();
    expect(client.notReadyReason()).toMatch(/no valid config snapshot/);
  });

  it("NACKs an unverifiable snapshot (bad signature, bad hash) and keeps serving the old one", async () => {
    const client = await start();
    cp.publish(makeResources());
    await servedVersion(client, 1);

    cp.publishOffer(cp.sign(makeResources({ tools: 3 }), 2, generateSigningKeyPair()));
    const [badSignature] = await waitFor("nack", () => cp.events("nack").length === 1 && cp.events("nack"));
    expect(badSignature?.message).toMatchObject({ rejectedVersion: "2", servingVersion: "1" });
    expect(errorsOf(badSignature)[0]).toMatch(/signature check failed \(unknown_key\)/);
    expect(client.current()?.version).toBe(1);

    const good = cp.sign(makeResources({ tools: 3 }), 3);
    const tampered = Buffer.from(good.resourcesJson.toString("utf8").replace("tool_2", "tool_Z"));
    cp.publishOffer({ ...good, resourcesJson: tampered });
    const nacks = await waitFor("second nack", () => cp.events("nack").length === 2 && cp.events("nack"));
    expect(errorsOf(nacks[1])[0]).toMatch(/hash_mismatch/);
    expect(client.current()?.version).toBe(1);
    expect(JSON.parse(await readFile(path.join(dir, SNAPSHOT_FILE), "utf8")).version).toBe(1);
    expect(client.status().lastNack?.version).toBe(3);

    cp.publish(makeResources({ tools: 3 }));
    await servedVersion(client, 4);
    expect(cp.events("hello")).toHaveLength(1);
  });

  it("NACKs an uncompilable policy once and does not loop (no reconnect, no resend)", async () => {
    const client = await start();
    cp.publish(makeResources());
    await servedVersion(client, 1);
    cp.publish(makeResources({ extraPolicies: [UNCOMPILABLE_POLICY] }));
    const [nack] = await waitFor("nack", () => cp.events("nack").length === 1 && cp.events("nack"));
    expect(errorsOf(nack)).toEqual([
      expect.stringMatching(/^policy compile error: policy 'broken' \(broken policy\): condition/),
    ]);
    const heartbeatsAtNack = cp.events("heartbeat").length;
    await waitFor("three more heartbeats", () => cp.events("heartbeat").length >= heartbeatsAtNack + 3);
    expect(cp.events("nack")).toHaveLength(1);
    expect(cp.events("hello")).toHaveLength(1);
    expect(cp.events("snapshot_sent").filter((e) => (e.message as { version: number }).version === 2)).toHaveLength(1);
    expect(client.current()?.version).toBe(1);
    expect(client.status().lastNack).toMatchObject({ version: 2 });
  });

  it("mass-delete guard: NACKs a snapshot that drops most tools, applies it once allowMassDelete is set", async () => {
    const client = await start();
    cp.publish(makeResources({ tools: 10 }));
    await servedVersion(client, 1);
    cp.publish(makeResources({ tools: 2 }));
    const [nack] = await waitFor("nack", () => cp.events("nack").length === 1 && cp.events("nack"));
    expect(errorsOf(nack)).toEqual([expect.stringContaining("mass-delete guard: the snapshot removes 8 of 10 tools")]);
    expect(client.current()?.resources.tools).toHaveLength(10);
    cp.publish(makeResources({ tools: 2, allowMassDelete: true }));
    await servedVersion(client, 3);
    expect(client.current()?.resources.tools).toHaveLength(2);
  });

  it("refuses a rollback to an older version", async () => {
    const client = await start();
    cp.publish(makeResources(), 5);
    await servedVersion(client, 5);
    cp.sendRaw(identity.nodeId, cp.sign(makeResources({ tools: 6 }), 3));
    const [nack] = await waitFor("nack", () => cp.events("nack").length === 1 && cp.events("nack"));
    expect(nack?.message).toMatchObject({ rejectedVersion: "3", servingVersion: "5" });
    expect(errorsOf(nack)[0]).toMatch(/rollback refused: version 3 is not newer than .* 5/);
    expect(client.current()?.version).toBe(5);
  });

  it("R01: reconnects with backoff after the control plane restarts and converges to the latest version", async () => {
    const logger = recordingLogger();
    const client = await start({ logger });
    cp.publish(makeResources());
    await servedVersion(client, 1);
    const port = cp.port;
    await cp.stop();
    await waitFor("disconnect noticed", () => !client.status().connected);
    cp.publish(makeResources({ tools: 5 }));
    cp.publish(makeResources({ tools: 6 }));
    await waitFor(
      "a failed reconnect",
      () => logger.entries.filter((e) => e.message === "reconnecting to the control plane").length >= 2,
    );
    expect(client.current()?.version).toBe(1);
    await cp.start(port);
    await servedVersion(client, 3);
    expect(cp.events("snapshot_sent").map((e) => (e.message as { version: number }).version)).toEqual([1, 3]);
    expect(client.current()?.resources.tools).toHaveLength(6);
  });

  it("heartbeats carry serving version, spool depth, audit lag and last apply time", async () => {
    const client = await start({ auditStatus: () => ({ spoolDepth: 42, auditLagMs: 7 }) });
    cp.publish(makeResources());
    await servedVersion(client, 1);
    const beat = await waitFor("heartbeat after apply", () =>
      cp.events("heartbeat").find((e) => (e.message as { servingVersion: string }).servingVersion === "1"),
    );
    expect(beat.message).toMatchObject({ servingVersion: "1", spoolDepth: "42", auditLagMs: "7" });
    expect((beat.message as { lastApplyMs: number }).lastApplyMs).toBe(client.status().lastApplyMs);
    expect(client.status().clockSkewMs).toBeTypeOf("number");
  });

  it("stops for good when revoked and reports it", async () => {
    const client = await start();
    cp.publish(makeResources());
    await servedVersion(client, 1);
    const revoked: string[] = [];
    client.onRevoked((reason) => revoked.push(reason));
    cp.revoke(identity.nodeId, "decommissioned");
    await waitFor("revocation", () => revoked.length === 1);
    expect(revoked).toEqual(["decommissioned"]);
    expect(client.isReady()).toBe(false);
    expect(client.current()).toBeUndefined();
    expect(client.notReadyReason()).toMatch(/revoked.*decommissioned/);
    await stopClient(client);
    expect(cp.events("hello")).toHaveLength(1);
  });
});
