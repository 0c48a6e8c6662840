// `portcullis dp`: parses the data plane's environment once with zod (failing loudly, naming the variable),
// serves /healthz, /readyz and the request path (POST /tools/{tool}/invoke) on PORTCULLIS_DP_HTTP, and runs the
// node (enroll → config stream → audit). Until a valid snapshot is served, every other path answers 503 not_ready.
// Every request there is counted and (PORTCULLIS_DP_ACCESS_LOG) logged; /metrics is served only on the admin
// listener (PORTCULLIS_DP_ADMIN_HTTP), never where agents connect (ADR 0019).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Server as NetServer } from "node:net";
import path from "node:path";
import { type ChannelTls, grpcChannelCredentials, readPemSetting } from "@portcullis/proto";
import pino from "pino";
import { z } from "zod";
import { parsePushAllow } from "./a2a/push-url.ts";
import { createMemoryTaskOwners, createRedisTaskOwners } from "./a2a/task-owners.ts";
import { DEFAULT_APPROVAL_TIMEOUT_MS } from "./approvals/approval-gate.ts";
import { DEFAULT_SPOOL_LIMITS } from "./audit/spool.ts";
import { sleep } from "./config/backoff.ts";
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_UPSTREAM_TIMEOUT_MS } from "./http-tools/call-upstream.ts";
import type { Logger } from "./log.ts";
import { DEFAULT_MAX_STREAMS, DEFAULT_STREAM_KEEPALIVE_MS } from "./mcp/list-streams.ts";
import { createDataPlaneMetrics, type DataPlaneMetrics } from "./metrics.ts";
import { type DataPlaneNode, startNode } from "./node.ts";
import { createMemoryQuotaStore, createRedisQuotaStore } from "./quota/quota-store.ts";
import { createRequestObserver } from "./server/access-log.ts";
import { answerClientError } from "./server/client-errors.ts";
import { capConnectionsPerIp, listenerOptions } from "./server/listener-limits.ts";
import { createMtlsServer, mtlsListenerProblems } from "./server/mtls-listener.ts";
import { parseAllowedOrigins } from "./server/origin-guard.ts";
import { DEFAULT_MAX_BODY_BYTES } from "./server/read-body.ts";
import { createRouter, type DataPlaneRouter } from "./server/router.ts";
import { SETTLE_MS } from "./server/shutdown.ts";
import { createMemoryLedger, DEFAULT_SESSION_IDLE_TTL_MS } from "./session/ledger.ts";
import { createRedisLedger, DEFAULT_REDIS_KEY_PREFIX } from "./session/redis-ledger.ts";

const hostPort = (example: string) =>
  z
    .string()
    .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, `expected HOST:PORT, for example ${example}`)
    .refine((v) => Number(v.slice(v.lastIndexOf(":") + 1)) <= 65535, "port must be at most 65535");

const positiveInt = (def: number) => z.coerce.number().int().positive().default(def);

/** An optional comma-separated list that `parse` accepts (it throws on a bad one). */
const parsedList = (parse: (value: string) => unknown, message: string) =>
  z
    .string()
    .max(4000)
    .refine(
      (v) => {
        try {
          parse(v);
          return true;
        } catch {
          return false;
        }
      },
      { message },
    )
    .optional();

/** A path to a PEM file, read at start (the error names the variable and the file). */
const pemFile = z.string().transform((file, ctx) => readPemSetting(file, ctx) ?? z.NEVER);

export const dataPlaneConfigSchema = z.object({
  PORTCULLIS_CP_GRPC: hostPort("127.0.0.1:7071").default("127.0.0.1:7071"),
  PORTCULLIS_CP_GRPC_TLS: z.enum(["on", "off"], { message: "expected on or off" }).optional(),
  PORTCULLIS_CP_GRPC_TLS_CA: pemFile.optional(),
  PORTCULLIS_DP_GRPC_TLS_CERT: pemFile.optional(),
  PORTCULLIS_DP_GRPC_TLS_KEY: pemFile.optional(),
  PORTCULLIS_BOOTSTRAP_TOKEN: z.string().min(1).max(200).optional(),
  PORTCULLIS_DP_DATA_DIR: z.string().min(1).default(".portcullis/dp"),
  PORTCULLIS_DP_HTTP: hostPort("127.0.0.1:8080").default("127.0.0.1:8080"),
  PORTCULLIS_DP_HTTPS: hostPort("0.0.0.0:8443").optional(),
  PORTCULLIS_DP_TLS_CERT: pemFile.optional(),
  PORTCULLIS_DP_TLS_KEY: pemFile.optional(),
  PORTCULLIS_DP_TLS_CLIENT_CA: pemFile.optional(),
  PORTCULLIS_DP_ADMIN_HTTP: hostPort("127.0.0.1:9464").optional(),
  PORTCULLIS_DP_ACCESS_LOG: z.enum(["on", "off"], { message: "expected on or off" }).default("on"),
  PORTCULLIS_DP_NAME: z.string().min(1).max(100).optional(),
  PORTCULLIS_DP_HEARTBEAT_SECONDS: positiveInt(10),
  PORTCULLIS_DP_MAX_STALENESS_SECONDS: positiveInt(600),
  PORTCULLIS_DP_STALE_POLICY: z
    .enum(["serve", "deny_sensitive"], { message: "expected serve or deny_sensitive" })
    .default("serve"),
  PORTCULLIS_DP_SPOOL_MAX_BYTES: positiveInt(DEFAULT_SPOOL_LIMITS.maxBytes),
  PORTCULLIS_DP_SPOOL_MAX_EVENTS: positiveInt(DEFAULT_SPOOL_LIMITS.maxEvents),
  PORTCULLIS_DP_SPOOL_FULL_POLICY: z.enum(["deny_sensitive", "deny_all"]).default("deny_sensitive"),
  PORTCULLIS_DP_DRAIN_SECONDS: z.coerce.number().int().min(0).default(5),
  PORTCULLIS_DP_HEADERS_TIMEOUT_MS: positiveInt(10_000),
  PORTCULLIS_DP_REQUEST_TIMEOUT_MS: positiveInt(30_000),
  PORTCULLIS_DP_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(0).default(256),
  PORTCULLIS_DP_CONNECTION_CAP_EXEMPT: parsedList(
    parsePushAllow,
    "expected comma-separated IP addresses or CIDR ranges, for example 10.0.0.0/8",
  ),
  PORTCULLIS_DP_MAX_BODY_BYTES: positiveInt(DEFAULT_MAX_BODY_BYTES),
  PORTCULLIS_DP_MAX_RESPONSE_BYTES: positiveInt(DEFAULT_MAX_RESPONSE_BYTES),
  PORTCULLIS_DP_UPSTREAM_TIMEOUT_MS: positiveInt(DEFAULT_UPSTREAM_TIMEOUT_MS),
  PORTCULLIS_DP_SESSION_IDLE_SECONDS: positiveInt(DEFAULT_SESSION_IDLE_TTL_MS / 1000),
  PORTCULLIS_DP_TOOL_PIN_RECHECK_SECONDS: z.coerce.number().int().min(0).default(60),
  PORTCULLIS_DP_EGRESS_LOOPBACK: z.enum(["allow", "deny"], { message: "expected allow or deny" }).default("allow"),
  PORTCULLIS_DP_MCP_STREAM_KEEPALIVE_SECONDS: positiveInt(DEFAULT_STREAM_KEEPALIVE_MS / 1000),
  PORTCULLIS_DP_MCP_MAX_STREAMS: positiveInt(DEFAULT_MAX_STREAMS),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, "expected a redis:// or rediss:// URL, for example redis://127.0.0.1:6379")
    .optional(),
  PORTCULLIS_DP_REDIS_PREFIX: z.string().min(1).max(200).default(DEFAULT_REDIS_KEY_PREFIX),
  PORTCULLIS_DP_A2A_PUSH_ALLOW: parsedList(
    parsePushAllow,
    "expected comma-separated IP addresses or CIDR ranges, for example 10.0.0.0/8,127.0.0.1",
  ),
  PORTCULLIS_DP_ALLOWED_ORIGINS: parsedList(
    parseAllowedOrigins,
    "expected comma-separated origins, for example https://console.example.com,http://localhost:5173",
  ),
  PORTCULLIS_DP_APPROVAL_HOLD_MS: z.coerce.number().int().min(0, "expected 0 or more (ms)").default(0),
  PORTCULLIS_DP_APPROVAL_TIMEOUT_MS: positiveInt(DEFAULT_APPROVAL_TIMEOUT_MS),
  PORTCULLIS_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type DataPlaneConfig = z.output<typeof dataPlaneConfigSchema>;

export class DataPlaneConfigError extends Error {
  override readonly name = "DataPlaneConfigError";
}

/** Parses the environment; throws DataPlaneConfigError naming each bad variable. Empty values count as unset. */
export function parseDataPlaneConfig(env: Record<string, string | undefined> = process.env): DataPlaneConfig {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(dataPlaneConfigSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") picked[key] = value;
  }
  const result = dataPlaneConfigSchema.safeParse(picked);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${String(i.path[0])}: ${i.message}`);
    throw new DataPlaneConfigError(`invalid data-plane configuration:\n${lines.join("\n")}\nSee data-plane/README.md.`);
  }
  const config = result.data;
  const problems: string[] = [];
  if ((config.PORTCULLIS_DP_GRPC_TLS_CERT === undefined) !== (config.PORTCULLIS_DP_GRPC_TLS_KEY === undefined)) {
    problems.push("  PORTCULLIS_DP_GRPC_TLS_CERT and PORTCULLIS_DP_GRPC_TLS_KEY: set both, or neither");
  }
  const tlsAsked = config.PORTCULLIS_CP_GRPC_TLS_CA !== undefined || config.PORTCULLIS_DP_GRPC_TLS_CERT !== undefined;
  if (config.PORTCULLIS_CP_GRPC_TLS === "off" && tlsAsked) {
    problems.push("  PORTCULLIS_CP_GRPC_TLS: off, but TLS files are set; remove them or set it to on");
  }
  if (config.PORTCULLIS_DP_HEADERS_TIMEOUT_MS > config.PORTCULLIS_DP_REQUEST_TIMEOUT_MS) {
    problems.push("  PORTCULLIS_DP_HEADERS_TIMEOUT_MS: must not exceed PORTCULLIS_DP_REQUEST_TIMEOUT_MS");
  }
  problems.push(...mtlsListenerProblems(config));
  if (config.PORTCULLIS_DP_MAX_STALENESS_SECONDS < 2 * config.PORTCULLIS_DP_HEARTBEAT_SECONDS) {
    problems.push(
      "  PORTCULLIS_DP_MAX_STALENESS_SECONDS: must be at least twice PORTCULLIS_DP_HEARTBEAT_SECONDS (heartbeats are how the control plane is heard from)",
    );
  }
  if (problems.length > 0) {
    throw new DataPlaneConfigError(
      `invalid data-plane configuration:\n${problems.join("\n")}\nSee data-plane/README.md.`,
    );
  }
  return config;
}

/** The gRPC channel's TLS settings: on when asked (PORTCULLIS_CP_GRPC_TLS=on) or when a CA or client cert is set. */
export function channelTlsOf(config: DataPlaneConfig): ChannelTls | undefined {
  const on =
    config.PORTCULLIS_CP_GRPC_TLS === "on" ||
    (config.PORTCULLIS_CP_GRPC_TLS === undefined &&
      (config.PORTCULLIS_CP_GRPC_TLS_CA !== undefined || config.PORTCULLIS_DP_GRPC_TLS_CERT !== undefined));
  if (!on) return undefined;
  return {
    ca: config.PORTCULLIS_CP_GRPC_TLS_CA,
    cert: config.PORTCULLIS_DP_GRPC_TLS_CERT,
    key: config.PORTCULLIS_DP_GRPC_TLS_KEY,
  };
}

export interface RunningDataPlane {
  config: DataPlaneConfig;
  /** HOST:PORT the agent-facing listener (request path, /healthz, /readyz) is bound to (useful with port 0). */
  httpAddress: string;
  /** HOST:PORT of the agents' mTLS listener, when PORTCULLIS_DP_HTTPS is set. */
  httpsAddress: string | undefined;
  /** HOST:PORT of the admin listener (/metrics, /healthz, /readyz), when PORTCULLIS_DP_ADMIN_HTTP is set. */
  adminAddress: string | undefined;
  /** The node's metrics (served on the admin listener). */
  metrics: DataPlaneMetrics;
  /** The node, once enrolled and started. */
  node(): DataPlaneNode | undefined;
  close(): Promise<void>;
}

export interface RunDataPlaneOptions {
  env?: Record<string, string | undefined>;
  logger?: Logger;
  /** Stop on SIGINT/SIGTERM (draining the spool), then exit. Default false: the caller owns the process. */
  handleSignals?: boolean;
  /** Passed to startNode (tests use a short backoff). */
  nodeOverrides?: Partial<Parameters<typeof startNode>[0]>;
}

/**
 * Runs the data plane. `argv` is accepted for symmetry with the other commands; everything is configured by
 * the environment. Resolves once the HTTP listener is up; enrollment and the node start continue behind it.
 */
export async function runDataPlane(_argv: string[] = [], options: RunDataPlaneOptions = {}): Promise<RunningDataPlane> {
  const config = parseDataPlaneConfig(options.env ?? process.env);
  const logger: Logger = options.logger ?? pino({ level: config.PORTCULLIS_LOG_LEVEL, base: { svc: "dp" } });
  let node: DataPlaneNode | undefined;
  let startError: string | undefined;
  const stop = new AbortController();

  const notReadyReason = (): string | undefined => {
    if (startError) return startError;
    if (!node) return "starting: enrolling with or connecting to the control plane";
    return node.notReadyReason();
  };
  // The session ledger outlives snapshots. In memory it refuses sessions older than itself (their history was
  // lost); on Redis (REDIS_URL) it is shared by every node, so any node continues any session.
  const idleTtlMs = config.PORTCULLIS_DP_SESSION_IDLE_SECONDS * 1000;
  const ledger = config.REDIS_URL
    ? createRedisLedger({ url: config.REDIS_URL, keyPrefix: config.PORTCULLIS_DP_REDIS_PREFIX, idleTtlMs, logger })
    : createMemoryLedger({ idleTtlMs });
  logger.info({ ledger: config.REDIS_URL ? "redis" : "memory" }, "session ledger");
  // Rate-limit counters live where the ledger does: shared by every node on Redis, per node in memory.
  const quota = config.REDIS_URL
    ? createRedisQuotaStore({
        url: config.REDIS_URL,
        keyPrefix: `${config.PORTCULLIS_DP_REDIS_PREFIX}quota:`,
        logger,
      })
    : createMemoryQuotaStore();
  // Who owns each A2A task: shared through Redis like the session ledger, so any node refuses another's task.
  const taskOwners = config.REDIS_URL
    ? createRedisTaskOwners({ url: config.REDIS_URL, keyPrefix: `${config.PORTCULLIS_DP_REDIS_PREFIX}a2a:`, logger })
    : createMemoryTaskOwners();
  const metrics = createDataPlaneMetrics();
  const router = createRouter({
    metrics,
    ledger,
    quota,
    taskOwners,
    pushAllow: parsePushAllow(config.PORTCULLIS_DP_A2A_PUSH_ALLOW),
    allowedOrigins: parseAllowedOrigins(config.PORTCULLIS_DP_ALLOWED_ORIGINS),
    approvals: {
      holdMs: config.PORTCULLIS_DP_APPROVAL_HOLD_MS,
      timeoutMs: config.PORTCULLIS_DP_APPROVAL_TIMEOUT_MS,
    },
    pinRecheckMs: config.PORTCULLIS_DP_TOOL_PIN_RECHECK_SECONDS * 1000,
    egress: { blockLoopback: config.PORTCULLIS_DP_EGRESS_LOOPBACK === "deny" },
    sessionIdleMs: idleTtlMs,
    mcpStreams: {
      keepAliveMs: config.PORTCULLIS_DP_MCP_STREAM_KEEPALIVE_SECONDS * 1000,
      maxStreams: config.PORTCULLIS_DP_MCP_MAX_STREAMS,
    },
    staleness: {
      maxStalenessMs: config.PORTCULLIS_DP_MAX_STALENESS_SECONDS * 1000,
      policy: config.PORTCULLIS_DP_STALE_POLICY,
    },
    settings: {
      maxBodyBytes: config.PORTCULLIS_DP_MAX_BODY_BYTES,
      maxResponseBytes: config.PORTCULLIS_DP_MAX_RESPONSE_BYTES,
      upstreamTimeoutMs: config.PORTCULLIS_DP_UPSTREAM_TIMEOUT_MS,
    },
    spoolFullPolicy: config.PORTCULLIS_DP_SPOOL_FULL_POLICY,
    logger,
  });
  const observe = createRequestObserver({ metrics, logger, accessLog: config.PORTCULLIS_DP_ACCESS_LOG === "on" });
  // Headers over 16 KiB get 431, slow headers and bodies 408, from Node itself before any handler (and so before
  // any crypto) runs; one client IP holds at most PORTCULLIS_DP_MAX_CONNECTIONS_PER_IP connections (R08).
  const limits = listenerOptions({
    headersTimeoutMs: config.PORTCULLIS_DP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.PORTCULLIS_DP_REQUEST_TIMEOUT_MS,
  });
  const onRequest = (req: IncomingMessage, res: ServerResponse) =>
    observe(req, res, () => handleHttp(req, res, notReadyReason, () => node, router));
  const server = createServer(limits, onRequest);
  server.on("clientError", answerClientError);
  const connectionCap = {
    max: config.PORTCULLIS_DP_MAX_CONNECTIONS_PER_IP,
    exempt: parsePushAllow(config.PORTCULLIS_DP_CONNECTION_CAP_EXEMPT),
    logger,
    onRefuse: () => metrics.refused("connection_cap"),
  };
  capConnectionsPerIp(server, connectionCap);
  const httpAddress = await listen(server, config.PORTCULLIS_DP_HTTP);
  // The agents' mTLS listener (optional): the same routes and limits, behind a required client certificate.
  const tlsServer = createMtlsServer(config, limits, onRequest, logger);
  if (tlsServer) capConnectionsPerIp(tlsServer as unknown as Server, connectionCap);
  const httpsAddress = tlsServer && (await listen(tlsServer, config.PORTCULLIS_DP_HTTPS as string));
  let admin: Server | undefined;
  let adminAddress: string | undefined;
  if (config.PORTCULLIS_DP_ADMIN_HTTP) {
    admin = createServer(limits, (req, res) =>
      handleAdmin(req, res, notReadyReason, () => node, router, metrics, logger),
    );
    try {
      adminAddress = await listen(admin, config.PORTCULLIS_DP_ADMIN_HTTP);
    } catch (error) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([ledger.close(), quota.close(), taskOwners.close()]);
      throw error;
    }
  }
  logger.info(
    {
      http: httpAddress,
      https: httpsAddress,
      admin: adminAddress,
      cp: config.PORTCULLIS_CP_GRPC,
      accessLog: config.PORTCULLIS_DP_ACCESS_LOG,
    },
    "data plane listening",
  );

  const starting = startNode({
    cpGrpcAddress: config.PORTCULLIS_CP_GRPC,
    channelCredentials: grpcChannelCredentials(channelTlsOf(config)),
    bootstrapToken: config.PORTCULLIS_BOOTSTRAP_TOKEN,
    dataDir: path.resolve(config.PORTCULLIS_DP_DATA_DIR),
    logger,
    heartbeatIntervalMs: config.PORTCULLIS_DP_HEARTBEAT_SECONDS * 1000,
    spool: { maxBytes: config.PORTCULLIS_DP_SPOOL_MAX_BYTES, maxEvents: config.PORTCULLIS_DP_SPOOL_MAX_EVENTS },
    signal: stop.signal,
    ...(config.PORTCULLIS_DP_NAME ? { nodeName: config.PORTCULLIS_DP_NAME } : {}),
    ...options.nodeOverrides,
  }).then(
    (started) => {
      router.attach(started);
      node = started;
      return started;
    },
    (error: Error) => {
      if (!stop.signal.aborted) {
        startError = `the node could not start: ${error.message}`;
        logger.error({ err: error.message }, "the node could not start");
      }
      return undefined;
    },
  );

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      stop.abort(new Error("data plane stopping"));
      // Stop accepting, let the calls in flight finish (bounded by the drain time) so their audit is recorded.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const tlsClosed = new Promise<void>((resolve) => (tlsServer ? tlsServer.close(() => resolve()) : resolve()));
      tlsServer?.closeIdleConnections();
      const adminClosed = new Promise<void>((resolve) => (admin ? admin.close(() => resolve()) : resolve()));
      admin?.closeAllConnections();
      server.closeIdleConnections();
      if (router.inFlight() > 0) logger.info({ inFlight: router.inFlight() }, "draining calls in flight");
      const drainUntil = Date.now() + config.PORTCULLIS_DP_DRAIN_SECONDS * 1000;
      while (router.inFlight() > 0 && Date.now() < drainUntil) await sleep(20);
      if (router.inFlight() > 0)
        logger.warn({ inFlight: router.inFlight() }, "drain time over: cutting calls in flight");
      server.closeAllConnections();
      tlsServer?.closeAllConnections();
      await router.close();
      // Calls cut at the deadline conclude (their upstream requests were aborted just now) and record their audit
      // event before the spool closes (R14).
      const settleUntil = Date.now() + SETTLE_MS;
      while (router.inFlight() > 0 && Date.now() < settleUntil) await sleep(20);
      await ledger.close();
      await quota.close();
      await taskOwners.close();
      const started = await starting;
      await started?.close({ drainMs: config.PORTCULLIS_DP_DRAIN_SECONDS * 1000 });
      await closed;
      await tlsClosed;
      await adminClosed;
    })();
    return closing;
  };
  if (options.handleSignals) {
    const onSignal = (signal: string) => {
      logger.info({ signal }, "shutting down");
      close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once("SIGINT", () => onSignal("SIGINT"));
    process.once("SIGTERM", () => onSignal("SIGTERM"));
  }
  return { config, httpAddress, httpsAddress, adminAddress, metrics, node: () => node, close };
}

function sendText(res: ServerResponse, status: number, text: string, contentType = "application/json"): void {
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

/** /healthz and /readyz, on either listener; false for any other path. */
function answerHealth(
  pathname: string | undefined,
  res: ServerResponse,
  reason: string | undefined,
  node: () => DataPlaneNode | undefined,
  router: DataPlaneRouter,
): boolean {
  if (pathname === "/healthz") {
    sendText(res, 200, JSON.stringify({ status: "ok" }));
    return true;
  }
  if (pathname !== "/readyz") return false;
  const engine = node()?.config.current();
  if (reason) {
    sendText(res, 503, JSON.stringify({ status: "not_ready", reason }));
    return true;
  }
  const cp = router.staleness();
  const body = {
    status: "ready",
    version: engine?.version,
    sha256: engine?.sha256,
    ...(cp ? { controlPlane: { silentSeconds: cp.silentSeconds, stale: cp.stale, stalePolicy: cp.policy } } : {}),
  };
  sendText(res, 200, JSON.stringify(body));
  return true;
}

function handleHttp(
  req: IncomingMessage,
  res: ServerResponse,
  notReadyReason: () => string | undefined,
  node: () => DataPlaneNode | undefined,
  router: DataPlaneRouter,
): void {
  const pathname = (req.url ?? "/").split("?")[0];
  if (pathname === "/healthz") {
    answerHealth(pathname, res, undefined, node, router);
    return;
  }
  const reason = notReadyReason();
  if (answerHealth(pathname, res, reason, node, router)) return;
  // Not ready → 503 for everything (never serve with no config); ready → the request path.
  router.handle(req, res, reason);
}

/** The admin listener: /metrics (Prometheus text format), /healthz and /readyz; GET only. */
function handleAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  notReadyReason: () => string | undefined,
  node: () => DataPlaneNode | undefined,
  router: DataPlaneRouter,
  metrics: DataPlaneMetrics,
  logger: Logger,
): void {
  const pathname = (req.url ?? "/").split("?")[0];
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET");
    sendText(res, 405, JSON.stringify({ error: { code: "method_not_allowed", message: "use GET" } }));
    return;
  }
  if (pathname === "/metrics") {
    metrics.scrape().then(
      (text) => sendText(res, 200, text, metrics.contentType),
      (error: Error) => {
        logger.error({ err: error.message }, "metrics could not be collected");
        sendText(res, 500, JSON.stringify({ error: { code: "internal_error", message: "internal error" } }));
      },
    );
    return;
  }
  if (answerHealth(pathname, res, pathname === "/readyz" ? notReadyReason() : undefined, node, router)) return;
  sendText(res, 404, JSON.stringify({ error: { code: "not_found", message: "no such route" } }));
}

function listen(server: Server | NetServer, hostPort: string): Promise<string> {
  const cut = hostPort.lastIndexOf(":");
  const host = hostPort.slice(0, cut).replace(/^\[(.*)\]$/, "$1");
  const port = Number(hostPort.slice(cut + 1));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address() as AddressInfo;
      resolve(
        address.family === "IPv6" ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`,
      );
    });
  });
}
