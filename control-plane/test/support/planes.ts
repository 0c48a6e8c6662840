// Both planes for process-level tests: a control plane (its own HTTP and gRPC listeners on ephemeral ports, a
// fresh database per file, kept in this process so tests can read what it stored) and a data-plane node as a
// real child process (`portcullis dp`), enrolled with a bootstrap token and in sync before `startPlanes` returns.
// Everything it starts is stopped by `close()`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { parseConfig } from "../../src/config.ts";
import { type RunningControlPlane, startControlPlane } from "../../src/main.ts";
import { createApiToken } from "../../src/services/api-tokens.ts";
import { openTestDatabase } from "../harness.ts";
import { freePort, getJson, processGroup, type Spawned, until } from "../processes.ts";

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
export type Json = Record<string, any>;

export interface Planes {
  cp: RunningControlPlane;
  /** Base URL of the node's HTTP listener (MCP at /mcp/{server}, HTTP tools at /tools/{tool}/invoke). */
  dpUrl: string;
  dp: Spawned;
  /** An admin call to the control plane's REST API; fails the test on a status ≥ 300 unless `expectStatus`. */
  api(method: string, p: string, body?: unknown, expectStatus?: number): Promise<Json>;
  /** POST /oauth/token with form parameters. */
  token(params: Record<string, string>): Promise<{ status: number; body: Json }>;
  /** Resolves once the node serves the group's newest snapshot. */
  synced(): Promise<void>;
  close(): Promise<void>;
}

export async function startPlanes(
  options: { cpEnv?: Record<string, string>; dpEnv?: Record<string, string> } = {},
): Promise<Planes> {
  const root = mkdtempSync(path.join(tmpdir(), "pc-planes-"));
  const procs = processGroup();
  const database = await openTestDatabase();
  const cp = await startControlPlane(
    parseConfig({
      PORTCULLIS_CP_HTTP: "127.0.0.1:0",
      PORTCULLIS_CP_GRPC: "127.0.0.1:0",
      PORTCULLIS_DATA_DIR: path.join(root, "cp"),
      PORTCULLIS_SECRET_KEY: Buffer.alloc(32, 9).toString("base64"),
      PORTCULLIS_ADMIN_PASSWORD: "planes-support-password",
      PORTCULLIS_LOG_LEVEL: "silent",
      ...options.cpEnv,
    }),
    { database, logger: pino({ level: "silent" }) },
  );
  const close = async () => {
    procs.killAll();
    await cp.close().catch(() => {});
    await database.close().catch(() => {});
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const ctx = {
      ...cp.deps,
      actor: { type: "system" as const, id: "planes", name: "planes", role: "admin" as const },
      requestId: "planes",
    };
    const adminToken = (await createApiToken({ ctx, input: { name: "planes", role: "admin" } })).token;
    const api = async (method: string, p: string, body?: unknown, expectStatus?: number): Promise<Json> => {
      const res = await fetch(`${cp.url}${p}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      const json = (text ? JSON.parse(text) : {}) as Json;
      if (expectStatus !== undefined ? res.status !== expectStatus : res.status >= 300) {
        throw new Error(`${method} ${p} answered ${res.status}: ${text}`);
      }
      return json;
    };
    const token = async (params: Record<string, string>) => {
      const res = await fetch(`${cp.url}/oauth/token`, { method: "POST", body: new URLSearchParams(params) });
      return { status: res.status, body: (await res.json()) as Json };
    };

    const groups = await api("GET", "/api/v1/gateway-groups");
    const issued = await api("POST", `/api/v1/gateway-groups/${groups.items[0].id}/bootstrap-tokens`, {});
    const dpHttp = `127.0.0.1:${await freePort()}`;
    const dp = procs.spawn(["dp"], {
      PORTCULLIS_CP_GRPC: cp.grpcAddress,
      PORTCULLIS_DP_HTTP: dpHttp,
      PORTCULLIS_DP_DATA_DIR: path.join(root, "dp"),
      PORTCULLIS_BOOTSTRAP_TOKEN: issued.token,
      PORTCULLIS_DP_HEARTBEAT_SECONDS: "1",
      ...options.dpEnv,
    });
    const dpUrl = `http://${dpHttp}`;
    const synced = async () => {
      await until(
        "the node to serve the newest snapshot",
        async () => {
          const nodes = await api("GET", "/api/v1/nodes");
          const node = nodes.items[0];
          if (!node?.inSync || node.servingVersion !== node.currentVersion) return undefined;
          const ready = await getJson(`${dpUrl}/readyz`);
          return ready?.status === 200 && ready.body.version === node.currentVersion ? true : undefined;
        },
        90_000,
      );
    };
    await synced();
    return { cp, dpUrl, dp, api, token, synced, close };
  } catch (error) {
    await close();
    throw error;
  }
}
