// Test data for the data plane's tests: valid snapshot resources of any size, and a polling wait for outcomes
// (tests wait for what must happen, bounded by a generous timeout; they never assert on durations).
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  SNAPSHOT_SCHEMA_VERSION,
  type SnapshotPolicy,
  type SnapshotResources,
  type SnapshotTool,
} from "@portcullis/proto";
import { silentLogger } from "../src/log.ts";
import { type DataPlaneNode, type StartNodeOptions, startNode } from "../src/node.ts";

export function makeResources(
  options: { tools?: number; policies?: number; extraPolicies?: SnapshotPolicy[]; allowMassDelete?: boolean } = {},
): SnapshotResources {
  const tools: SnapshotTool[] = Array.from({ length: options.tools ?? 4 }, (_, i) => ({
    id: `tool-${i}`,
    upstreamId: "up-1",
    name: `tool_${i}`,
    description: `tool number ${i}`,
    inputSchema: { type: "object" },
    annotations: {},
    labels: {},
    http: null,
    sensitive: i === 0,
    status: "active",
    pinnedHash: "0".repeat(64),
  }));
  const policies: SnapshotPolicy[] = Array.from({ length: options.policies ?? 4 }, (_, i) => ({
    id: `policy-${i}`,
    version: 1,
    name: `policy ${i}`,
    description: "",
    target: { agents: ["*"], tools: ["*"] },
    effect: i % 2 === 0 ? "allow" : "deny",
    condition: i % 2 === 0 ? 'agent.trust == "first_party"' : "false",
    mode: "enforce",
    priority: i,
    approvers: "",
  }));
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    groupId: "group-1",
    groupName: "default",
    settings: {},
    agents: [
      {
        id: "agent-1",
        name: "expense-bot",
        owner: "finance",
        trust: "first_party",
        labels: {},
        allowedDelegates: [],
        disabled: false,
      },
    ],
    operators: [],
    upstreams: [
      {
        id: "up-1",
        name: "finance-tools",
        kind: "mcp",
        url: "http://127.0.0.1:9/mcp",
        labels: {},
        settings: {},
        credential: null,
      },
    ],
    tools,
    policies: [...policies, ...(options.extraPolicies ?? [])],
    trust: { controlPlaneKeys: [], issuers: [], nodeAssertionKeys: [] },
    allowMassDelete: options.allowMassDelete ?? false,
  };
}

/** A policy whose CEL does not compile. */
export const UNCOMPILABLE_POLICY: SnapshotPolicy = {
  id: "broken",
  version: 1,
  name: "broken policy",
  description: "",
  target: { agents: ["*"], tools: ["*"] },
  effect: "deny",
  condition: "args.amount >",
  mode: "enforce",
  priority: 0,
  approvers: "",
};

type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;

/** Polls until `check` returns a truthy value (returned), or fails after `timeoutMs` naming what it waited for. */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<Truthy<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const value = await check();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 10));
  }
}

/** A fresh temporary directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "portcullis-dp-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Fast retries for tests (the production defaults back off for up to 30 s). */
export const FAST_BACKOFF = { baseMs: 20, capMs: 200 };

/** gRPC channel options for tests: the production ones, with the channel's own reconnect backoff shortened. */
export const FAST_CHANNEL = {
  "grpc.max_receive_message_length": 64 * 1024 * 1024,
  "grpc.initial_reconnect_backoff_ms": 50,
  "grpc.max_reconnect_backoff_ms": 200,
};

/** Starts a node on a test control plane with fast retries (enrolled already, or give `bootstrapToken`). */
export function startTestNode(
  cpAddress: string,
  dataDir: string,
  extra: Partial<StartNodeOptions> = {},
): Promise<DataPlaneNode> {
  return startNode({
    cpGrpcAddress: cpAddress,
    dataDir,
    logger: silentLogger,
    backoff: FAST_BACKOFF,
    channelOptions: FAST_CHANNEL,
    ...extra,
  });
}

export interface LogEntry {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  fields: Record<string, unknown>;
}

/** A logger that keeps what it was told, so tests can check that a reason was logged. */
export function recordingLogger(): { entries: LogEntry[] } & import("../src/log.ts").Logger {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry["level"]) =>
    (fields: Record<string, unknown>, message: string): void => {
      entries.push({ level, message, fields });
    };
  return { entries, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** Runs a test script in a real Node child process and returns its stdout (it may end by SIGKILL). */
export async function runChild(
  script: string,
  args: string[],
): Promise<{ stdout: string; signal: string | null; code: number | null }> {
  const { spawn } = await import("node:child_process");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal !== "SIGKILL" && code !== 0) reject(new Error(`child failed (${code ?? signal}): ${stderr}`));
      else resolve({ stdout, signal, code });
    });
  });
}
