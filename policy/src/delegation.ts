// Delegated calls: a delegate never gains authority its delegators lack. The acting agent's call is decided as
// usual (its context carries the whole chain); then each delegator, from the origin to the immediate one, must be
// allowed the same call in its own right: its own agent, the chain up to itself, the same tool, arguments,
// session and request. Anything but `allow` for a delegator denies with `delegator_denied`. The list phase is
// the same intersection: a tool is listed only when every agent of the chain may call it.
import type { AgentContext, CallContext, DelegationContext, ListContext, ToolContext } from "./context.ts";
import type { Decision } from "./decision.ts";
import type { PolicyEngine } from "./engine.ts";

const f = Object.freeze;

/** The context as delegator `i` (0 = the origin) would see the call: its agent, the chain up to it. */
function asDelegator<C extends ListContext>(ctx: C, delegator: AgentContext, i: number): C {
  const delegation: DelegationContext = f({
    chain: f(ctx.delegation.chain.slice(0, i + 1)),
    depth: i,
    origin: ctx.delegation.origin,
  });
  return f({ ...ctx, agent: delegator, delegation });
}

function checkDelegators(delegators: readonly AgentContext[], ctx: ListContext): void {
  if (delegators.length !== ctx.delegation.chain.length - 1) {
    throw new Error(
      `the delegation chain has ${ctx.delegation.chain.length} hops but ${delegators.length} delegators were given`,
    );
  }
}

/**
 * The decision for a call made by the last agent of `ctx.delegation.chain`, acting for `delegators` (origin first,
 * the immediate delegator last). With no delegators this is `engine.decide(ctx)`. Never throws: a malformed
 * chain denies with `engine_error`.
 */
export function decideForChain(
  engine: Pick<PolicyEngine, "decide">,
  ctx: CallContext,
  delegators: readonly AgentContext[],
): Decision {
  const own = engine.decide(ctx);
  if (delegators.length === 0 || own.outcome === "deny") return own;
  try {
    checkDelegators(delegators, ctx);
  } catch (e) {
    const message = (e as Error).message;
    return {
      outcome: "deny",
      code: "engine_error",
      reason: `denied: ${message}`,
      adaptable: false,
      evaluated: own.evaluated,
      matched: own.matched,
      deciding: [],
      results: own.results,
      errors: [...own.errors, { policy: "", mode: "enforce", message }],
    };
  }
  for (const [i, delegator] of delegators.entries()) {
    const theirs = engine.decide(asDelegator(ctx, delegator, i));
    if (theirs.outcome === "allow") continue;
    const why = theirs.outcome === "require_approval" ? "it would need an approval itself" : theirs.reason;
    return {
      outcome: "deny",
      code: "delegator_denied",
      reason: `denied: delegator '${delegator.name}' may not call '${ctx.tool.name}' itself (${why})`,
      adaptable: theirs.adaptable,
      evaluated: [...own.evaluated, ...theirs.evaluated],
      matched: own.matched,
      deciding: theirs.deciding,
      results: [...own.results, ...theirs.results],
      errors: [...own.errors, ...theirs.errors],
    };
  }
  return own;
}

/** The list phase for a delegated caller: the tools every agent of the chain may call. Fails closed (lists none). */
export function listToolsForChain<T extends ToolContext>(
  engine: Pick<PolicyEngine, "listTools">,
  ctx: ListContext,
  delegators: readonly AgentContext[],
  tools: readonly T[],
): T[] {
  let visible = engine.listTools(ctx, tools);
  if (delegators.length === 0) return visible;
  try {
    checkDelegators(delegators, ctx);
  } catch {
    return [];
  }
  for (const [i, delegator] of delegators.entries()) {
    if (visible.length === 0) break;
    visible = engine.listTools(asDelegator(ctx, delegator, i), visible);
  }
  return visible;
}
