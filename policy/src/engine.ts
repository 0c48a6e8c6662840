// The compiled, immutable policy engine the data plane swaps in when a new snapshot arrives. It holds compiled
// programs and the target index; deciding never parses, and one engine serves concurrent requests unchanged.
import type { CompiledPolicy } from "./compile.ts";
import type { CallContext, ListContext, ToolContext } from "./context.ts";
import { decideCall, type EngineState } from "./decide.ts";
import type { Decision } from "./decision.ts";
import type { Limits } from "./limits.ts";
import { listVisibleTools } from "./list-tools.ts";
import type { Policy } from "./policy.ts";
import { TargetIndex } from "./target-index.ts";

export class PolicyEngine {
  readonly #state: EngineState;
  /** The policies, normalized, in evaluation order (priority desc, then id). */
  readonly policies: readonly Policy[];
  readonly limits: Limits;

  /** Use compilePolicySet() to build one. */
  constructor(compiled: readonly CompiledPolicy[], limits: Limits) {
    this.#state = Object.freeze({ index: new TargetIndex(compiled), limits });
    this.policies = Object.freeze(compiled.map((c) => c.policy));
    this.limits = limits;
    Object.freeze(this);
  }

  /**
   * The call phase: the full decision with its explanation. Never throws: should anything unexpected happen
   * (a malformed context, a bug), the call is denied with code `engine_error`.
   */
  decide(ctx: CallContext): Decision {
    try {
      return decideCall(this.#state, ctx);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return {
        outcome: "deny",
        code: "engine_error",
        reason: `denied: the policy engine failed (${message})`,
        adaptable: false,
        evaluated: [],
        matched: [],
        deciding: [],
        results: [],
        errors: [{ policy: "", mode: "enforce", message }],
      };
    }
  }

  /**
   * The list phase: the tools this caller may ever call, for `tools/list`. Depends only on who is asking and on
   * the tools, never on session history or arguments.
   */
  listTools<T extends ToolContext>(ctx: ListContext, tools: readonly T[]): T[] {
    try {
      return listVisibleTools(this.#state, ctx, tools);
    } catch {
      return []; // fail closed: list nothing rather than everything
    }
  }
}
