// The node's end of ConfigService.Stream: restore the last-known-good snapshot from disk (re-verified), then hold
// one stream to the control plane, validate every Snapshot completely, persist it, swap one engine reference and
// ACK, or NACK and keep serving the old engine. Reconnects with the shared backoff; a Revoked message is final.
import { performance } from "node:perf_hooks";
import type * as grpc from "@grpc/grpc-js";
import {
  type ConfigServiceClient,
  type CpMessage__Output,
  type DpMessage,
  parseSafeUint,
  SNAPSHOT_SCHEMA_VERSION,
  type Snapshot__Output,
} from "@portcullis/proto";
import type { NodeCredentials, NodeIdentity } from "../identity/node-identity.ts";
import type { Logger } from "../log.ts";
import { DP_VERSION } from "../version.ts";
import { type BackoffOptions, createBackoff, sleep } from "./backoff.ts";
import { loadLearnedKeys, saveLearnedKeys, withPublishedKeys } from "./control-plane-keys.ts";
import { loadSnapshot, saveSnapshot } from "./snapshot-store.ts";
import { buildEngine, type ConfigEngine } from "./validate.ts";

export interface ConfigClientOptions {
  identity: Pick<NodeIdentity, "nodeId" | "cpKeys">;
  client: ConfigServiceClient;
  credentials: NodeCredentials;
  /** Where snapshot.json lives. */
  dataDir: string;
  logger: Logger;
  capabilities?: string[];
  /** Default 10 s. */
  heartbeatIntervalMs?: number;
  /** Reconnect schedule; default 500 ms base, 30 s cap. */
  backoff?: BackoffOptions;
  /** Audit figures for heartbeats. */
  auditStatus?: () => { spoolDepth: number; auditLagMs: number };
}

export interface ConfigStatus {
  servingVersion: number;
  servingSha256: string;
  connected: boolean;
  /** Receipt-to-ACK time of the last applied snapshot, in ms. */
  lastApplyMs: number;
  lastNack?: { version: number; errors: string[]; at: string };
  /** Why the stream last ended or failed. */
  lastError?: string;
  /** Set once the control plane revoked this node. */
  revoked?: string;
  /** Control-plane clock minus ours, from the last heartbeat answer. */
  clockSkewMs?: number;
  /**
   * When the control plane was last heard from (any message; heartbeats are answered every heartbeat interval), in
   * ms since the epoch; the process start until it is first heard from. A silent partition (packets dropped, the
   * stream still open) shows here even while `connected` is still true.
   */
  lastContactAt: number;
}

export interface ConfigClient {
  /** The engine to serve requests with; undefined until a valid snapshot was applied or restored. */
  current(): ConfigEngine | undefined;
  /** True only while a valid engine is served (and the node is not revoked). */
  isReady(): boolean;
  /** Why the node is not ready; undefined when it is. */
  notReadyReason(): string | undefined;
  /** Called after each swap with the new engine. Returns an unsubscribe function. */
  onChange(listener: (engine: ConfigEngine) => void): () => void;
  /** Called once if the control plane revokes the node. */
  onRevoked(listener: (reason: string) => void): () => void;
  status(): ConfigStatus;
  /** Ends the stream and stops reconnecting. */
  close(): Promise<void>;
}

const MAX_NACK_ERRORS = 50;
const MAX_ERROR_LENGTH = 1000;

/** Restores the persisted snapshot (if it verifies), then connects in the background. */
export async function startConfigClient(options: ConfigClientOptions): Promise<ConfigClient> {
  const { logger, identity } = options;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 10_000;
  const backoff = createBackoff(options.backoff ?? { baseMs: 500, capMs: 30_000 });
  const stop = new AbortController();
  const changeListeners = new Set<(engine: ConfigEngine) => void>();
  const revokedListeners = new Set<(reason: string) => void>();

  let engine: ConfigEngine | undefined;
  let waitingReason = "no valid config snapshot yet: waiting for the control plane";
  const status: ConfigStatus = {
    servingVersion: 0,
    servingSha256: "",
    connected: false,
    lastApplyMs: 0,
    lastContactAt: Date.now(),
  };
  let activeCall: grpc.ClientDuplexStream<DpMessage, CpMessage__Output> | undefined;

  const restored = await loadSnapshot(options.dataDir);
  if (restored.status === "found") {
    const built = buildEngine(restored.snapshot, { cpKeys: await loadLearnedKeys(options.dataDir, identity.cpKeys) });
    if (built.ok) {
      swap(built.engine);
      logger.info({ version: built.engine.version }, "serving the persisted snapshot (signature and hash verified)");
    } else {
      waitingReason = `persisted snapshot ignored (${built.errors.join("; ")}); waiting for the control plane`;
      logger.error({ errors: built.errors }, "persisted snapshot failed verification; ignoring it");
    }
  } else if (restored.status === "unreadable") {
    waitingReason = `persisted snapshot ignored (${restored.reason}); waiting for the control plane`;
    logger.error({ reason: restored.reason }, "persisted snapshot is unreadable; ignoring it");
  }

  function swap(next: ConfigEngine): void {
    engine = next;
    status.servingVersion = next.version;
    status.servingSha256 = next.sha256;
    for (const listener of changeListeners) {
      try {
        listener(next);
      } catch (error) {
        logger.error({ err: String(error) }, "config change listener failed");
      }
    }
  }

  async function handleSnapshot(snap: Snapshot__Output, send: (message: DpMessage) => void): Promise<void> {
    const receivedAt = performance.now();
    const version = parseSafeUint(snap.version);
    const servingVersion = engine?.version ?? 0;
    const nack = (errors: string[]) => {
      const trimmed = errors.slice(0, MAX_NACK_ERRORS).map((e) => e.slice(0, MAX_ERROR_LENGTH));
      if (errors.length > MAX_NACK_ERRORS) trimmed.push(`…and ${errors.length - MAX_NACK_ERRORS} more`);
      status.lastNack = { version: version ?? 0, errors: trimmed, at: new Date().toISOString() };
      logger.warn({ version: snap.version, errors: trimmed }, "snapshot refused; still serving the previous one");
      send({ nack: { nonce: snap.nonce, rejectedVersion: version ?? 0, servingVersion, errors: trimmed } });
    };
    if (version === undefined) return nack([`snapshot version ${JSON.stringify(snap.version)} is not a safe uint64`]);
    // The control plane offering what we already serve (say, after a reconnect raced an apply): nothing to do.
    if (engine && version === engine.version && snap.sha256 === engine.sha256) {
      send({ ack: { nonce: snap.nonce, version } });
      return;
    }
    const built = buildEngine(snap, { cpKeys: identity.cpKeys, serving: engine });
    if (!built.ok) return nack(built.errors);
    // Persist before swapping: a node never serves a config it could not also restore after a crash.
    try {
      await saveLearnedKeys(
        options.dataDir,
        withPublishedKeys(identity.cpKeys, built.engine.resources.trust.controlPlaneKeys),
      );
      await saveSnapshot(options.dataDir, snap);
    } catch (error) {
      return nack([`could not persist the snapshot: ${(error as Error).message}`]);
    }
    swap(built.engine);
    status.lastApplyMs = Math.round(performance.now() - receivedAt);
    send({ ack: { nonce: snap.nonce, version } });
    logger.info({ version, applyMs: status.lastApplyMs }, "snapshot applied");
  }

  function heartbeat(): DpMessage {
    const audit = options.auditStatus?.() ?? { spoolDepth: 0, auditLagMs: 0 };
    return {
      heartbeat: {
        servingVersion: engine?.version ?? 0,
        spoolDepth: Math.max(0, Math.floor(audit.spoolDepth)),
        auditLagMs: Math.max(0, Math.floor(audit.auditLagMs)),
        lastApplyMs: Math.min(status.lastApplyMs, 0xffffffff),
      },
    };
  }

  /** One stream, from Hello until the control plane ends it or it fails. Resolves true when revoked. */
  function runStream(): Promise<boolean> {
    return new Promise((resolve) => {
      const call = options.client.Stream(options.credentials());
      activeCall = call;
      let open = true;
      let revoked = false;
      let timer: NodeJS.Timeout | undefined;
      let processing: Promise<void> = Promise.resolve();
      const send = (message: DpMessage) => {
        if (open) call.write(message);
      };
      const finish = (reason: string) => {
        if (!open) return;
        open = false;
        clearInterval(timer);
        status.connected = false;
        if (!stop.signal.aborted && !revoked) {
          status.lastError = reason;
          logger.warn({ reason }, "config stream ended");
        }
        call.cancel();
        activeCall = undefined;
        // Finish applying what arrived before reconnecting, so the next Hello names what we really serve.
        void processing.then(() => resolve(revoked));
      };
      call.on("data", (message: CpMessage__Output) => {
        status.lastContactAt = Date.now();
        if (!status.connected) {
          status.connected = true;
          backoff.reset();
        }
        processing = processing.then(async () => {
          switch (message.kind) {
            case "snapshot":
              if (message.snapshot) await handleSnapshot(message.snapshot, send);
              return;
            case "heartbeatAck": {
              const serverMs = parseSafeUint(message.heartbeatAck?.serverTimeMs);
              if (serverMs !== undefined) status.clockSkewMs = serverMs - Date.now();
              return;
            }
            case "revoked": {
              const reason = message.revoked?.reason || "revoked by the control plane";
              revoked = true;
              status.revoked = reason;
              logger.error({ reason }, "the control plane revoked this node; stopping for good");
              finish(`revoked: ${reason}`);
              for (const listener of revokedListeners) listener(reason);
              return;
            }
            default:
              return;
          }
        });
      });
      call.on("error", (error: grpc.ServiceError) => finish(error.details || error.message));
      call.on("end", () => finish("the control plane ended the stream"));
      const hello: DpMessage = {
        hello: {
          nodeId: identity.nodeId,
          dpVersion: DP_VERSION,
          schemaVersion: SNAPSHOT_SCHEMA_VERSION,
          capabilities: options.capabilities ?? [],
          servingVersion: engine?.version ?? 0,
          servingSha256: engine?.sha256 ?? "",
        },
      };
      send(hello);
      // An immediate heartbeat gets an immediate answer, which tells us the stream is really up.
      send(heartbeat());
      timer = setInterval(() => send(heartbeat()), heartbeatIntervalMs);
    });
  }

  const running = (async () => {
    while (!stop.signal.aborted) {
      const revoked = await runStream();
      if (revoked || stop.signal.aborted) return;
      const delay = backoff.next();
      logger.info({ retryInMs: delay }, "reconnecting to the control plane");
      try {
        await sleep(delay, stop.signal);
      } catch {
        return;
      }
    }
  })();

  return {
    current: () => (status.revoked ? undefined : engine),
    isReady: () => engine !== undefined && !status.revoked,
    notReadyReason() {
      if (status.revoked) return `node revoked by the control plane: ${status.revoked}`;
      return engine ? undefined : waitingReason;
    },
    onChange(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
    onRevoked(listener) {
      revokedListeners.add(listener);
      return () => revokedListeners.delete(listener);
    },
    status: () => ({ ...status }),
    async close() {
      stop.abort(new Error("config client closed"));
      activeCall?.end();
      activeCall?.cancel();
      await running;
    },
  };
}
