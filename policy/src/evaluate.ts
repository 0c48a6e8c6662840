// Evaluates one policy's condition and applies the fail-closed rule: an error or a non-boolean result makes a deny
// or require_approval policy match and an allow policy not match. Budget hits are reported separately.
import type { Meter } from "./cel/meter.ts";
import type { CompiledPolicy } from "./compile.ts";

export type ConditionResult =
  | { readonly kind: "true" }
  | { readonly kind: "false" }
  | { readonly kind: "error"; readonly message: string }
  | { readonly kind: "limit"; readonly limit: "eval_cost" | "eval_time"; readonly message: string };

const TRUE: ConditionResult = Object.freeze({ kind: "true" });
const FALSE: ConditionResult = Object.freeze({ kind: "false" });

export function evaluateCondition(p: CompiledPolicy, bindings: object, meter: Meter): ConditionResult {
  if (p.condition === undefined) return TRUE;
  const r = p.condition.evaluate(bindings, meter);
  if (!r.ok) {
    return r.limit === undefined
      ? { kind: "error", message: r.error }
      : { kind: "limit", limit: r.limit, message: r.error };
  }
  if (r.value === true) return TRUE;
  if (r.value === false) return FALSE;
  return { kind: "error", message: `condition evaluated to a ${describe(r.value)}, not a bool` };
}

export function matches(p: CompiledPolicy, r: ConditionResult): boolean {
  return p.policy.effect === "allow" ? r.kind === "true" : r.kind === "true" || r.kind === "error";
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "bigint") return "int";
  if (typeof v === "number") return "double";
  if (typeof v === "object") return "value of another type";
  return typeof v;
}
