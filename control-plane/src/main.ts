// Starts the control plane: parse config, open (and migrate) the database, make sure there is a first admin,
// build the HTTP app and listen. Everything is built once here and passed down explicitly.

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { serve } from "@hono/node-server";
import pino, { type Logger } from "pino";
import type { ControlPlaneConfig } from "./config.ts";
import { type Database, openDatabase } from "./db/client.ts";
import { createApp } from "./http/app.ts";
import { consoleAssets } from "./http/console.ts";
import { ensureFirstAdmin, purgeExpiredSessions } from "./services/auth.ts";
import type { Deps } from "./services/context.ts";

export interface RunningControlPlane {
  url: string;
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

  const { host, port } = config.PORTCULLIS_CP_HTTP;
  const publicUrl = config.PORTCULLIS_PUBLIC_URL;
  const secureCookies = publicUrl?.startsWith("https://") ?? false;
  const sessions = {
    idleMinutes: config.PORTCULLIS_SESSION_IDLE_MINUTES,
    absoluteHours: config.PORTCULLIS_SESSION_ABSOLUTE_HOURS,
  };
  // Filled in once the port is known (it may be 0 in tests); read by the CSRF check on every mutation.
  const allowedOrigins: string[] = [];
  const app = createApp({
    deps,
    sessions,
    secureCookies,
    allowedOrigins,
    ready: async () => {
      try {
        await database.ping();
        return { ok: true };
      } catch {
        return { ok: false, reason: "database unreachable" };
      }
    },
    console: consoleAssets(),
  });

  const server = serve({ fetch: app.fetch, hostname: host, port });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const bound = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${bound.port}`;
  // The console's own origin may mutate with its cookie; so may the public URL behind a proxy.
  allowedOrigins.push(url, `http://localhost:${bound.port}`, ...(publicUrl ? [new URL(publicUrl).origin] : []));

  const sweeper = setInterval(() => {
    purgeExpiredSessions(deps, sessions).catch((err) => logger.warn({ err }, "session sweep failed"));
  }, 60_000);
  sweeper.unref();

  logger.info({ url, database: database.kind }, "control plane listening");
  return {
    url,
    database,
    deps,
    firstAdmin,
    close: async () => {
      clearInterval(sweeper);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!options.database) await database.close();
    },
  };
}
