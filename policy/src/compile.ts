// Compiling policies: shape check, then CEL parse + type-check against the context schema, once per config
// change. A policy set that has any error is refused as a whole, with every error naming its policy and position.
import {
  type CompiledExpression,
  compileExpression,
  createExpressionEnv,
  type ExpressionEnv,
} from "./cel/expression.ts";
import { formatType, T } from "./cel/types.ts";
import { LIST_PHASE_VARIABLES, RECORDS, VARIABLES } from "./context-schema.ts";
import { PolicyEngine } from "./engine.ts";
import { DEFAULT_LIMITS, type Limits } from "./limits.ts";
import { formatPolicyError, type Policy, type PolicyError, validatePolicyShape } from "./policy.ts";
import type { Indexed } from "./target-index.ts";

export interface CompiledPolicy extends Indexed {
  readonly policy: Policy;
  /** Undefined when the condition is empty (always true). */
  readonly condition: CompiledExpression | undefined;
  readonly approvers: CompiledExpression | undefined;
  /** The condition reads something that changes from call to call (args, session, request, now). */
  readonly dynamic: boolean;
}

let sharedEnv: ExpressionEnv | undefined;
const env = (): ExpressionEnv => {
  sharedEnv ??= createExpressionEnv(VARIABLES, RECORDS);
  return sharedEnv;
};

export type PolicyCheck =
  | { readonly ok: true; readonly policy: Policy }
  | { readonly ok: false; readonly errors: readonly PolicyError[] };

/** Validates one policy (shape and CEL), as the control plane does on save. */
export function compilePolicy(input: unknown): PolicyCheck {
  const r = compileOne(input, 0, 0);
  return r.ok ? { ok: true, policy: r.compiled.policy } : r;
}

/**
 * The CEL type an expression has in the policy context (e.g. `bool`, `int`, `list(string)`), for editors that
 * show it while a person types; undefined when the expression does not parse or type-check.
 */
export function inferExpressionType(source: string): string | undefined {
  if (source.trim() === "") return undefined;
  const r = compileExpression(env(), source, [T.dyn], "any value");
  return r.ok ? formatType(r.expression.type) : undefined;
}

function compileOne(
  input: unknown,
  index: number,
  rank: number,
): { ok: true; compiled: CompiledPolicy } | { ok: false; errors: PolicyError[] } {
  const shape = validatePolicyShape(input, index);
  if (!shape.ok) return shape;
  const policy = shape.policy;
  const errors: PolicyError[] = [];
  const compileField = (field: "condition" | "approvers", source: string): CompiledExpression | undefined => {
    if (source.trim() === "") return undefined;
    const accept = field === "condition" ? [T.bool] : [T.string, T.list(T.string)];
    const r = compileExpression(env(), source, accept, field === "condition" ? "bool" : "a string or list(string)");
    if (r.ok) return r.expression;
    for (const issue of r.issues) {
      errors.push({
        policy: policy.id,
        name: policy.name,
        field,
        message: issue.message,
        line: issue.line,
        column: issue.column,
      });
    }
    return undefined;
  };
  const condition = compileField("condition", policy.condition);
  const approvers = policy.approvers === undefined ? undefined : compileField("approvers", policy.approvers);
  if (errors.length > 0) return { ok: false, errors };
  const dynamic = condition !== undefined && [...condition.roots].some((r) => !LIST_PHASE_VARIABLES.has(r));
  return {
    ok: true,
    compiled: Object.freeze({
      policy,
      condition,
      approvers,
      dynamic,
      rank,
      agents: policy.target.agents,
      tools: policy.target.tools,
    }),
  };
}

export class PolicySetError extends Error {
  readonly errors: readonly PolicyError[];
  constructor(errors: readonly PolicyError[]) {
    super(`policy set refused: ${errors.length} error(s)\n${errors.map(formatPolicyError).join("\n")}`);
    this.name = "PolicySetError";
    this.errors = errors;
  }
}

export interface PolicySetOptions {
  readonly limits?: Partial<Limits>;
}

/**
 * Compiles a whole policy set into an immutable engine. Throws PolicySetError listing every problem (shape, CEL,
 * duplicate ids) when any policy is invalid: a set is applied completely or not at all.
 */
export function compilePolicySet(inputs: readonly unknown[], options: PolicySetOptions = {}): PolicyEngine {
  const errors: PolicyError[] = [];
  const shaped: { input: unknown; index: number; policy: Policy }[] = [];
  inputs.forEach((input, index) => {
    const shape = validatePolicyShape(input, index);
    if (shape.ok) shaped.push({ input, index, policy: shape.policy });
    else errors.push(...shape.errors);
  });
  const ids = new Set<string>();
  for (const s of shaped) {
    if (ids.has(s.policy.id)) {
      errors.push({ policy: s.policy.id, name: s.policy.name, field: "id", message: "duplicate policy id" });
    }
    ids.add(s.policy.id);
  }
  // Evaluation order: higher priority first, then id, so explanations are stable.
  shaped.sort((a, b) => b.policy.priority - a.policy.priority || (a.policy.id < b.policy.id ? -1 : 1));
  const compiled: CompiledPolicy[] = [];
  shaped.forEach((s, rank) => {
    const r = compileOne(s.input, s.index, rank);
    if (r.ok) compiled.push(r.compiled);
    else errors.push(...r.errors);
  });
  if (errors.length > 0) throw new PolicySetError(errors);
  const limits: Limits = Object.freeze({ ...DEFAULT_LIMITS, ...options.limits });
  return new PolicyEngine(compiled, limits);
}
