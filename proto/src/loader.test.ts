import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChainHead, checkChain, GENESIS_HASH, GENESIS_HEAD, sealBatch, verifyBatch } from "./audit-batch.ts";
import type { AuditBatch__Output } from "./generated/portcullis/v1/AuditBatch.ts";
import type { CpMessage__Output } from "./generated/portcullis/v1/CpMessage.ts";
import type { DpMessage__Output } from "./generated/portcullis/v1/DpMessage.ts";
import type { IngestAck__Output } from "./generated/portcullis/v1/IngestAck.ts";
import { exportJwks, generateSigningKeyPair, importPublicJwk, trustedKeys, trustedKeysFromJwks } from "./keys.ts";
import {
  addAuditService,
  addConfigService,
  addEnrollmentService,
  CONTROL_PLANE_SERVER_OPTIONS,
  createAuditClient,
  createConfigClient,
  createEnrollmentClient,
  portcullisV1,
} from "./loader.ts";
import { signReceipt, verifyReceipt } from "./receipt.ts";
import { signSnapshot, verifySnapshot } from "./snapshot.ts";
import { toSafeUint } from "./uint.ts";
import { uuidv7 } from "./uuid.ts";

const cp = generateSigningKeyPair();
const node = generateSigningKeyPair();
const assertionKey = generateSigningKeyPair();
const nodeId = "node-7";
const streamId = uuidv7();
// Bigger than gRPC's 4 MiB default, so the raised message limits are exercised.
const resources = { tools: [{ id: "t1", name: "send_email" }], blob: "x".repeat(5 * 1024 * 1024) };
const snapshot = signSnapshot({ version: 42, resources, signingKey: cp.privateKey, kid: cp.kid });

const received: { dp: DpMessage__Output[]; batches: AuditBatch__Output[] } = { dp: [], batches: [] };
let server: grpc.Server;
let address: string;

beforeAll(async () => {
  server = new grpc.Server(CONTROL_PLANE_SERVER_OPTIONS);
  addConfigService(server, {
    Stream(call) {
      call.on("data", (message: DpMessage__Output) => {
        received.dp.push(message);
        if (message.kind === "hello") {
          call.write({ snapshot: { ...snapshot, nonce: "nonce-1" } });
        } else if (message.kind === "heartbeat") {
          call.write({ heartbeatAck: { serverTimeMs: Date.now() } });
        }
      });
      call.on("end", () => call.end());
    },
  });

  // A toy control-plane ingest: verify, chain, store by seq, ack in order.
  const stored = new Map<number, string>();
  let head: ChainHead = GENESIS_HEAD;
  addAuditService(server, {
    Ingest(call) {
      call.on("data", (batch: AuditBatch__Output) => {
        received.batches.push(batch);
        const verified = verifyBatch(batch.jws, batch.records, trustedKeys([node.publicKey]), { nodeId });
        if (!verified.ok) {
          call.write({ status: "REJECTED", reason: verified.code });
          return;
        }
        const { manifest, batchHash } = verified.value;
        const receipt = signReceipt({
          nodeId,
          streamId: manifest.stream_id,
          seq: manifest.seq,
          batchHash,
          receivedAt: new Date(0),
          signingKey: cp.privateKey,
          kid: cp.kid,
        });
        const ack = { streamId: manifest.stream_id, seq: manifest.seq, batchHash, receipt };
        const chained = checkChain(head, verified.value);
        if (chained.ok) {
          head = chained.value;
          stored.set(manifest.seq, batchHash);
          call.write({ ...ack, status: "ACCEPTED" });
        } else if (chained.code === "seq_reused" && stored.get(manifest.seq) === batchHash) {
          call.write({ ...ack, status: "DUPLICATE" });
        } else {
          call.write({ ...ack, status: "REJECTED", reason: chained.code, receipt: "" });
        }
      });
      call.on("end", () => call.end());
    },
    Query(call, callback) {
      callback(null, {
        streamId: call.request.streamId,
        lastSeq: head.seq,
        lastBatchHash: head.batchHash,
        lastEventSeq: head.lastEventSeq,
      });
    },
  });

  addEnrollmentService(server, {
    Enroll(call, callback) {
      if (call.request.bootstrapToken !== "boot-123") {
        callback({ code: grpc.status.PERMISSION_DENIED, details: "bootstrap token refused" });
        return;
      }
      const signing = importPublicJwk(call.request.signingPublicJwk);
      callback(null, {
        nodeId: `node-${signing.kid.slice(0, 8)}`,
        groupId: call.request.labels.group ?? "default",
        cpPublicJwks: JSON.stringify(exportJwks([cp.publicKey])),
        issuer: "https://gateway.example",
        audience: "portcullis-cp",
      });
    },
    RotateNodeKey(_call, callback) {
      callback({ code: grpc.status.UNIMPLEMENTED });
    },
  });

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  address = `127.0.0.1:${port}`;
});

afterAll(() => {
  // tryShutdown would wait for open streams; every test ends its own calls, so force is only a safety net.
  server?.forceShutdown();
});

describe("gRPC contracts over real sockets", () => {
  it("loads the package with camelCase fields, string longs and oneof kinds", () => {
    const v1 = portcullisV1();
    expect(Object.keys(v1.ConfigService.service)).toEqual(["Stream"]);
    expect(Object.keys(v1.AuditService.service).sort()).toEqual(["Ingest", "Query"]);
    expect(Object.keys(v1.EnrollmentService.service).sort()).toEqual(["Enroll", "RotateNodeKey"]);
    expect(Object.keys(v1.ApprovalService.service).sort()).toEqual(["GetApproval", "RequestApproval"]);
    expect(portcullisV1()).toBe(v1);
  });

  it("streams Hello → Snapshot (6 MB, verified) → Ack, then a Heartbeat", async () => {
    const client = createConfigClient(address, grpc.credentials.createInsecure());
    const call = client.stream();
    const fromCp: CpMessage__Output[] = [];
    const done = new Promise<void>((resolve, reject) => {
      call.on("data", (message: CpMessage__Output) => {
        fromCp.push(message);
        if (message.kind === "snapshot" && message.snapshot) {
          const verified = verifySnapshot(message.snapshot, trustedKeysFromJwks(exportJwks([cp.publicKey])));
          if (!verified.ok) {
            call.write({
              nack: {
                nonce: message.snapshot.nonce,
                rejectedVersion: message.snapshot.version,
                errors: [verified.code],
              },
            });
          } else {
            call.write({ ack: { nonce: message.snapshot.nonce, version: verified.value.version } });
            call.write({
              heartbeat: { servingVersion: verified.value.version, spoolDepth: 3, auditLagMs: 120, lastApplyMs: 15 },
            });
          }
        } else if (message.kind === "heartbeatAck") {
          call.end();
        }
      });
      call.on("error", reject);
      call.on("end", resolve);
    });
    call.write({
      hello: { nodeId, dpVersion: "0.1.0", schemaVersion: 1, capabilities: ["mcp-2026-07-28"], servingVersion: 0 },
    });
    await done;
    client.close();

    const snapshotMessage = fromCp[0]?.snapshot;
    expect(fromCp[0]?.kind).toBe("snapshot");
    expect(snapshotMessage?.version).toBe("42");
    expect(Buffer.isBuffer(snapshotMessage?.resourcesJson)).toBe(true);
    expect(snapshotMessage?.resourcesJson.length).toBeGreaterThan(5 * 1024 * 1024);
    expect(fromCp[1]?.kind).toBe("heartbeatAck");
    expect(toSafeUint(fromCp[1]?.heartbeatAck?.serverTimeMs ?? "")).toBeGreaterThan(1_700_000_000_000);

    expect(received.dp.map((m) => m.kind)).toEqual(["hello", "ack", "heartbeat"]);
    expect(received.dp[0]?.hello).toEqual({
      nodeId,
      dpVersion: "0.1.0",
      schemaVersion: 1,
      capabilities: ["mcp-2026-07-28"],
      servingVersion: "0",
      servingSha256: "",
    });
    expect(received.dp[0]).not.toHaveProperty("ack"); // oneof members that are not set are absent
    expect(received.dp[1]?.ack).toEqual({ nonce: "nonce-1", version: "42" });
    expect(received.dp[2]?.heartbeat).toEqual({
      servingVersion: "42",
      spoolDepth: "3",
      auditLagMs: "120",
      lastApplyMs: 15,
    });
  });

  it("ingests ordered audit batches with per-batch acks, answers a retry as a duplicate, and reports the cursor", async () => {
    const records = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({ id: uuidv7(), stream_id: streamId, seq: from + i, type: "decision" }));
    const base = { nodeId, streamId, configVersion: 42, signingKey: node.privateKey, kid: node.kid };
    const first = sealBatch({ ...base, seq: 1, prevBatchHash: GENESIS_HASH, records: records(1, 5) });
    const second = sealBatch({ ...base, seq: 2, prevBatchHash: first.batchHash, records: records(6, 5) });

    const client = createAuditClient(address, grpc.credentials.createInsecure());
    const call = client.ingest();
    const acks: IngestAck__Output[] = [];
    const done = new Promise<void>((resolve, reject) => {
      call.on("data", (ack: IngestAck__Output) => {
        acks.push(ack);
        if (acks.length === 3) call.end();
      });
      call.on("error", reject);
      call.on("end", resolve);
    });
    for (const batch of [first, second, second]) {
      call.write({ jws: batch.jws, records: batch.recordsBytes });
    }
    await done;

    expect(acks.map((a) => [a.seq, a.status])).toEqual([
      ["1", "ACCEPTED"],
      ["2", "ACCEPTED"],
      ["2", "DUPLICATE"],
    ]);
    expect(acks[2]?.receipt).toBe(acks[1]?.receipt);
    expect(verifyReceipt(acks[1]?.receipt ?? "", cp.publicKey, { batchHash: second.batchHash }).ok).toBe(true);
    expect(received.batches[0]?.records.equals(first.recordsBytes)).toBe(true);

    const cursor = await new Promise((resolve, reject) =>
      client.query({ streamId }, (error, value) => (error ? reject(error) : resolve(value))),
    );
    expect(cursor).toEqual({ streamId, lastSeq: "2", lastBatchHash: second.batchHash, lastEventSeq: "10" });
    client.close();
  });

  it("enrolls a node with its public JWKs and labels, and refuses a bad bootstrap token", async () => {
    const client = createEnrollmentClient(address, grpc.credentials.createInsecure());
    const request = {
      bootstrapToken: "boot-123",
      nodeName: "dp-a",
      dpVersion: "0.1.0",
      signingPublicJwk: JSON.stringify(node.publicJwk),
      assertionPublicJwk: JSON.stringify(assertionKey.publicJwk),
      labels: { group: "eu-west", zone: "a" },
    };
    const response = await new Promise((resolve, reject) =>
      client.enroll(request, (error, value) => (error ? reject(error) : resolve(value))),
    );
    expect(response).toMatchObject({
      nodeId: `node-${node.kid.slice(0, 8)}`,
      groupId: "eu-west",
      audience: "portcullis-cp",
    });
    const { cpPublicJwks } = response as { cpPublicJwks: string };
    expect([...trustedKeysFromJwks(cpPublicJwks).keys()]).toEqual([cp.kid]);

    const refused = await new Promise<grpc.ServiceError>((resolve) =>
      client.enroll({ ...request, bootstrapToken: "wrong" }, (error) => resolve(error as grpc.ServiceError)),
    );
    expect(refused.code).toBe(grpc.status.PERMISSION_DENIED);
    client.close();
  });
});
