// `npm run bench:dp`: MCP `tools/call` side by side in one run, through the full gateway (auth, 100 policies of
// which 5 apply, ledger, assertion minting, audit to a test control plane), through a plain node:http pass-through
// proxy, and directly to the upstream (an SDK McpServer with an `echo` tool). Each server runs in its own worker
// thread (dp-bench.worker.ts); this thread is the load generator (undici Pool).
// Phase 1, full load: closed loop, fixed concurrency (BENCH_CONNECTIONS, default 32), BENCH_SECONDS (default 8)
// after a 1 s warm-up, per target. Phase 2, half load: the gateway and the proxy at a fixed rate of half the
// proxy's full-load throughput (open loop; latency measured from each request's scheduled time), 5 s after 1 s;
// then both again at half the gateway's own full-load throughput.
// Sessions: one MCP session per concurrent client; the gateway's ledger caps a session at 1,000 calls, so each
// client rotates to a fresh session (new token with a new `sid`, new initialize) every 900 calls, on every target.
// Each full-load phase also reports the CPU time of the whole process (all its threads) per call: on a shared
// machine that is steadier than req/s, which depends on what else runs.
// BENCH_ACCESS_LOG=on: the gateway writes its access log (to /dev/null); default off (metrics are always on).
// The last line of output is one JSON object with the figures.
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { Pool } from "undici";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const HALF_SECONDS = Number(process.env.BENCH_HALF_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const WARMUP_S = 1;
const ROTATE_AFTER = 900;
const PROTOCOL = "2025-11-25";

// ---- workers ----------------------------------------------------------------------------------------------------

interface ServerWorker {
  info: { url: string; port?: number; policies?: number };
  call<T>(cmd: string, n?: number): Promise<T>;
  stop(): Promise<unknown>;
}

async function startWorker(role: string, upstreamUrl?: string): Promise<ServerWorker> {
  const worker = new Worker(new URL("./dp-bench.worker.ts", import.meta.url), { workerData: { role, upstreamUrl } });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 1;
  const ready = new Promise<ServerWorker["info"]>((resolve, reject) => {
    pending.set(0, { resolve: resolve as (v: unknown) => void, reject });
    worker.once("error", reject);
  });
  worker.on("message", (m: { id: number; value?: unknown; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error) p.reject(new Error(m.error));
    else p.resolve(m.value);
  });
  const info = await ready;
  const call = <T>(cmd: string, n?: number) =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, cmd, n });
    });
  return {
    info,
    call,
    stop: async () => {
      const result = await Promise.race([
        call("close"),
        new Promise((resolve) => setTimeout(() => resolve(null), 5000).unref()),
      ]);
      await worker.terminate();
      return result;
    },
  };
}

// ---- MCP clients ------------------------------------------------------------------------------------------------

interface Target {
  name: string;
  pool: Pool;
  path: string;
  /** Opens a session: returns the headers every call of the session carries. */
  open(): Promise<Record<string, string>>;
}

const BASE_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

function makeTarget(name: string, url: string, token?: () => Promise<string>): Target {
  const u = new URL(url);
  const pool = new Pool(u.origin, { connections: CONNECTIONS * 2, pipelining: 1, keepAliveTimeout: 60_000 });
  const path = u.pathname;
  return {
    name,
    pool,
    path,
    async open() {
      const auth: Record<string, string> = token ? { authorization: `Bearer ${await token()}` } : {};
      const init = await pool.request({
        path,
        method: "POST",
        headers: { ...BASE_HEADERS, ...auth },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 0,
          method: "initialize",
          params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: "bench", version: "1" } },
        }),
      });
      const text = await init.body.text();
      const sid = init.headers["mcp-session-id"];
      if (init.statusCode !== 200 || typeof sid !== "string") {
        throw new Error(`${name}: initialize answered ${init.statusCode}: ${text.slice(0, 200)}`);
      }
      const headers = { ...BASE_HEADERS, ...auth, "mcp-session-id": sid, "mcp-protocol-version": PROTOCOL };
      const note = await pool.request({
        path,
        method: "POST",
        headers,
        body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
      });
      await note.body.text();
      return headers;
    },
  };
}

const CALL_BODY = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "tools/call",
  params: { name: "echo", arguments: { text: "hello from the benchmark" } },
});

/** One tools/call; true when it answered a successful result. */
async function callEcho(target: Target, headers: Record<string, string>): Promise<{ ok: boolean; text: string }> {
  const res = await target.pool.request({ path: target.path, method: "POST", headers, body: CALL_BODY });
  const text = await res.body.text();
  const ok = res.statusCode === 200 && text.includes('"result"') && !text.includes('"isError":true');
  return { ok, text };
}

/** A client's session, rotated before the ledger's per-session cap. */
class Session {
  headers: Record<string, string> = {};
  calls = 0;
  readonly target: Target;
  constructor(target: Target) {
    this.target = target;
  }
  async ready(): Promise<void> {
    if (this.calls === 0 || this.calls >= ROTATE_AFTER) {
      this.headers = await this.target.open();
      this.calls = 0;
    }
  }
}

interface Stats {
  target: string;
  mode: "full" | "half" | "half-gw";
  rps: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  requests: number;
  errors: number;
  sessions: number;
  /** Full load only: CPU time of the whole process (all threads) per completed call, in µs. */
  cpu_us_per_call?: number;
  /** Full load only: CPU time of each server thread (upstream, proxy, gateway) per completed call, in µs. */
  thread_cpu_us_per_call?: Record<string, number>;
}

const pct = (sorted: Float64Array, p: number) =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number);
const round = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d;

function summarize(
  target: string,
  mode: Stats["mode"],
  lat: number[],
  errors: number,
  seconds: number,
  sessions: number,
  firstError: string,
): Stats {
  const sorted = Float64Array.from(lat).sort();
  if (errors > 0) process.stderr.write(`${target} (${mode}): ${errors} errors, first: ${firstError.slice(0, 300)}\n`);
  return {
    target,
    mode,
    rps: Math.round(lat.length / seconds),
    p50_ms: round(pct(sorted, 0.5)),
    p99_ms: round(pct(sorted, 0.99)),
    max_ms: round(sorted[sorted.length - 1] ?? Number.NaN),
    requests: lat.length,
    errors,
    sessions,
  };
}

/** Closed loop: CONNECTIONS clients, each sends its next call when the previous one answered. */
async function fullLoad(target: Target, servers: Record<string, ServerWorker>): Promise<Stats> {
  const start = performance.now();
  const measureFrom = start + WARMUP_S * 1000;
  const end = measureFrom + SECONDS * 1000;
  const lat: number[] = [];
  let errors = 0;
  let sessions = 0;
  let firstError = "";
  // CPU from the end of the warm-up until every client stopped, and the calls completed meanwhile.
  let counting = false;
  let cpuCalls = 0;
  let cpuFrom: NodeJS.CpuUsage | undefined;
  let threadsFrom: Promise<NodeJS.CpuUsage[]> | undefined;
  const names = Object.keys(servers);
  const threadCpu = () => Promise.all(names.map((n) => (servers[n] as ServerWorker).call<NodeJS.CpuUsage>("cpu")));
  const startCounting = setTimeout(() => {
    counting = true;
    cpuFrom = process.cpuUsage();
    threadsFrom = threadCpu();
  }, measureFrom - performance.now());
  const client = async () => {
    const session = new Session(target);
    while (performance.now() < end) {
      if (session.calls === 0 || session.calls >= ROTATE_AFTER) sessions++;
      await session.ready();
      const t0 = performance.now();
      const { ok, text } = await callEcho(target, session.headers);
      const t1 = performance.now();
      session.calls++;
      if (counting) cpuCalls++;
      if (t0 < measureFrom || t1 > end) continue;
      if (ok) lat.push(t1 - t0);
      else {
        errors++;
        firstError ||= text;
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, client));
  clearTimeout(startCounting);
  // All threads of this process (load generator, upstream, proxy or gateway and its test control plane, libuv's
  // pool): what a call costs the machine. And each server thread's own CPU per call: what the proxy or the gateway
  // itself spends on a call. Unlike req/s, both hardly depend on what else runs on the machine.
  const cpu = process.cpuUsage(cpuFrom);
  const before = await threadsFrom;
  const after = await threadCpu();
  const perCall = (us: number) => Math.round(us / Math.max(1, cpuCalls));
  const threads: Record<string, number> = {};
  names.forEach((n, i) => {
    const a = after[i] as NodeJS.CpuUsage;
    const b = before?.[i] ?? { user: 0, system: 0 };
    threads[n] = perCall(a.user + a.system - b.user - b.system);
  });
  const stats = summarize(target.name, "full", lat, errors, SECONDS, sessions, firstError);
  return { ...stats, cpu_us_per_call: perCall(cpu.user + cpu.system), thread_cpu_us_per_call: threads };
}

/** Open loop at `rate` calls/s: each call is scheduled, latency counts from its scheduled time (no omission). */
async function fixedRate(target: Target, rate: number): Promise<Stats> {
  const slots = Array.from({ length: CONNECTIONS * 2 }, () => new Session(target));
  for (const s of slots) await s.ready();
  let sessions = slots.length;
  const free = [...slots];
  const backlog: number[] = [];
  const lat: number[] = [];
  let errors = 0;
  let firstError = "";
  let inFlight = 0;
  const start = performance.now();
  const measureFrom = start + WARMUP_S * 1000;
  const end = measureFrom + HALF_SECONDS * 1000;
  let issued = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  let scheduling = true;

  const run = async (session: Session, scheduled: number) => {
    inFlight++;
    if (session.calls >= ROTATE_AFTER) {
      sessions++;
      await session.ready();
    }
    const { ok, text } = await callEcho(target, session.headers);
    const t1 = performance.now();
    session.calls++;
    inFlight--;
    if (scheduled >= measureFrom && scheduled < end) {
      if (ok) lat.push(t1 - scheduled);
      else {
        errors++;
        firstError ||= text;
      }
    }
    const queued = backlog.shift();
    if (queued !== undefined) void run(session, queued);
    else free.push(session);
    if (!scheduling && inFlight === 0) done();
  };
  const tick = () => {
    const now = performance.now();
    const due = Math.floor(((Math.min(now, end) - start) * rate) / 1000);
    while (issued < due) {
      const scheduled = start + (issued * 1000) / rate;
      issued++;
      const session = free.pop();
      if (session) void run(session, scheduled);
      else backlog.push(scheduled);
    }
    if (now < end) setTimeout(tick, 1);
    else {
      scheduling = false;
      backlog.length = 0; // not sent: counted below as missing
      if (inFlight === 0) done();
    }
  };
  tick();
  await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  const stats = summarize(target.name, "half", lat, errors, HALF_SECONDS, sessions, firstError);
  return stats;
}

// ---- run --------------------------------------------------------------------------------------------------------

const wallStart = performance.now();
const upstream = await startWorker("upstream");
const proxy = await startWorker("proxy", upstream.info.url);
const gateway = await startWorker("gateway", upstream.info.url);

const tokens: string[] = [];
const nextToken = async () => {
  if (tokens.length === 0) tokens.push(...(await gateway.call<string[]>("tokens", 100)));
  return tokens.pop() as string;
};
tokens.push(...(await gateway.call<string[]>("tokens", 200)));

const direct = makeTarget("direct", upstream.info.url);
const plain = makeTarget("proxy", proxy.info.url);
const gw = makeTarget("gateway", gateway.info.url, nextToken);

// Every target must answer the call correctly before anything is measured.
for (const t of [direct, plain, gw]) {
  const { ok, text } = await callEcho(t, await t.open());
  if (!ok || !text.includes("hello from the benchmark")) throw new Error(`${t.name}: unexpected answer ${text}`);
}

const load = loadavg()[0] ?? 0;
process.stdout.write(
  `bench:dp — ${cpus().length} CPUs, load ${load.toFixed(2)}, Node ${process.versions.node}; ` +
    `${CONNECTIONS} connections, ${SECONDS} s per target (+${WARMUP_S} s warm-up); sessions rotated every ${ROTATE_AFTER} calls\n`,
);
const full: Record<string, Stats> = {};
for (const t of [direct, plain, gw]) {
  const serving: Record<string, ServerWorker> =
    t === direct ? { upstream } : t === plain ? { upstream, proxy } : { upstream, gateway };
  full[t.name] = await fullLoad(t, serving);
  const r = full[t.name] as Stats;
  const threads = Object.entries(r.thread_cpu_us_per_call ?? {})
    .map(([n, us]) => `${n} ${us}`)
    .join(", ");
  process.stdout.write(
    `  full load ${t.name}: ${r.rps} req/s; CPU µs per call: process ${r.cpu_us_per_call} (${threads})\n`,
  );
}
const f = (name: string) => full[name] as Stats;
const halfRate = Math.max(1, Math.round(f("proxy").rps / 2));
const half: Record<string, Stats> = {};
for (const t of [plain, gw]) {
  half[t.name] = await fixedRate(t, halfRate);
  process.stdout.write(`  half load ${t.name}: ${half[t.name]?.rps} req/s at ${halfRate}/s offered\n`);
}
const h = (name: string) => half[name] as Stats;
// Half the proxy's rate can be more than the gateway sustains (then the figure above is queueing): the same
// comparison at half the gateway's own full-load throughput isolates what the gateway adds per call.
const halfGatewayRate = Math.max(1, Math.round(f("gateway").rps / 2));
const halfGw: Record<string, Stats> = {};
for (const t of [plain, gw]) {
  halfGw[t.name] = { ...(await fixedRate(t, halfGatewayRate)), mode: "half-gw" };
  process.stdout.write(`  half gateway load ${t.name}: ${halfGw[t.name]?.rps} req/s at ${halfGatewayRate}/s offered\n`);
}
const hg = (name: string) => halfGw[name] as Stats;

const auditRecords = await gateway.call<number>("audit");
const rows = [...Object.values(full), ...Object.values(half), ...Object.values(halfGw)];
const line = (cells: (string | number)[]) =>
  `| ${cells.map((c, i) => String(c).padStart(i === 0 ? 14 : 9)).join(" | ")} |`;
process.stdout.write(`\n${line(["target", "req/s", "p50 ms", "p99 ms", "max ms", "calls", "errors", "sessions"])}\n`);
for (const r of rows) {
  process.stdout.write(
    `${line([`${r.target} (${r.mode})`, r.rps, r.p50_ms, r.p99_ms, r.max_ms, r.requests, r.errors, r.sessions])}\n`,
  );
}
const ratioGatewayProxy = round(f("gateway").rps / f("proxy").rps, 3);
const ratioProxyDirect = round(f("proxy").rps / f("direct").rps, 3);
const addedP99 = round(h("gateway").p99_ms - h("proxy").p99_ms, 3);
const addedP50 = round(h("gateway").p50_ms - h("proxy").p50_ms, 3);
const addedP99Gw = round(hg("gateway").p99_ms - hg("proxy").p99_ms, 3);
const addedP50Gw = round(hg("gateway").p50_ms - hg("proxy").p50_ms, 3);
process.stdout.write(
  `\ngateway ÷ proxy = ${ratioGatewayProxy} (target ≥ 0.7: ${ratioGatewayProxy >= 0.7 ? "met" : "not met"}); ` +
    `CPU per call (whole process): gateway ${f("gateway").cpu_us_per_call} µs, proxy ${f("proxy").cpu_us_per_call} µs, direct ${f("direct").cpu_us_per_call} µs; ` +
    `gateway thread ${f("gateway").thread_cpu_us_per_call?.gateway} µs, proxy thread ${f("proxy").thread_cpu_us_per_call?.proxy} µs; ` +
    `proxy ÷ direct = ${ratioProxyDirect}; added p99 at ${halfRate}/s = ${addedP99} ms ` +
    `(target ≤ 1 ms: ${addedP99 <= 1 ? "met" : "not met"}); ` +
    `added p50/p99 at ${halfGatewayRate}/s (half the gateway's throughput) = ${addedP50Gw}/${addedP99Gw} ms; audit records received by the control plane: ${auditRecords}\n`,
);

const stopped = await Promise.all([gateway.stop(), proxy.stop(), upstream.stop()]);
await Promise.all([direct.pool.close(), plain.pool.close(), gw.pool.close()]);
const result = {
  bench: "dp",
  gateway_rps: f("gateway").rps,
  proxy_rps: f("proxy").rps,
  direct_rps: f("direct").rps,
  gateway_p50_ms: f("gateway").p50_ms,
  gateway_p99_ms: f("gateway").p99_ms,
  proxy_p50_ms: f("proxy").p50_ms,
  proxy_p99_ms: f("proxy").p99_ms,
  direct_p50_ms: f("direct").p50_ms,
  direct_p99_ms: f("direct").p99_ms,
  ratio_gateway_proxy: ratioGatewayProxy,
  ratio_proxy_direct: ratioProxyDirect,
  gateway_cpu_us_per_call: f("gateway").cpu_us_per_call,
  proxy_cpu_us_per_call: f("proxy").cpu_us_per_call,
  direct_cpu_us_per_call: f("direct").cpu_us_per_call,
  cpu_ratio_proxy_gateway: round((f("proxy").cpu_us_per_call ?? 0) / Math.max(1, f("gateway").cpu_us_per_call ?? 0), 3),
  gateway_thread_cpu_us_per_call: f("gateway").thread_cpu_us_per_call?.gateway,
  proxy_thread_cpu_us_per_call: f("proxy").thread_cpu_us_per_call?.proxy,
  upstream_thread_cpu_us_per_call: {
    direct: f("direct").thread_cpu_us_per_call?.upstream,
    proxy: f("proxy").thread_cpu_us_per_call?.upstream,
    gateway: f("gateway").thread_cpu_us_per_call?.upstream,
  },
  half_load_rps: halfRate,
  gateway_half_rps: h("gateway").rps,
  proxy_half_rps: h("proxy").rps,
  gateway_half_p50_ms: h("gateway").p50_ms,
  gateway_half_p99_ms: h("gateway").p99_ms,
  proxy_half_p50_ms: h("proxy").p50_ms,
  proxy_half_p99_ms: h("proxy").p99_ms,
  added_p50_ms_half_load: addedP50,
  added_p99_ms_half_load: addedP99,
  half_gateway_load_rps: halfGatewayRate,
  gateway_half_gw_p50_ms: hg("gateway").p50_ms,
  gateway_half_gw_p99_ms: hg("gateway").p99_ms,
  proxy_half_gw_p50_ms: hg("proxy").p50_ms,
  proxy_half_gw_p99_ms: hg("proxy").p99_ms,
  added_p50_ms_half_gateway_load: addedP50Gw,
  added_p99_ms_half_gateway_load: addedP99Gw,
  errors: rows.reduce((n, r) => n + r.errors, 0),
  gateway_sessions: f("gateway").sessions + h("gateway").sessions,
  audit_records: Math.max(auditRecords, typeof stopped[0] === "number" ? stopped[0] : 0),
  policies: gateway.info.policies ?? 100,
  connections: CONNECTIONS,
  seconds: SECONDS,
  half_seconds: HALF_SECONDS,
  cpus: cpus().length,
  load_avg_1m: round(load, 2),
  wall_s: round((performance.now() - wallStart) / 1000, 1),
  target_ratio: 0.7,
  target_added_p99_ms: 1,
  access_log: process.env.BENCH_ACCESS_LOG === "on" ? "on" : "off",
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
