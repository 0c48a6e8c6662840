// A data-plane node's connection to the control plane, wired once: identity (enroll or load) → audit spool →
// config stream → audit shipper. close() ends the streams, seals and fsyncs the spool, and stops cleanly.
// A node the control plane revoked writes <dataDir>/revoked.json and refuses to start again from that directory.
import { readFile } from "node:fs/promises";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import {
  createApprovalClient,
  createAuditClient,
  createConfigClient,
  DATA_PLANE_CHANNEL_OPTIONS,
} from "@portcullis/proto";
import { type ApprovalClient, createApprovalClientOf } from "./approvals/approval-gate.ts";
import { type AuditShipper, type ShipperStatus, startAuditShipper } from "./audit/shipper.ts";
import { type AuditSpool, openSpool, type SpoolLimits } from "./audit/spool.ts";
import type { BackoffOptions } from "./config/backoff.ts";
import { sleep } from "./config/backoff.ts";
import { type ConfigClient, type ConfigStatus, startConfigClient } from "./config/config-client.ts";
import { loadOrEnrollNode, type NodeIdentity, nodeCredentials } from "./identity/node-identity.ts";
import { ensurePrivateDirectory, writeFileDurably } from "./lib/durable-file.ts";
import type { Logger } from "./log.ts";

export const REVOKED_FILE = "revoked.json";

export interface StartNodeOptions {
  cpGrpcAddress: string;
  /** Needed only until the node is enrolled. */
  bootstrapToken?: string | undefined;
  dataDir: string;
  logger: Logger;
  nodeName?: string;
  labels?: Record<string, string>;
  capabilities?: string[];
  heartbeatIntervalMs?: number;
  /** Reconnect/retry schedule for enrollment, the config stream and audit shipping. */
  backoff?: BackoffOptions;
  spool?: Partial<SpoolLimits>;
  /** Batches in flight to the control plane. */
  auditWindow?: number;
  channelCredentials?: grpc.ChannelCredentials;
  channelOptions?: grpc.ChannelOptions;
  /** Aborts a start that is still waiting for the control plane to enroll. */
  signal?: AbortSignal;
}

export interface NodeStatus {
  nodeId: string;
  ready: boolean;
  notReadyReason?: string;
  config: ConfigStatus;
  audit: ShipperStatus & { streamId: string; spoolDepth: number; auditLagMs: number; spoolFull: boolean };
}

export interface DataPlaneNode {
  readonly identity: NodeIdentity;
  readonly config: ConfigClient;
  readonly spool: AuditSpool;
  /** The control plane's approval service, authenticated as this node. */
  readonly approvals: ApprovalClient;
  isReady(): boolean;
  notReadyReason(): string | undefined;
  /** True while the spool is at its bound: the request path applies the spool-full policy. */
  spoolFull(): boolean;
  status(): NodeStatus;
  /**
   * Stops the node: ends the config stream, seals the spool and (for up to `drainMs`, default 0) lets the
   * shipper deliver what is left, then ends the ingest stream and fsyncs the spool.
   */
  close(options?: { drainMs?: number }): Promise<void>;
}

export class NodeRevokedError extends Error {
  override readonly name = "NodeRevokedError";
}

export async function startNode(options: StartNodeOptions): Promise<DataPlaneNode> {
  const { logger, dataDir } = options;
  await ensurePrivateDirectory(dataDir);
  const revoked = await readRevocation(dataDir);
  if (revoked !== undefined) {
    throw new NodeRevokedError(
      `this node was revoked by the control plane (${revoked}); remove ${dataDir} and enroll it again with a new bootstrap token`,
    );
  }
  const channelCredentials = options.channelCredentials ?? grpc.credentials.createInsecure();
  const channelOptions = options.channelOptions ?? DATA_PLANE_CHANNEL_OPTIONS;
  const identity = await loadOrEnrollNode({
    dataDir,
    cpAddress: options.cpGrpcAddress,
    bootstrapToken: options.bootstrapToken,
    logger,
    channelCredentials,
    channelOptions,
    ...(options.nodeName ? { nodeName: options.nodeName } : {}),
    ...(options.labels ? { labels: options.labels } : {}),
    ...(options.backoff ? { backoff: options.backoff } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const credentials = nodeCredentials(identity);
  let config: ConfigClient | undefined;
  const spool = await openSpool({
    dataDir,
    nodeId: identity.nodeId,
    signing: identity.signing,
    configVersion: () => config?.current()?.version ?? 0,
    logger,
    ...options.spool,
  });
  const configGrpc = createConfigClient(options.cpGrpcAddress, channelCredentials, channelOptions);
  const auditGrpc = createAuditClient(options.cpGrpcAddress, channelCredentials, channelOptions);
  const approvalGrpc = createApprovalClient(options.cpGrpcAddress, channelCredentials, channelOptions);
  config = await startConfigClient({
    identity,
    client: configGrpc,
    credentials,
    dataDir,
    logger,
    auditStatus: () => ({ spoolDepth: spool.depth(), auditLagMs: spool.lagMs() }),
    ...(options.capabilities ? { capabilities: options.capabilities } : {}),
    ...(options.heartbeatIntervalMs ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
    ...(options.backoff ? { backoff: options.backoff } : {}),
  });
  let shipper: AuditShipper | undefined = startAuditShipper({
    spool,
    client: auditGrpc,
    credentials,
    cpKeys: identity.cpKeys,
    logger,
    ...(options.auditWindow ? { window: options.auditWindow } : {}),
    ...(options.backoff ? { backoff: options.backoff } : {}),
  });
  const configClient = config;

  configClient.onRevoked((reason) => {
    // The control plane will not take this node's audit any more; keep the spool on disk for inspection.
    const stopping = shipper;
    shipper = undefined;
    void stopping?.close();
    writeFileDurably(
      path.join(dataDir, REVOKED_FILE),
      JSON.stringify({ reason, at: new Date().toISOString() }),
      0o600,
    ).catch((error: Error) => logger.error({ err: error.message }, "could not record the revocation"));
  });

  let closing: Promise<void> | undefined;
  return {
    identity,
    config: configClient,
    spool,
    approvals: createApprovalClientOf(approvalGrpc, credentials),
    isReady: () => configClient.isReady(),
    notReadyReason: () => configClient.notReadyReason(),
    spoolFull: () => spool.isFull(),
    status() {
      const notReadyReason = configClient.notReadyReason();
      return {
        nodeId: identity.nodeId,
        ready: configClient.isReady(),
        ...(notReadyReason ? { notReadyReason } : {}),
        config: configClient.status(),
        audit: {
          ...(shipper?.status() ?? { connected: false, acknowledged: 0, acknowledgedEvents: 0, duplicates: 0 }),
          streamId: spool.streamId,
          spoolDepth: spool.depth(),
          auditLagMs: spool.lagMs(),
          spoolFull: spool.isFull(),
        },
      };
    },
    close(closeOptions = {}) {
      closing ??= (async () => {
        await configClient.close();
        await spool.flush();
        const drainMs = closeOptions.drainMs ?? 0;
        if (drainMs > 0 && shipper && spool.depth() > 0) {
          const timeout = new AbortController();
          await Promise.race([spool.whenEmpty(), sleep(drainMs, timeout.signal).catch(() => {})]);
          timeout.abort();
        }
        await shipper?.close();
        await spool.close();
        configGrpc.close();
        auditGrpc.close();
        approvalGrpc.close();
        logger.info({ spoolDepth: spool.depth() }, "node stopped");
      })();
      return closing;
    },
  };
}

async function readRevocation(dataDir: string): Promise<string | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path.join(dataDir, REVOKED_FILE), "utf8")) as { reason?: unknown };
    return typeof parsed.reason === "string" ? parsed.reason : "no reason recorded";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return "the revocation record is unreadable";
  }
}
