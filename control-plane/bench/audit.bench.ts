// bench:audit: sustained, verified audit ingest into PostgreSQL. Several simulated nodes (each with its own
// enrolled key and stream) send signed batches over real gRPC to a real control plane; every batch is checked
// (signature, records hash, chain) and stored with its events in one transaction. Side by side in the same
// run: the same rows inserted with no verification at all, to show what verification costs.
// Needs DATABASE_URL (PostgreSQL); falls back to embedded PGlite with a warning.
import { randomBytes } from "node:crypto";
import { Worker } from "node:worker_threads";
import { uuidv7 } from "@portcullis/proto";
import { sql } from "drizzle-orm";
import pino from "pino";
import { insertEventRows } from "../src/audit/ingest.ts";
import { parseConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/client.ts";
import { startControlPlane } from "../src/main.ts";
import { createBootstrapToken } from "../src/services/nodes.ts";
import { createServerDatabase } from "../test/harness.ts";
import { benchRecord } from "./audit-record.ts";

const NODES = Number(process.env.BENCH_NODES ?? 2);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const WINDOW = 4; // batches in flight per node

const usePostgres = Boolean(process.env.DATABASE_URL);
if (!usePostgres) console.error("DATABASE_URL is not set: measuring embedded PGlite, not PostgreSQL");
const server = usePostgres ? await createServerDatabase() : undefined;
const database = await openDatabase(server ? { databaseUrl: server.url } : { dataDir: "memory://" });
const cp = await startControlPlane(
  parseConfig({
    PORTCULLIS_CP_HTTP: "127.0.0.1:0",
    PORTCULLIS_CP_GRPC: "127.0.0.1:0",
    PORTCULLIS_SECRET_KEY: randomBytes(32).toString("base64"),
    PORTCULLIS_ADMIN_PASSWORD: "bench-password-123",
  }),
  { database, logger: pino({ level: "warn" }) },
);
const ctx = {
  ...cp.deps,
  actor: { type: "system" as const, id: "bench", name: "bench", role: "admin" as const },
  requestId: "bench",
};
const [group] = (await cp.database.db
  .execute(sql`select id from gateway_groups limit 1`)
  .then((r) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows))) as { id: string }[];

async function runNode(deadline: number): Promise<number> {
  const token = (await createBootstrapToken({ ctx, groupId: group?.id as string, expiresInMinutes: 5 })).token;
  const worker = new Worker(new URL("./audit-load.worker.ts", import.meta.url), {
    workerData: { address: cp.grpcAddress, token, batch: BATCH, window: WINDOW, deadline },
  });
  return new Promise((resolve, reject) => {
    worker.once("message", (m: { acked: number }) => resolve(m.acked));
    worker.once("error", reject);
  });
}

// 1. Verified ingest through the real gRPC service.
const started = Date.now();
const counts = await Promise.all(Array.from({ length: NODES }, () => runNode(started + SECONDS * 1000)));
const elapsed = (Date.now() - started) / 1000;
const verifiedEvents = counts.reduce((a, b) => a + b, 0);
const verifiedRate = Math.round(verifiedEvents / elapsed);

// 2. Baseline: the same event rows inserted with the same statement, without signature, hash or chain checks.
const baseStart = Date.now();
let baseEvents = 0;
const baseStream = uuidv7();
while (Date.now() - baseStart < (SECONDS * 1000) / 2) {
  const rows = Array.from({ length: BATCH }, () => {
    const r = benchRecord(baseStream, ++baseEvents);
    return {
      id: r.id,
      stream_id: baseStream,
      batch_seq: 0,
      event_seq: r.seq,
      at: r.at,
      kind: "decision",
      session_id: r.session_id,
      agent_id: r.agent_id,
      operator_sub: r.operator,
      tool: r.tool,
      decision: r.decision,
      outcome: r.outcome,
      latency_us: r.latency_us,
      record: JSON.stringify(r),
    };
  });
  await cp.database.db.transaction((tx) => insertEventRows(tx as never, rows));
}
const baseRate = Math.round(baseEvents / ((Date.now() - baseStart) / 1000));

const verify = await import("../src/audit/verify.ts");
const check = await verify.verifyAuditTrail(cp.database.db);

await cp.close();
await cp.database.close();
await server?.drop();

const rows = [
  ["database", usePostgres ? "PostgreSQL (DATABASE_URL)" : "PGlite (embedded)"],
  ["nodes × batch size", `${NODES} × ${BATCH} events`],
  [
    "verified ingest over gRPC",
    `${verifiedRate.toLocaleString("en")} events/s (${verifiedEvents.toLocaleString("en")} in ${elapsed.toFixed(1)} s)`,
  ],
  ["plain insert, no verification", `${baseRate.toLocaleString("en")} events/s`],
  ["verified ÷ plain", (verifiedRate / baseRate).toFixed(2)],
  ["audit verify afterwards", check.ok ? `intact (${check.batches} batches)` : `PROBLEMS: ${check.problems.length}`],
  ["target", `≥ 20,000 events/s: ${verifiedRate >= 20000 ? "met" : "not met"}`],
];
console.log(`audit ingest benchmark (node ${process.version})`);
for (const [k, v] of rows) console.log(`  ${String(k).padEnd(32)} ${v}`);
console.log(
  JSON.stringify({
    bench: "audit",
    database: usePostgres ? "postgres" : "pglite",
    nodes: NODES,
    batch: BATCH,
    seconds: SECONDS,
    verified_events_per_s: verifiedRate,
    plain_insert_events_per_s: baseRate,
    ratio: Number((verifiedRate / baseRate).toFixed(2)),
    verify_ok: check.ok,
    target_events_per_s: 20000,
  }),
);
process.exit(0);
