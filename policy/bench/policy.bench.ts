// `npm run bench:policy`: decision latency with 1,000 policies loaded, 10 of which apply to the call. Each
// iteration builds a fresh call context the way the data plane does (same agent, operator and tool objects for the
// session; new args, session state and request), and times engine.decide() alone. Bounded to a few seconds.
// The last line of output is one JSON object with the figures.
import {
  buildListContext,
  buildToolContext,
  type CallContext,
  compilePolicySet,
  countAllowedCalls,
  type Policy,
  type SessionCall,
} from "../src/index.ts";

const POLICIES = 1000;
const WARMUP_MS = 700;
const MEASURE_MS = 2500;

// The ten applicable policies: a realistic mix of effects and of what their conditions read.
const applicable: Omit<Policy, "id" | "name" | "description" | "target" | "mode">[] = [
  { effect: "deny", priority: 1000, condition: "tool.annotations.destructive" },
  { effect: "deny", priority: 1000, condition: 'delegation.chain.exists(h, h.trust == "third_party")' },
  { effect: "deny", priority: 100, condition: 'session.called("create_expense_report")' },
  { effect: "deny", priority: 100, condition: "args.employee_id != operator.email" },
  { effect: "deny", priority: 100, condition: "args.cost_center != operator.cost_center" },
  { effect: "deny", priority: 100, condition: "money(args.amount) > 5000.0" },
  { effect: "require_approval", priority: 50, condition: "money(args.amount) > operator.delegation_limit" },
  { effect: "deny", priority: 10, condition: '"read_secrets" in session.taints' },
  { effect: "allow", priority: 0, condition: '"engineering" in operator.groups' },
  { effect: "allow", priority: 0, condition: "" },
];

const policies: Policy[] = [];
for (let i = 0; i < POLICIES; i++) {
  const a = applicable[i % 100 === 0 ? i / 100 : -1];
  policies.push(
    a !== undefined
      ? {
          id: `p${i}`,
          name: `applicable ${i}`,
          description: "",
          mode: "enforce",
          target: { agents: ["expense-report-v1"], tools: ["create_expense_report"] },
          ...a,
        }
      : {
          id: `p${i}`,
          name: `other ${i}`,
          description: "",
          mode: "enforce",
          effect: i % 3 === 0 ? "deny" : "allow",
          priority: i % 7,
          // Spread over other agents, tools and labels, so the index has work to skip.
          target: {
            agents: [i % 2 === 0 ? `agent-${i % 50}` : `label:team=t${i % 20}`],
            tools: [i % 5 === 0 ? "*" : `tool_${i}`],
          },
          condition: 'args.mode == "batch"',
        },
  );
}

const engine = compilePolicySet(policies);
const list = buildListContext({
  agent: {
    id: "expense-report-v1",
    trust: "first_party",
    labels: { team: "finance-platform" },
    owner: "finance-platform",
  },
  operator: {
    sub: "user-alice",
    email: "alice@company.com",
    groups: ["engineering"],
    department: "engineering",
    manager: "bob@company.com",
    cost_center: "eng-team-001",
    delegation_limit: 500,
  },
});
const tool = buildToolContext({ name: "create_expense_report", upstream: "accounting" });
const started = new Date();
const history: SessionCall[] = [
  { tool: "receipt_ocr", decision: "allow", at: new Date(), args: { image: "receipt.png" } },
  { tool: "get_employee_cost_center", decision: "allow", at: new Date(), args: { employee_id: "alice@company.com" } },
];
const counts = countAllowedCalls(history);

const callContext = (): CallContext => ({
  ...list,
  tool,
  args: { employee_id: "alice@company.com", amount: 127.5, cost_center: "eng-team-001", receipt_text: "Taxi 127.50" },
  session: { id: "sess_1", started_at: started, calls: history, counts, approvals: [], taints: [] },
  request: { time: new Date(), source: "10.0.0.7", protocol: "mcp", era: "2025-11-25" },
});

const check = engine.decide(callContext());
if (check.evaluated.length !== 10 || check.outcome !== "allow" || check.errors.length > 0) {
  throw new Error(`bench setup is wrong: ${JSON.stringify(check)}`);
}

const run = (ms: number, record: number[] | undefined) => {
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) {
    const ctx = callContext();
    const t0 = performance.now();
    engine.decide(ctx);
    const dt = performance.now() - t0;
    if (record !== undefined) record.push(dt);
    n++;
  }
  return n;
};

run(WARMUP_MS, undefined);
const samples: number[] = [];
const wall0 = performance.now();
run(MEASURE_MS, samples);
const wall = performance.now() - wall0;
const decideMs = samples.reduce((a, b) => a + b, 0);
samples.sort((a, b) => a - b);
const pct = (p: number) => (samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] as number) * 1000;

const result = {
  bench: "policy",
  policies: POLICIES,
  applicable: check.evaluated.length,
  decisions: samples.length,
  p50_us: Number(pct(0.5).toFixed(2)),
  p99_us: Number(pct(0.99).toFixed(2)),
  max_us: Number(pct(1).toFixed(2)),
  decisions_per_s: Math.round(samples.length / (decideMs / 1000)),
  decisions_per_s_with_context: Math.round(samples.length / (wall / 1000)),
  target_p50_us: 20,
};

const rows: [string, string][] = [
  ["policies loaded", String(result.policies)],
  ["applicable to the call", String(result.applicable)],
  ["decisions measured", String(result.decisions)],
  ["p50", `${result.p50_us} µs`],
  ["p99", `${result.p99_us} µs`],
  ["max", `${result.max_us} µs`],
  ["decisions/s (decide only)", String(result.decisions_per_s)],
  ["decisions/s (incl. building the context)", String(result.decisions_per_s_with_context)],
  ["target p50", `≤ ${result.target_p50_us} µs (${result.p50_us <= 20 ? "met" : "NOT met"})`],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log(`policy decision benchmark (node ${process.version})`);
for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
console.log(JSON.stringify(result));
