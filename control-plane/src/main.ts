// Starts the control plane: parse config, open (and migrate) the database, make sure there is a first admin,
// build the HTTP app and listen. Everything is built once here and passed down explicitly.

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { serve } from "@hono/node-server";
import pino, { type Logger } from "pino";
import { createCheckpoint } from "./audit/checkpoints.ts";
import type { ControlPlaneConfig } from "./config.ts";
import { type Database, openDatabase } from "./db/client.ts";
import { createConfigHub } from "./grpc/config-hub.ts";
import { startGrpcServer } from "./grpc/server.ts";
import { createApp } from "./http/app.ts";
import { consoleAssets } from "./http/console.ts";
import { type KeyRing, loadKeyRing } from "./keys/control-plane-keys.ts";
import { uuidv7 } from "./lib/ids.ts";
import { type ControlPlaneMetrics, createControlPlaneMetrics } from "./metrics.ts";
import { createApprovalWebhook } from "./services/approval-webhook.ts";
import { type ApprovalSettings, decideUrl } from "./services/approvals.ts";
import { ensureFirstAdmin, purgeExpiredSessions } from "./services/auth.ts";
import type { Deps } from "./services/context.ts";
import { ensureDefaultGroup } from "./services/gateway-groups.ts";
import { createLoginThrottle } from "./services/login-throttle.ts";
import { createConfigPublisher } from "./snapshots/config-publisher.ts";
import { startTokenMtlsListener } from "./tokens/mtls-listener.ts";
import { tokenSettings } from "./tokens/settings.ts";

export interface RunningControlPlane {
  url: string;
  /** HOST:PORT of the admin listener (/metrics, /healthz), when PORTCULLIS_CP_ADMIN_HTTP is set. */
  adminAddress: string | undefined;
  /** HOST:PORT of the gRPC service for data-plane nodes. */
  grpcAddress: string;
  /** https://HOST:PORT of the agents' mTLS token endpoint, when PORTCULLIS_CP_TOKEN_MTLS is set. */
  tokenMtlsUrl: string | undefined;
  database: Database;
  deps: Deps;
  firstAdmin: { created: boolean; email: string; generatedPassword?: string };
  close(): Promise<void>;
}

/** The master key for secrets at rest: from configuration, or (development only) generated once on disk. */
export function loadSecretKey(config: ControlPlaneConfig, logger: Logger): Buffer {
  if (config.PORTCULLIS_SECRET_KEY) return Buffer.from(config.PORTCULLIS_SECRET_KEY, "base64");
  const file = path.resolve(config.PORTCULLIS_DATA_DIR, "secret.key");
  if (existsSync(file)) return Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString("base64")}\n`, { mode: 0o600 });
  logger.warn({ file }, "generated a development secret key; set PORTCULLIS_SECRET_KEY in production");
  return key;
}

export async function startControlPlane(
  config: ControlPlaneConfig,
  options: { logger?: Logger; database?: Database } = {},
): Promise<RunningControlPlane> {
  const logger = options.logger ?? pino({ level: config.PORTCULLIS_LOG_LEVEL, base: { svc: "cp" } });
  const database =
    options.database ?? (await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.PORTCULLIS_DATA_DIR }));
  const deps: Deps = { db: database.db, logger, secretKey: loadSecretKey(config, logger), clock: () => new Date() };
  const firstAdmin = await ensureFirstAdmin(deps, {
    email: config.PORTCULLIS_ADMIN_EMAIL,
    password: config.PORTCULLIS_ADMIN_PASSWORD,
  });

  let keyRing: KeyRing = await loadKeyRing(database.db, deps.secretKey);
  deps.keys = () => keyRing;
  await ensureDefaultGroup(deps);
  const log = (level: "info" | "warn", msg: string, fields?: Record<string, unknown>) =>
    logger[level](fields ?? {}, msg);
  const publisher = createConfigPublisher({ database, secretKey: deps.secretKey, keys: () => keyRing, log });
  const hub = createConfigHub({
    db: database.db,
    currentSnapshot: publisher.currentSnapshot,
    replicaId: uuidv7(),
    log,
  });
  publisher.onPublished((snapshot) => hub.offerGroup(snapshot.groupId));
  const issuer =
    config.PORTCULLIS_PUBLIC_URL ?? `http://${config.PORTCULLIS_CP_HTTP.host}:${config.PORTCULLIS_CP_HTTP.port}`;
  // Without a public URL, tokens name the control plane by the URL it is bound to (set below, once known).
  const tokens = tokenSettings({
    issuer,
    accessTokenTtlSeconds: config.PORTCULLIS_TOKEN_TTL_MINUTES * 60,
    keyActivationDelayMs: config.PORTCULLIS_KEY_ACTIVATION_MINUTES * 60_000,
    jwksCooldownMs: config.PORTCULLIS_JWKS_COOLDOWN_SECONDS * 1000,
    jwksCacheMaxAgeMs: config.PORTCULLIS_JWKS_CACHE_MAX_AGE_SECONDS * 1000,
    delegationMaxDepth: config.PORTCULLIS_DELEGATION_MAX_DEPTH,
    production: config.PORTCULLIS_ENV === "production",
  });
  deps.tokens = tokens;
  // The console's URL for "where to approve" links: the public URL, or the bound one once known.
  let consoleUrl = config.PORTCULLIS_PUBLIC_URL ?? issuer;
  const approvalSettings: ApprovalSettings = {
    ttlMs: config.PORTCULLIS_APPROVAL_TTL,
    consoleUrl: () => consoleUrl,
  };
  const webhook = config.PORTCULLIS_APPROVAL_WEBHOOK_URL
    ? createApprovalWebhook({
        url: config.PORTCULLIS_APPROVAL_WEBHOOK_URL,
        secret: config.PORTCULLIS_APPROVAL_WEBHOOK_SECRET ?? "",
        db: database.db,
        logger,
        decideUrl: (id) => decideUrl(approvalSettings, id),
      })
    : undefined;
  if (webhook) approvalSettings.onRequested = (row) => webhook.notify(row);
  deps.approvals = approvalSettings;
  const metrics = createControlPlaneMetrics();
  const grpcServer = await startGrpcServer({
    host: config.PORTCULLIS_CP_GRPC.host,
    port: config.PORTCULLIS_CP_GRPC.port,
    hub,
    enrollment: {
      db: database.db,
      keys: () => keyRing,
      get issuer() {
        return tokens.issuer;
      },
      audience: tokens.audience,
      log: (m, f) => log("info", m, f),
    },
    audit: { db: database.db, keys: () => keyRing, log, metrics },
    tls:
      config.PORTCULLIS_CP_GRPC_TLS_CERT && config.PORTCULLIS_CP_GRPC_TLS_KEY
        ? {
            cert: config.PORTCULLIS_CP_GRPC_TLS_CERT,
            key: config.PORTCULLIS_CP_GRPC_TLS_KEY,
            clientCa: config.PORTCULLIS_CP_GRPC_TLS_CLIENT_CA,
          }
        : undefined,
    approvals: { db: database.db, settings: approvalSettings, log },
  });
  const loopback = /^(127\.|localhost$|::1$|\[::1\]$)/.test(config.PORTCULLIS_CP_GRPC.host);
  if (!config.PORTCULLIS_CP_GRPC_TLS_CERT && !loopback) {
    log(
      "warn",
      "the gRPC service for nodes is plaintext on a non-loopback address: snapshots carry upstream credentials; set PORTCULLIS_CP_GRPC_TLS_CERT and _KEY (docs/deployment.md)",
      {},
    );
  }
  await publisher.start();
  const stopRevocations = await database.listen("portcullis_node_revoked", (nodeId) =>
    hub.revoke(nodeId, "revoked by an administrator"),
  );
  // A change in which keys are published or active (rotation, activation, retirement) is re-sent to nodes.
  const refreshKeys = async () => {
    const next = await loadKeyRing(database.db, deps.secretKey);
    const kids = (ring: KeyRing) => `${ring.active.kid}|${ring.published.map((k) => k.kid).join(",")}`;
    const changed = kids(next) !== kids(keyRing);
    keyRing = next;
    if (changed) await publisher.rebuild("control-plane keys changed");
  };
  deps.reloadKeys = refreshKeys;
  const keyRefresh = setInterval(() => {
    refreshKeys().catch((err) => logger.warn({ err }, "could not refresh signing keys"));
  }, 60_000);
  keyRefresh.unref();
  const checkpointTimer = setInterval(() => {
    createCheckpoint(database.db, keyRing).catch((err) => logger.warn({ err }, "audit checkpoint failed"));
  }, config.PORTCULLIS_AUDIT_CHECKPOINT_MINUTES * 60_000);
  checkpointTimer.unref();

  const { host, port } = config.PORTCULLIS_CP_HTTP;
  const publicUrl = config.PORTCULLIS_PUBLIC_URL;
  const secureCookies = publicUrl?.startsWith("https://") ?? false;
  const sessions = {
    idleMinutes: config.PORTCULLIS_SESSION_IDLE_MINUTES,
    absoluteHours: config.PORTCULLIS_SESSION_ABSOLUTE_HOURS,
  };
  // Filled in once the port is known (it may be 0 in tests); read by the CSRF check on every mutation.
  const allowedOrigins: string[] = [];
  const ready = async () => {
    try {
      await database.ping();
      return { ok: true };
    } catch {
      return { ok: false, reason: "CP degraded: DB unreachable" };
    }
  };
  metrics.attach({ connectedNodes: () => hub.connectedNodes().length, ready });
  const app = createApp({
    deps,
    metrics,
    sessions,
    loginThrottle: createLoginThrottle({
      maxFailures: config.PORTCULLIS_LOGIN_MAX_FAILURES,
      windowMs: config.PORTCULLIS_LOGIN_WINDOW_MINUTES * 60_000,
      clock: deps.clock,
    }),
    secureCookies,
    allowedOrigins,
    ready,
    console: consoleAssets(config.PORTCULLIS_CONSOLE_DIR ? path.resolve(config.PORTCULLIS_CONSOLE_DIR) : undefined),
    grpcAddress: grpcServer.address,
  });

  const server = serve({ fetch: app.fetch, hostname: host, port });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const admin = config.PORTCULLIS_CP_ADMIN_HTTP
    ? await listenAdmin(config.PORTCULLIS_CP_ADMIN_HTTP, metrics, logger).catch(async (error: Error) => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        throw error;
      })
    : undefined;
  const bound = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${bound.port}`;
  if (!publicUrl) {
    tokens.issuer = url;
    consoleUrl = url;
  }
  // The console's own origin may mutate with its cookie; so may the public URL behind a proxy.
  allowedOrigins.push(url, `http://localhost:${bound.port}`, ...(publicUrl ? [new URL(publicUrl).origin] : []));

  const sweeper = setInterval(() => {
    purgeExpiredSessions(deps, sessions).catch((err) => logger.warn({ err }, "session sweep failed"));
  }, 60_000);
  sweeper.unref();

  // The agents' mTLS token endpoint (optional): certificate-authenticated, certificate-bound tokens (RFC 8705).
  const tokenMtls = await startTokenMtlsListener(config, app.fetch, logger);
  if (tokenMtls) tokens.mtlsTokenEndpoint = `${tokenMtls.url}/oauth/token`;

  logger.info(
    { url, grpc: grpcServer.address, admin: admin?.address, database: database.kind },
    "control plane listening",
  );
  return {
    url,
    adminAddress: admin?.address,
    grpcAddress: grpcServer.address,
    tokenMtlsUrl: tokenMtls?.url,
    database,
    deps,
    firstAdmin,
    close: async () => {
      clearInterval(sweeper);
      webhook?.close();
      clearInterval(keyRefresh);
      clearInterval(checkpointTimer);
      await stopRevocations().catch(() => {});
      await publisher.stop();
      await grpcServer.close();
      await tokenMtls?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as Server).closeAllConnections();
      });
      await admin?.close();
      if (!options.database) await database.close();
    },
  };
}

/** The admin listener: /metrics (Prometheus text format) and /healthz, GET only; never the public API's port. */
async function listenAdmin(
  at: { host: string; port: number },
  metrics: ControlPlaneMetrics,
  logger: Logger,
): Promise<{ address: string; close(): Promise<void> }> {
  const send = (res: ServerResponse, status: number, body: string, type = "application/json") => {
    res.writeHead(status, {
      "content-type": type,
      "content-length": Buffer.byteLength(body),
      "cache-control": "no-store",
    });
    res.end(body);
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const pathname = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET");
      return send(res, 405, JSON.stringify({ error: { code: "method_not_allowed", message: "use GET" } }));
    }
    if (pathname === "/healthz") return send(res, 200, JSON.stringify({ status: "ok" }));
    if (pathname !== "/metrics") {
      return send(res, 404, JSON.stringify({ error: { code: "not_found", message: "no such route" } }));
    }
    metrics.scrape().then(
      (text) => send(res, 200, text, metrics.contentType),
      (error: Error) => {
        logger.error({ err: error.message }, "metrics could not be collected");
        send(res, 500, JSON.stringify({ error: { code: "internal_error", message: "internal error" } }));
      },
    );
  };
  const admin = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, handle);
  await new Promise<void>((resolve, reject) => {
    admin.once("error", reject);
    admin.listen(at.port, at.host, () => resolve());
  });
  const bound = admin.address() as AddressInfo;
  return {
    address: `${at.host.includes(":") ? `[${bound.address}]` : bound.address}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        admin.close(() => resolve());
        admin.closeAllConnections();
      }),
  };
}
