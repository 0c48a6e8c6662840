// A real gRPC control plane for the data plane's tests: enrollment with one-time bootstrap tokens, per-node
// token authentication, ConfigService.Stream with the xDS-like rules (Hello first, one snapshot in flight, stale
// nonces ignored, a NACKed version never resent on that stream, nothing sent when the node serves the current
// version), and AuditService Ingest/Query verified with proto's verifyBatch/checkChain and answered with signed
// receipts. State (nodes, snapshots, stored batches) survives stop()/start() so tests can restart it on the same
// port. Fault injection is explicit and named (faults.*, sendRaw); without it the server is strict.

import type { KeyObject } from "node:crypto";
import { randomBytes } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import {
  type AuditBatch__Output,
  type AuditRecord,
  addAuditService,
  addConfigService,
  addEnrollmentService,
  type ChainHead,
  CONTROL_PLANE_SERVER_OPTIONS,
  type CpMessage,
  checkChain,
  type DpMessage__Output,
  exportJwks,
  GENESIS_HASH,
  generateSigningKeyPair,
  type IngestAck,
  importPublicJwk,
  nodeTokenKid,
  type SigningKeyPair,
  type SnapshotResources,
  signReceipt,
  signSnapshot,
  toSafeUint,
  uuidv7,
  verifyBatch,
  verifyNodeToken,
} from "@portcullis/proto";

export interface EnrolledNode {
  nodeId: string;
  groupId: string;
  name: string;
  signingKid: string;
  signingKey: KeyObject;
  assertionKid: string;
}

export interface SnapshotOffer {
  version: number;
  resourcesJson: Buffer;
  sha256: string;
  signature: string;
}

export interface ConfigEvent {
  stream: number;
  nodeId: string;
  kind: "hello" | "ack" | "nack" | "heartbeat" | "snapshot_sent";
  message: unknown;
}

export interface StoredBatch {
  seq: number;
  batchHash: string;
  jws: string;
  records: AuditRecord[];
  receipt: string;
  receivedAt: Date;
}

export interface StoredStream {
  nodeId: string;
  head: ChainHead;
  batches: StoredBatch[];
}

export interface IngestEvent {
  nodeId: string;
  streamId: string;
  seq: number;
  status: "ACCEPTED" | "DUPLICATE" | "REJECTED";
  reason: string;
}

export interface Faults {
  /** Store this many batches but drop the stream instead of acking them (the ack is lost). */
  dropStreamAfterStore: number;
  /** Send every ack twice. */
  doubleAck: boolean;
  /** AuditService.Query answers "nothing stored" (a lagging read). */
  staleCursor: boolean;
  /** Reject every batch with this reason. */
  rejectAllWith: string | undefined;
  /** A silent partition: streams stay open but nothing is sent (no heartbeat answers, no snapshots); see heal(). */
  silent?: boolean;
}

interface ConfigConnection {
  stream: number;
  node: EnrolledNode;
  call: grpc.ServerDuplexStream<DpMessage__Output, CpMessage>;
  hello: boolean;
  servingVersion: number;
  servingSha256: string;
  inFlight: { nonce: string; version: number } | undefined;
  nacked: Set<number>;
}

export class TestControlPlane {
  readonly key: SigningKeyPair;
  readonly issuer = "https://gateway.test";
  readonly audience = "portcullis-control-plane";
  readonly nodes = new Map<string, EnrolledNode>();
  readonly configEvents: ConfigEvent[] = [];
  readonly ingestEvents: IngestEvent[] = [];
  readonly streams = new Map<string, StoredStream>();
  /** Protocol violations seen from nodes; tests expect none. */
  readonly violations: string[] = [];
  readonly faults: Faults = { dropStreamAfterStore: 0, doubleAck: false, staleCursor: false, rejectAllWith: undefined };
  enrollCalls = 0;
  port = 0;

  #server: grpc.Server | undefined;
  #tokens = new Map<string, { groupId: string; used: boolean }>();
  #current: SnapshotOffer | undefined;
  #version = 0;
  #streamCount = 0;
  #connections = new Set<ConfigConnection>();

  private constructor(key: SigningKeyPair) {
    this.key = key;
  }

  static async start(options: { port?: number } = {}): Promise<TestControlPlane> {
    const cp = new TestControlPlane(generateSigningKeyPair());
    await cp.start(options.port ?? 0);
    return cp;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#server !== undefined;
  }

  /** Binds (again) on `port` (the previous one after a stop). State is kept. */
  async start(port = this.port): Promise<void> {
    const server = new grpc.Server(CONTROL_PLANE_SERVER_OPTIONS);
    addEnrollmentService(server, {
      Enroll: (call, callback) => {
        try {
          callback(null, this.#enroll(call.request));
        } catch (error) {
          callback(error as grpc.ServiceError);
        }
      },
      RotateNodeKey: (_call, callback) => callback(rpcError(grpc.status.UNIMPLEMENTED, "not in the test CP")),
    });
    addConfigService(server, { Stream: (call) => this.#configStream(call) });
    addAuditService(server, {
      Ingest: (call) => this.#ingest(call),
      Query: (call, callback) => {
        const node = this.#authenticate(call.metadata);
        if (!node.ok) return callback(node.error);
        const stream = this.streams.get(call.request.streamId);
        if (stream && stream.nodeId !== node.node.nodeId) {
          return callback(rpcError(grpc.status.PERMISSION_DENIED, "not your stream"));
        }
        const head =
          this.faults.staleCursor || !stream ? { seq: 0, batchHash: GENESIS_HASH, lastEventSeq: 0 } : stream.head;
        callback(null, {
          streamId: call.request.streamId,
          lastSeq: String(head.seq),
          lastBatchHash: head.batchHash,
          lastEventSeq: String(head.lastEventSeq),
        });
      },
    });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    this.#server = server;
  }

  /** Kills the server abruptly (open streams fail, as when a CP process dies). State is kept. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    this.#connections.clear();
    server?.forceShutdown();
  }

  // ---- enrollment ----

  issueBootstrapToken(groupId = "group-1"): string {
    const token = randomBytes(16).toString("base64url");
    this.#tokens.set(token, { groupId, used: false });
    return token;
  }

  #enroll(request: { bootstrapToken: string; nodeName: string; signingPublicJwk: string; assertionPublicJwk: string }) {
    this.enrollCalls += 1;
    const token = this.#tokens.get(request.bootstrapToken);
    if (!token || token.used) {
      throw rpcError(grpc.status.UNAUTHENTICATED, "the bootstrap token is unknown, expired or already used");
    }
    let signing: ReturnType<typeof importPublicJwk>;
    let assertion: ReturnType<typeof importPublicJwk>;
    try {
      signing = importPublicJwk(request.signingPublicJwk);
      assertion = importPublicJwk(request.assertionPublicJwk);
    } catch (error) {
      throw rpcError(grpc.status.INVALID_ARGUMENT, `public keys: ${(error as Error).message}`);
    }
    if (signing.kid === assertion.kid) throw rpcError(grpc.status.INVALID_ARGUMENT, "keys must differ");
    token.used = true;
    const node: EnrolledNode = {
      nodeId: uuidv7(),
      groupId: token.groupId,
      name: request.nodeName,
      signingKid: signing.kid,
      signingKey: signing.publicKey,
      assertionKid: assertion.kid,
    };
    this.nodes.set(node.nodeId, node);
    return {
      nodeId: node.nodeId,
      groupId: node.groupId,
      cpPublicJwks: JSON.stringify(exportJwks([this.key.publicKey])),
      issuer: this.issuer,
      audience: this.audience,
    };
  }

  #authenticate(metadata: grpc.Metadata): { ok: true; node: EnrolledNode } | { ok: false; error: grpc.ServiceError } {
    const header = metadata.get("authorization")[0];
    const token = typeof header === "string" && header.startsWith("Bearer ") ? header.slice(7) : undefined;
    if (!token) return { ok: false, error: rpcError(grpc.status.UNAUTHENTICATED, "missing node token") };
    const kid = nodeTokenKid(token);
    const node = [...this.nodes.values()].find((n) => n.signingKid === kid);
    if (!node) return { ok: false, error: rpcError(grpc.status.UNAUTHENTICATED, "unknown node key") };
    const verified = verifyNodeToken(token, node.signingKey, { expectedNodeId: node.nodeId });
    if (!verified.ok) {
      return { ok: false, error: rpcError(grpc.status.UNAUTHENTICATED, `node token refused: ${verified.code}`) };
    }
    return { ok: true, node };
  }

  // ---- config ----

  /** Signs and publishes a new current snapshot (the next version unless given) and offers it to every node. */
  publish(resources: SnapshotResources, version = this.#version + 1): SnapshotOffer {
    this.#version = Math.max(this.#version, version);
    const signed = signSnapshot({ version, resources, signingKey: this.key.privateKey, kid: this.key.kid });
    return this.publishOffer(signed);
  }

  /** Publishes an already built (possibly tampered) snapshot message as the current one. */
  publishOffer(offer: SnapshotOffer): SnapshotOffer {
    this.#version = Math.max(this.#version, offer.version);
    this.#current = offer;
    for (const conn of this.#connections) this.#offer(conn);
    return offer;
  }

  /** Signs without publishing (for tampering), with the CP key or another one. */
  sign(resources: SnapshotResources, version: number, key: SigningKeyPair = this.key): SnapshotOffer {
    this.#version = Math.max(this.#version, version);
    return signSnapshot({ version, resources, signingKey: key.privateKey, kid: key.kid });
  }

  /** Fault injection: sends a snapshot on the node's open stream, ignoring the offer rules (e.g. a rollback). */
  sendRaw(nodeId: string, offer: SnapshotOffer): void {
    for (const conn of this.#connections) {
      if (conn.node.nodeId !== nodeId || !conn.hello) continue;
      const nonce = randomBytes(9).toString("base64url");
      conn.inFlight = { nonce, version: offer.version };
      this.#send(conn, offer, nonce);
    }
  }

  revoke(nodeId: string, reason: string): void {
    for (const conn of [...this.#connections]) {
      if (conn.node.nodeId !== nodeId) continue;
      conn.call.write({ revoked: { reason } });
      conn.call.end();
      this.#connections.delete(conn);
    }
  }

  events(kind: ConfigEvent["kind"], nodeId?: string): ConfigEvent[] {
    return this.configEvents.filter((e) => e.kind === kind && (nodeId === undefined || e.nodeId === nodeId));
  }

  #send(conn: ConfigConnection, offer: SnapshotOffer, nonce: string): void {
    this.configEvents.push({
      stream: conn.stream,
      nodeId: conn.node.nodeId,
      kind: "snapshot_sent",
      message: { version: offer.version, nonce },
    });
    conn.call.write({
      snapshot: {
        version: String(offer.version),
        nonce,
        resourcesJson: offer.resourcesJson,
        sha256: offer.sha256,
        signature: offer.signature,
      },
    });
  }

  /** Ends a silent partition: what was published meanwhile is offered at once. */
  heal(): void {
    this.faults.silent = false;
    for (const conn of this.#connections) this.#offer(conn);
  }

  #offer(conn: ConfigConnection): void {
    if (this.faults.silent) return;
    const snap = this.#current;
    if (!conn.hello || conn.inFlight || !snap) return;
    if (snap.version === conn.servingVersion && snap.sha256 === conn.servingSha256) return;
    if (snap.version < conn.servingVersion) return;
    if (conn.nacked.has(snap.version)) return;
    const nonce = randomBytes(9).toString("base64url");
    conn.inFlight = { nonce, version: snap.version };
    this.#send(conn, snap, nonce);
  }

  #configStream(call: grpc.ServerDuplexStream<DpMessage__Output, CpMessage>): void {
    const auth = this.#authenticate(call.metadata);
    if (!auth.ok) {
      call.emit("error", auth.error);
      return;
    }
    this.#streamCount += 1;
    const conn: ConfigConnection = {
      stream: this.#streamCount,
      node: auth.node,
      call,
      hello: false,
      servingVersion: 0,
      servingSha256: "",
      inFlight: undefined,
      nacked: new Set(),
    };
    this.#connections.add(conn);
    const record = (kind: ConfigEvent["kind"], message: unknown) =>
      this.configEvents.push({ stream: conn.stream, nodeId: conn.node.nodeId, kind, message });
    call.on("data", (msg: DpMessage__Output) => {
      if (!conn.hello && msg.kind !== "hello") {
        this.violations.push(`stream ${conn.stream}: ${msg.kind} before hello`);
        call.emit("error", rpcError(grpc.status.FAILED_PRECONDITION, "hello first"));
        return;
      }
      switch (msg.kind) {
        case "hello": {
          const h = msg.hello;
          if (!h || h.nodeId !== conn.node.nodeId) {
            this.violations.push(`stream ${conn.stream}: hello names another node`);
            call.emit("error", rpcError(grpc.status.PERMISSION_DENIED, "hello names another node"));
            return;
          }
          if (conn.hello) this.violations.push(`stream ${conn.stream}: second hello`);
          record("hello", h);
          conn.hello = true;
          conn.servingVersion = toSafeUint(h.servingVersion);
          conn.servingSha256 = h.servingSha256;
          this.#offer(conn);
          return;
        }
        case "ack": {
          const a = msg.ack;
          if (!a || !conn.inFlight || a.nonce !== conn.inFlight.nonce) return; // stale nonce: ignored
          record("ack", a);
          const version = toSafeUint(a.version);
          if (version !== conn.inFlight.version) this.violations.push(`ack names version ${version}`);
          conn.servingVersion = version;
          conn.servingSha256 = this.#current?.version === version ? this.#current.sha256 : "";
          conn.inFlight = undefined;
          this.#offer(conn);
          return;
        }
        case "nack": {
          const n = msg.nack;
          if (!n || !conn.inFlight || n.nonce !== conn.inFlight.nonce) return;
          record("nack", n);
          conn.nacked.add(toSafeUint(n.rejectedVersion));
          conn.inFlight = undefined;
          this.#offer(conn);
          return;
        }
        case "heartbeat":
          record("heartbeat", msg.heartbeat);
          if (!this.faults.silent) call.write({ heartbeatAck: { serverTimeMs: String(Date.now()) } });
          return;
        default:
          this.violations.push(`stream ${conn.stream}: empty message`);
      }
    });
    const done = () => this.#connections.delete(conn);
    call.on("end", () => {
      done();
      call.end();
    });
    call.on("error", done);
    call.on("cancelled", done);
  }

  // ---- audit ----

  /** Every stored record of a stream, in order. */
  records(streamId: string): AuditRecord[] {
    return this.streams.get(streamId)?.batches.flatMap((b) => b.records) ?? [];
  }

  /** Streams of a node, in creation order. */
  streamsOf(nodeId: string): string[] {
    return [...this.streams.entries()].filter(([, s]) => s.nodeId === nodeId).map(([id]) => id);
  }

  #ingest(call: grpc.ServerDuplexStream<AuditBatch__Output, IngestAck>): void {
    const auth = this.#authenticate(call.metadata);
    if (!auth.ok) {
      call.emit("error", auth.error);
      return;
    }
    const node = auth.node;
    let ended = false;
    call.on("data", (batch: AuditBatch__Output) => {
      if (ended) return;
      const answer = this.#store(node, batch);
      if (answer === "drop") {
        ended = true;
        call.emit("error", rpcError(grpc.status.UNAVAILABLE, "connection lost (injected)"));
        return;
      }
      this.ingestEvents.push({
        nodeId: node.nodeId,
        streamId: answer.streamId as string,
        seq: Number(answer.seq),
        status: answer.status as IngestEvent["status"],
        reason: answer.reason as string,
      });
      call.write(answer);
      if (this.faults.doubleAck && answer.status !== "REJECTED") call.write(answer);
      if (answer.status === "REJECTED") {
        // Later batches cannot chain onto a rejected one: end the stream, as the contract says.
        ended = true;
        call.end();
      }
    });
    call.on("end", () => {
      if (!ended) call.end();
    });
  }

  #store(node: EnrolledNode, batch: AuditBatch__Output): IngestAck | "drop" {
    const verified = verifyBatch(batch.jws, batch.records, node.signingKey, { nodeId: node.nodeId });
    if (!verified.ok) return reject("", 0, `${verified.code}: ${verified.message}`);
    const { manifest, batchHash, records } = verified.value;
    const streamId = manifest.stream_id;
    if (this.faults.rejectAllWith) return reject(streamId, manifest.seq, this.faults.rejectAllWith);
    let stream = this.streams.get(streamId);
    if (stream && stream.nodeId !== node.nodeId) return reject(streamId, manifest.seq, "stream of another node");
    const existing = stream?.batches.find((b) => b.seq === manifest.seq);
    if (existing) {
      if (existing.batchHash !== batchHash) return reject(streamId, manifest.seq, "equivocation");
      return {
        streamId,
        seq: String(manifest.seq),
        status: "DUPLICATE",
        reason: "already stored",
        receipt: existing.receipt,
        batchHash,
      };
    }
    const chained = checkChain(stream?.head ?? null, { manifest, batchHash });
    if (!chained.ok) return reject(streamId, manifest.seq, `${chained.code}: ${chained.message}`);
    if (!stream) {
      stream = { nodeId: node.nodeId, head: chained.value, batches: [] };
      this.streams.set(streamId, stream);
    }
    const receivedAt = new Date();
    const receipt = signReceipt({
      nodeId: node.nodeId,
      streamId,
      seq: manifest.seq,
      batchHash,
      receivedAt,
      signingKey: this.key.privateKey,
      kid: this.key.kid,
    });
    stream.head = chained.value;
    stream.batches.push({ seq: manifest.seq, batchHash, jws: batch.jws, records, receipt, receivedAt });
    if (this.faults.dropStreamAfterStore > 0) {
      this.faults.dropStreamAfterStore -= 1;
      return "drop";
    }
    return { streamId, seq: String(manifest.seq), status: "ACCEPTED", reason: "", receipt, batchHash };
  }
}

function reject(streamId: string, seq: number, reason: string): IngestAck {
  return { streamId, seq: String(seq), status: "REJECTED", reason, receipt: "", batchHash: "" };
}

function rpcError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}
