// `npm run bench:cel -w policy`: raw throughput of @bufbuild/cel, the figure behind docs/adr/0003-cel-library.md.
// (1) every passing core conformance case, planned once and evaluated in a loop; (2) the expense-report scenario's
// conditions through our interface (bindings, budget ticks). Bounded to a few seconds; last line is JSON.
import { CallBindings } from "../src/bindings.ts";
import { compileExpression, createExpressionEnv } from "../src/cel/expression.ts";
import { Meter } from "../src/cel/meter.ts";
import { T } from "../src/cel/types.ts";
import { buildCallContext } from "../src/context.ts";
import { RECORDS, VARIABLES } from "../src/context-schema.ts";
import { agents, cast, expenseReportPolicies, tools } from "../src/scenarios/expense-report.ts";
import { CORE_SUITES, runConformance } from "../test/cel-conformance.ts";

function evalsPerSecond(fns: readonly (() => unknown)[], warmMs: number, measureMs: number): number {
  const loop = (ms: number) => {
    const end = performance.now() + ms;
    let n = 0;
    while (performance.now() < end) {
      for (const f of fns) f();
      n += fns.length;
    }
    return n;
  };
  loop(warmMs);
  const t0 = performance.now();
  const n = loop(measureMs);
  return Math.round(n / ((performance.now() - t0) / 1000));
}

const results = runConformance(CORE_SUITES);
const passing = results
  .filter((r) => r.outcome === "pass" && r.program !== undefined)
  .map((r) => r.program as () => unknown);
const conformance = evalsPerSecond(passing, 500, 2000);

const env = createExpressionEnv(VARIABLES, RECORDS);
const ctx = buildCallContext({
  agent: agents.expenseReport,
  operator: cast.alice,
  tool: tools.create_expense_report,
  args: { employee_id: "alice@company.com", amount: 127.5, cost_center: "eng-team-001", recipient: "bob@company.com" },
  session: { id: "s", calls: [{ tool: "receipt_ocr", decision: "allow" }] },
});
const conditions = expenseReportPolicies.map((p) => p.condition).filter((c) => c !== "");
const scenario = conditions.map((source) => {
  const r = compileExpression(env, source, [T.bool], "bool");
  if (!r.ok) throw new Error(`${source}: ${r.issues[0]?.message}`);
  const expression = r.expression;
  return () =>
    expression.evaluate(new CallBindings(ctx), new Meter({ maxSteps: 25_000, maxMillis: 100, maxRegexInput: 65_536 }));
});
const policy = evalsPerSecond(scenario, 500, 1500);

console.log(`@bufbuild/cel throughput (node ${process.version})`);
console.log(`  core conformance cases (${passing.length} expressions)  ${conformance} evals/s`);
console.log(`  scenario conditions via our interface (${conditions.length})   ${policy} evals/s`);
console.log(
  JSON.stringify({
    bench: "cel",
    conformance_cases: passing.length,
    conformance_evals_per_s: conformance,
    scenario_evals_per_s: policy,
  }),
);
