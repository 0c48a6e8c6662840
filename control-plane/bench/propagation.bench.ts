// bench:propagation: how long a policy change takes to reach a fleet. A real control plane and N data-plane
// config clients (default 100, in this process, each with its own enrolled identity, gRPC channel and snapshot
// directory) run here; for each of R policy changes we measure, per node, the time from the API call
// returning (the change committed) to the node having validated, compiled, persisted and swapped the new
// snapshot (the moment it sends its ACK).

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { type ConfigClient, loadOrEnrollNode, nodeCredentials, startConfigClient } from "@portcullis/data-plane";
import { createConfigClient } from "@portcullis/proto";
import { sql } from "drizzle-orm";
import pino from "pino";
import { parseConfig } from "../src/config.ts";
import { openDatabase, rowsOf } from "../src/db/client.ts";
import { startControlPlane } from "../src/main.ts";
import { createApiToken } from "../src/services/api-tokens.ts";
import { createBootstrapToken } from "../src/services/nodes.ts";
import { createServerDatabase } from "../test/harness.ts";

const NODES = Number(process.env.BENCH_NODES ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const usePostgres = Boolean(process.env.DATABASE_URL);
const silent = pino({ level: "silent" });

const server = usePostgres ? await createServerDatabase() : undefined;
const database = await openDatabase(server ? { databaseUrl: server.url } : { dataDir: "memory://" });
const cp = await startControlPlane(
  parseConfig({
    PORTCULLIS_CP_HTTP: "127.0.0.1:0",
    PORTCULLIS_CP_GRPC: "127.0.0.1:0",
    PORTCULLIS_SECRET_KEY: randomBytes(32).toString("base64"),
    PORTCULLIS_ADMIN_PASSWORD: "bench-password-123",
  }),
  { database, logger: silent },
);
const ctx = {
  ...cp.deps,
  actor: { type: "system" as const, id: "bench", name: "bench", role: "admin" as const },
  requestId: "bench",
};
const [group] = rowsOf<{ id: string }>(await database.db.execute(sql`select id from gateway_groups limit 1`));
const admin = (await createApiToken({ ctx, input: { name: "bench", role: "admin" } })).token;
const api = async (method: string, p: string, body?: unknown) => {
  const res = await fetch(`${cp.url}${p}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<{ id: string }>;
};

const root = mkdtempSync(path.join(tmpdir(), "pc-propagation-"));
process.stdout.write(`enrolling ${NODES} nodes `);
const nodes: { client: ConfigClient; waiters: Map<number, (t: number) => void> }[] = [];
for (let i = 0; i < NODES; i++) {
  const dataDir = path.join(root, `n${i}`);
  const token = (await createBootstrapToken({ ctx, groupId: group?.id as string, expiresInMinutes: 10 })).token;
  const identity = await loadOrEnrollNode({
    dataDir,
    cpAddress: cp.grpcAddress,
    bootstrapToken: token,
    logger: silent,
  });
  const client = await startConfigClient({
    identity,
    client: createConfigClient(cp.grpcAddress, grpc.credentials.createInsecure()),
    credentials: nodeCredentials(identity),
    dataDir,
    logger: silent,
    heartbeatIntervalMs: 30_000,
  });
  const waiters = new Map<number, (t: number) => void>();
  client.onChange((engine) => {
    const now = performance.now();
    for (const [version, resolve] of waiters) {
      if (engine.version < version) continue;
      waiters.delete(version);
      resolve(now);
    }
  });
  nodes.push({ client, waiters });
  if (i % 10 === 9) process.stdout.write(".");
}
process.stdout.write("\n");

// Let enrollment-driven snapshot versions settle before measuring.
const settleUntil = Date.now() + 30_000;
for (;;) {
  const [v] = rowsOf<{ v: string }>(await database.db.execute(sql`select max(version) as v from config_versions`));
  if (nodes.every((n) => n.client.current()?.version === Number(v?.v))) break;
  if (Date.now() > settleUntil) throw new Error("the fleet did not converge before the benchmark");
  await new Promise((r) => setTimeout(r, 200));
}

const latencies: number[] = [];
const roundP99: number[] = [];
const firsts: number[] = [];
const applyMs: number[] = [];
const policy = await api("POST", "/api/v1/policies", {
  name: "bench-policy",
  target: { agents: ["*"], tools: ["bench_tool"] },
  effect: "allow",
  condition: "true",
});
await new Promise((r) => setTimeout(r, 1000));
for (let round = 0; round < ROUNDS; round++) {
  const before = Math.max(...nodes.map((n) => n.client.current()?.version ?? 0));
  const arrivals = nodes.map((n) => new Promise<number>((resolve) => n.waiters.set(before + 1, resolve)));
  const t0 = performance.now();
  await api("PATCH", `/api/v1/policies/${policy.id}`, { condition: `args.size() >= ${round}` });
  const committed = performance.now();
  const times = (await Promise.all(arrivals)).map((t) => t - committed);
  latencies.push(...times);
  roundP99.push(quantile(times, 0.99));
  firsts.push(Math.min(...times));
  for (const n of nodes) applyMs.push(n.client.status().lastApplyMs ?? 0);
  void t0;
  await new Promise((r) => setTimeout(r, 300));
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
}

for (const n of nodes) await n.client.close();
await cp.close();
await database.close();
await server?.drop();
rmSync(root, { recursive: true, force: true });

const p50 = quantile(latencies, 0.5);
const p99 = quantile(latencies, 0.99);
const max = Math.max(...latencies);
console.log(`config propagation benchmark (node ${process.version})`);
for (const [k, v] of [
  ["database", usePostgres ? "PostgreSQL (DATABASE_URL)" : "PGlite (embedded)"],
  ["nodes × changes", `${NODES} × ${ROUNDS}`],
  ["commit → applied+ACK, p50", `${p50.toFixed(1)} ms`],
  ["commit → applied+ACK, p99", `${p99.toFixed(1)} ms`],
  ["max", `${max.toFixed(1)} ms`],
  ["first node applied, p50", `${quantile(firsts, 0.5).toFixed(1)} ms (control plane + one node)`],
  ["one node's apply time, p50", `${quantile(applyMs, 0.5).toFixed(1)} ms (verify, compile, fsync, swap)`],
  ["worst round's p99", `${Math.max(...roundP99).toFixed(1)} ms`],
  ["target", `p99 ≤ 50 ms: ${p99 <= 50 ? "met" : "not met"}`],
] as const)
  console.log(`  ${k.padEnd(30)} ${v}`);
console.log(
  JSON.stringify({
    bench: "propagation",
    database: usePostgres ? "postgres" : "pglite",
    nodes: NODES,
    changes: ROUNDS,
    p50_ms: Number(p50.toFixed(2)),
    p99_ms: Number(p99.toFixed(2)),
    first_node_p50_ms: Number(quantile(firsts, 0.5).toFixed(2)),
    node_apply_p50_ms: Number(quantile(applyMs, 0.5).toFixed(2)),
    max_ms: Number(max.toFixed(2)),
    target_p99_ms: 50,
  }),
);
process.exit(0);
