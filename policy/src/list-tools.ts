// The list phase (`tools/list`): hide the tools this caller may never call. Only who is asking is known; args,
// session, request and now are not. A condition is evaluated with those unknown: CEL's && and || absorb what they
// do not need, so a definite true/false is trusted; a result that depends on an unknown means "may match".
// A tool is listed iff some enforce allow/require_approval policy may match and no enforce deny surely does.
import { ListBindings } from "./bindings.ts";
import { Meter } from "./cel/meter.ts";
import type { CompiledPolicy } from "./compile.ts";
import type { ListContext, ToolContext } from "./context.ts";
import { LIST_PHASE_VARIABLES } from "./context-schema.ts";
import type { EngineState } from "./decide.ts";
import { evaluateCondition } from "./evaluate.ts";

export type ListVerdict = "match" | "no_match" | "unknown";

export function listVisibleTools<T extends ToolContext>(
  state: EngineState,
  ctx: ListContext,
  tools: readonly T[],
): T[] {
  const bindings = new ListBindings(ctx);
  return tools.filter((tool) => isListed(state, ctx, bindings, tool));
}

function isListed(state: EngineState, ctx: ListContext, bindings: ListBindings, tool: ToolContext): boolean {
  bindings.useTool(tool);
  const meter = new Meter({
    maxSteps: state.limits.maxEvalSteps,
    maxMillis: state.limits.maxEvalMillis,
    maxRegexInput: state.limits.maxRegexInput,
  });
  let mayBeAllowed = false;
  for (const p of state.index.match(ctx.agent, tool)) {
    if (p.policy.mode !== "enforce") continue;
    const isDeny = p.policy.effect === "deny";
    if (!isDeny && mayBeAllowed) continue;
    const verdict = verdictAtListTime(p, bindings, meter);
    if (isDeny && verdict === "match") return false;
    if (!isDeny && verdict !== "no_match") mayBeAllowed = true;
  }
  return mayBeAllowed;
}

/**
 * Verdicts of conditions that read nothing known at list time (only args, session, request, now): such a verdict
 * is the same for every caller and tool, so it is computed once per compiled policy instead of on every call.
 */
const callerIndependent = new WeakMap<CompiledPolicy, ListVerdict>();

const readsOnlyCallTimeData = (p: CompiledPolicy): boolean =>
  p.condition !== undefined && [...p.condition.roots].every((root) => !LIST_PHASE_VARIABLES.has(root));

/** Whether the policy surely matches, surely does not, or cannot tell without call-time data. */
export function verdictAtListTime(p: CompiledPolicy, bindings: ListBindings, meter: Meter): ListVerdict {
  const known = callerIndependent.get(p);
  if (known !== undefined) return known;
  const verdict = evaluateAtListTime(p, bindings, meter);
  // An evaluation limit depends on the moment (a time budget), so only a clean verdict is kept.
  if (meter.limit === undefined && readsOnlyCallTimeData(p)) callerIndependent.set(p, verdict);
  return verdict;
}

function evaluateAtListTime(p: CompiledPolicy, bindings: ListBindings, meter: Meter): ListVerdict {
  bindings.unknownRead = false;
  const r = evaluateCondition(p, bindings, meter);
  if (r.kind === "true") return "match";
  if (r.kind === "false") return "no_match";
  if (bindings.unknownRead && r.kind === "error") return "unknown";
  // A definite error (or an evaluation limit) fails closed: a deny matches, an allow does not.
  return p.policy.effect === "allow" ? "no_match" : "match";
}
