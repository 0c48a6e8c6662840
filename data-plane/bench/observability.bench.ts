// `npm run bench:observability`: what metrics and the access log cost per call, in CPU time (process.cpuUsage), which
// a shared machine disturbs far less than the req/s of `bench:dp` (where a few µs per call are lost in the noise).
// - the metrics hooks of one call: a decision (counter, overhead and upstream histograms, audit counter), the HTTP
//   request (counter, histogram) and one policy evaluation (histogram), on the node's registry;
// - one access log line, written by pino synchronously to /dev/null (as to stdout by default).
// Compare with the gateway's CPU per call from `bench:dp` (`gateway_cpu_us_per_call`). Last line: JSON figures.
import { loadavg } from "node:os";
import pino from "pino";
import type { DecisionEvent } from "../src/audit/record-decision.ts";
import { createDataPlaneMetrics } from "../src/metrics.ts";

const N = Number(process.env.BENCH_ITERATIONS ?? 200_000);

/** CPU µs per call of `f`, after a warm-up. */
function cpuPerCall(f: () => void, n = N): number {
  for (let i = 0; i < Math.min(n, 10_000); i++) f();
  const from = process.cpuUsage();
  for (let i = 0; i < n; i++) f();
  const used = process.cpuUsage(from);
  return Math.round(((used.user + used.system) / n) * 1000) / 1000;
}

const metrics = createDataPlaneMetrics();
const event: DecisionEvent = {
  type: "decision",
  id: "019af6d2-0a4e-7c31-9b0e-3f6a2d1c8e55",
  request_id: "019af6d2-0a4e-7c31-9b0e-3f6a2d1c8e55",
  protocol: "mcp",
  session_id: "s",
  agent_id: "expense-report-v1",
  agent_ref: "agt-expense-0001",
  operator: "alice@company.com",
  tool: "get_employee_cost_center",
  upstream: "up-mcp-directory",
  outcome: "ok",
  code: "allowed",
  reason: "",
  latency_us: 900,
  upstream_latency_us: 400,
  config_version: 1,
};
const hooks = () => {
  metrics.decision(event, true);
  metrics.request("mcp", 200, 0.0009);
  metrics.policyEvaluated(0.00002);
};
const logger = pino({ level: "info", base: { svc: "dp" } }, pino.destination("/dev/null"));
const line = () =>
  logger.info(
    {
      type: "access",
      request_id: event.request_id,
      decision_id: event.id,
      method: "POST",
      route: "/mcp/{server}",
      status: 200,
      bytes_in: 512,
      bytes_out: 389,
      duration_ms: 0.9,
      protocol: event.protocol,
      agent: event.agent_id,
      agent_id: event.agent_ref,
      tool: event.tool,
      upstream: event.upstream,
      outcome: event.outcome,
      code: event.code,
      remote: "127.0.0.1",
    },
    "request",
  );

const rounds = [1, 2, 3].map(() => ({ metrics_us: cpuPerCall(hooks), access_log_us: cpuPerCall(line) }));
const best = (k: "metrics_us" | "access_log_us") => Math.min(...rounds.map((r) => r[k]));
const load = loadavg()[0] ?? 0;
process.stdout.write(
  `bench:observability — load ${load.toFixed(2)}, ${N} calls per round, 3 rounds\n` +
    rounds
      .map(
        (r, i) => `  round ${i + 1}: metrics ${r.metrics_us} µs CPU per call, access log line ${r.access_log_us} µs\n`,
      )
      .join(""),
);
process.stdout.write(
  `${JSON.stringify({ bench: "observability", metrics_cpu_us_per_call: best("metrics_us"), access_log_cpu_us_per_line: best("access_log_us"), iterations: N, load_avg_1m: Math.round(load * 100) / 100 })}\n`,
);
