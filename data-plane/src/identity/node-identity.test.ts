import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { importPrivateKeyPem, verifyNodeToken } from "@portcullis/proto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FAST_BACKOFF, recordingLogger, tempDir } from "../../test/fixtures.ts";
import { TestControlPlane } from "../../test/test-control-plane.ts";
import { silentLogger } from "../log.ts";
import {
  EnrollmentError,
  loadOrEnrollNode,
  NODE_FILE,
  type NodeIdentityFile,
  nodeCredentials,
} from "./node-identity.ts";

describe("node identity", () => {
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

  it("enrolls once with its own keys, persists node.json (0600), and reuses it without enrolling again", async () => {
    const token = cp.issueBootstrapToken("group-7");
    const first = await loadOrEnrollNode({
      dataDir: dir,
      cpAddress: cp.address,
      bootstrapToken: token,
      logger: silentLogger,
    });
    expect(cp.enrollCalls).toBe(1);
    expect(first.groupId).toBe("group-7");
    expect(first.issuer).toBe(cp.issuer);
    expect(first.signing.kid).not.toBe(first.assertion.kid);
    const registered = cp.nodes.get(first.nodeId);
    expect(registered?.signingKid).toBe(first.signing.kid);
    expect(registered?.assertionKid).toBe(first.assertion.kid);
    expect(first.cpKeys.has(cp.key.kid)).toBe(true);

    const file = path.join(dir, NODE_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(file, "utf8")) as NodeIdentityFile;
    expect(stored).toMatchObject({ v: 1, nodeId: first.nodeId, groupId: "group-7", cpAddress: cp.address });
    expect(importPrivateKeyPem(stored.signing.pem).kid).toBe(first.signing.kid);

    const logger = recordingLogger();
    const again = await loadOrEnrollNode({ dataDir: dir, cpAddress: cp.address, bootstrapToken: token, logger });
    expect(cp.enrollCalls).toBe(1);
    expect(again.nodeId).toBe(first.nodeId);
    expect(again.signing.kid).toBe(first.signing.kid);
    expect(logger.entries.some((e) => e.message.includes("already enrolled"))).toBe(true);
  });

  it("restarts without the control plane once enrolled", async () => {
    const token = cp.issueBootstrapToken();
    const first = await loadOrEnrollNode({
      dataDir: dir,
      cpAddress: cp.address,
      bootstrapToken: token,
      logger: silentLogger,
    });
    await cp.stop();
    const again = await loadOrEnrollNode({ dataDir: dir, cpAddress: cp.address, logger: silentLogger });
    expect(again.nodeId).toBe(first.nodeId);
  });

  it("refuses to start unenrolled without a token, and stops on a refused token", async () => {
    await expect(loadOrEnrollNode({ dataDir: dir, cpAddress: cp.address, logger: silentLogger })).rejects.toThrow(
      /PORTCULLIS_BOOTSTRAP_TOKEN/,
    );
    const attempt = loadOrEnrollNode({
      dataDir: dir,
      cpAddress: cp.address,
      bootstrapToken: "not-a-token",
      logger: silentLogger,
    });
    await expect(attempt).rejects.toThrow(EnrollmentError);
    await expect(attempt).rejects.toThrow(/unknown, expired or already used/);
    await expect(stat(path.join(dir, NODE_FILE))).rejects.toThrow();
  });

  it("a bootstrap token enrolls exactly one node", async () => {
    const token = cp.issueBootstrapToken();
    const other = await tempDir();
    try {
      await loadOrEnrollNode({ dataDir: dir, cpAddress: cp.address, bootstrapToken: token, logger: silentLogger });
      await expect(
        loadOrEnrollNode({ dataDir: other.dir, cpAddress: cp.address, bootstrapToken: token, logger: silentLogger }),
      ).rejects.toThrow(EnrollmentError);
    } finally {
      await other.cleanup();
    }
  });

  it("waits for an unreachable control plane with backoff, then enrolls", async () => {
    const token = cp.issueBootstrapToken();
    const port = cp.port;
    await cp.stop();
    const logger = recordingLogger();
    const enrolling = loadOrEnrollNode({
      dataDir: dir,
      cpAddress: `127.0.0.1:${port}`,
      bootstrapToken: token,
      logger,
      backoff: FAST_BACKOFF,
      channelOptions: { "grpc.initial_reconnect_backoff_ms": 50, "grpc.max_reconnect_backoff_ms": 100 },
    });
    while (!logger.entries.some((e) => e.message.includes("enrollment will retry"))) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await cp.start(port);
    const identity = await enrolling;
    expect(cp.nodes.has(identity.nodeId)).toBe(true);
  });

  it("never re-enrolls over a damaged node.json", async () => {
    await writeFile(path.join(dir, NODE_FILE), "{}");
    await expect(
      loadOrEnrollNode({
        dataDir: dir,
        cpAddress: cp.address,
        bootstrapToken: cp.issueBootstrapToken(),
        logger: silentLogger,
      }),
    ).rejects.toThrow(/unreadable.*move it away/);
    expect(cp.enrollCalls).toBe(0);
  });

  it("node credentials: a Bearer node token the control plane verifies, cached until ~30 s before expiry", async () => {
    const identity = await loadOrEnrollNode({
      dataDir: dir,
      cpAddress: cp.address,
      bootstrapToken: cp.issueBootstrapToken(),
      logger: silentLogger,
    });
    let now = Date.now();
    const credentials = nodeCredentials(identity, { now: () => now });
    const token = (md: ReturnType<typeof credentials>) => String(md.get("authorization")[0]).replace(/^Bearer /, "");
    const first = token(credentials());
    const verified = verifyNodeToken(first, identity.signing.publicKey, { expectedNodeId: identity.nodeId });
    expect(verified.ok).toBe(true);
    now += 60_000;
    expect(token(credentials())).toBe(first);
    now += 31_000; // 91 s into a 120 s token: within 30 s of expiry
    expect(token(credentials())).not.toBe(first);
  });
});
