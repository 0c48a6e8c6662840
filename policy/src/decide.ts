// The call phase: check the arguments against the limits, find the applicable policies through the index,
// evaluate them (enforce first, shadow on a separate budget), then combine: deny > require_approval > allow >
// default deny. Shadow policies are combined a second time with the enforce ones, for the record only.
import { digestArgs } from "./approvals.ts";
import { CallBindings } from "./bindings.ts";
import { toStringList } from "./cel/expression.ts";
import { Meter } from "./cel/meter.ts";
import type { CompiledPolicy } from "./compile.ts";
import type { CallContext, Outcome } from "./context.ts";
import type {
  ApprovalInfo,
  ApprovalRequest,
  Decision,
  LimitCode,
  PolicyEvalError,
  PolicyResult,
  ReasonCode,
  ShadowOutcome,
} from "./decision.ts";
import { type ConditionResult, evaluateCondition, matches } from "./evaluate.ts";
import { checkArgs, type Limits } from "./limits.ts";
import type { TargetIndex } from "./target-index.ts";

export interface EngineState {
  readonly index: TargetIndex<CompiledPolicy>;
  readonly limits: Limits;
}

interface Evaluated {
  readonly p: CompiledPolicy;
  readonly r: ConditionResult;
  readonly matched: boolean;
}

interface Combined {
  readonly outcome: Outcome;
  readonly code: ReasonCode;
  readonly reason: string;
  readonly deciding: readonly string[];
  readonly adaptable: boolean;
  readonly approval?: ApprovalInfo;
}

const meterFor = (limits: Limits) =>
  new Meter({ maxSteps: limits.maxEvalSteps, maxMillis: limits.maxEvalMillis, maxRegexInput: limits.maxRegexInput });

export function decideCall(state: EngineState, ctx: CallContext): Decision {
  const { limits } = state;
  const args = checkArgs(ctx.args, limits);
  if (!args.ok) {
    const code: ReasonCode = args.problem === "args_invalid" ? "invalid_args" : `limit_exceeded:${args.problem}`;
    return refusal(code, `denied: ${args.detail}`, [], [], [], true);
  }

  const candidates = state.index.match(ctx.agent, ctx.tool);
  const bindings = new CallBindings(ctx);
  const errors: PolicyEvalError[] = [];
  const enforce: Evaluated[] = [];
  const meter = meterFor(limits);
  for (const p of candidates) {
    if (p.policy.mode !== "enforce") continue;
    const r: ConditionResult = meter.overTime()
      ? { kind: "limit", limit: "eval_time", message: meter.detail }
      : evaluateCondition(p, bindings, meter);
    if (r.kind === "limit") {
      const done = [...enforce, { p, r, matched: p.policy.effect !== "allow" }];
      const code: LimitCode = `limit_exceeded:${r.limit}`;
      const reason = `denied: policy '${p.policy.id}' hit an evaluation limit (${r.message})`;
      return refusal(code, reason, [p.policy.id], done.map(resultOf), [...errorsOf(done)], p.dynamic);
    }
    enforce.push({ p, r, matched: matches(p, r) });
  }

  // Shadow policies run on their own budget, so they can never starve (or deny) the live decision.
  const shadow: Evaluated[] = [];
  let shadowMeter: Meter | undefined;
  for (const p of candidates) {
    if (p.policy.mode !== "shadow") continue;
    shadowMeter ??= meterFor(limits);
    let r = evaluateCondition(p, bindings, shadowMeter);
    if (r.kind === "limit") r = { kind: "error", message: r.message };
    shadow.push({ p, r, matched: matches(p, r) });
  }

  const approversCache = new Map<CompiledPolicy, string[] | undefined>();
  const live = combine(enforce, ctx, bindings, state.limits, approversCache, errors);
  let shadowOutcome: ShadowOutcome | undefined;
  if (shadow.length > 0) {
    const all = [...enforce, ...shadow].sort((a, b) => a.p.rank - b.p.rank);
    const s = combine(all, ctx, bindings, state.limits, approversCache, []);
    shadowOutcome = {
      outcome: s.outcome,
      code: s.code,
      reason: s.reason,
      deciding: s.deciding,
      matched: shadow.filter((e) => e.matched).map((e) => e.p.policy.id),
      differs: s.outcome !== live.outcome,
    };
  }

  const evaluated = shadow.length === 0 ? enforce : [...enforce, ...shadow].sort((a, b) => a.p.rank - b.p.rank);
  return {
    outcome: live.outcome,
    code: live.code,
    reason: live.reason,
    adaptable: live.adaptable,
    evaluated: evaluated.map((e) => e.p.policy.id),
    matched: enforce.filter((e) => e.matched).map((e) => e.p.policy.id),
    deciding: live.deciding,
    results: evaluated.map(resultOf),
    errors: [...errorsOf(evaluated), ...errors],
    ...(shadowOutcome === undefined ? {} : { shadow: shadowOutcome }),
    ...(live.approval === undefined ? {} : { approval: live.approval }),
  };
}

function combine(
  evaluated: readonly Evaluated[],
  ctx: CallContext,
  bindings: CallBindings,
  limits: Limits,
  approversCache: Map<CompiledPolicy, string[] | undefined>,
  errors: PolicyEvalError[],
): Combined {
  const denies = evaluated.filter((e) => e.matched && e.p.policy.effect === "deny");
  if (denies.length > 0) {
    const genuine = denies.filter((e) => e.r.kind === "true");
    const lead = (genuine[0] ?? denies[0]) as Evaluated;
    const more = denies.length > 1 ? ` (and ${denies.length - 1} more)` : "";
    const why = lead.r.kind === "error" ? `its condition could not be evaluated (${lead.r.message})` : describe(lead.p);
    return {
      outcome: "deny",
      code: genuine.length > 0 ? "denied_by_policy" : "denied_by_error",
      reason: `denied by policy '${lead.p.policy.name}': ${why}${more}`,
      deciding: denies.map((e) => e.p.policy.id),
      adaptable: denies.every((e) => e.p.dynamic),
    };
  }

  const holds = evaluated.filter((e) => e.matched && e.p.policy.effect === "require_approval");
  if (holds.length > 0) {
    const digest = digestArgs(ctx.args);
    const requests: ApprovalRequest[] = [];
    const grants: string[] = [];
    for (const h of holds) {
      const approvers = approversOf(h.p, bindings, limits, approversCache, errors);
      requests.push({ policy: h.p.policy.id, approvers: approvers ?? [] });
      const grant = ctx.session.approvals.find(
        (g) =>
          g.policy === h.p.policy.id &&
          g.tool === ctx.tool.name &&
          g.args_digest === digest &&
          (h.p.approvers === undefined || (approvers?.includes(g.approver) ?? false)),
      );
      if (grant !== undefined) grants.push(grant.id);
    }
    const lead = holds[0] as Evaluated;
    const ids = holds.map((e) => e.p.policy.id);
    if (grants.length === holds.length) {
      const by = [...new Set(ctx.session.approvals.filter((g) => grants.includes(g.id)).map((g) => g.approver))];
      return {
        outcome: "allow",
        code: "approved",
        reason: `allowed: approved by ${by.join(", ")} for this exact call (policy '${lead.p.policy.name}')`,
        deciding: ids,
        adaptable: false,
        approval: { status: "granted", args_digest: digest, grants },
      };
    }
    const who = requests[0]?.approvers.length ? ` by ${requests[0].approvers.join(" or ")}` : "";
    const why = lead.r.kind === "error" ? `its condition could not be evaluated (${lead.r.message})` : describe(lead.p);
    return {
      outcome: "require_approval",
      code: "approval_required",
      reason: `approval${who} required by policy '${lead.p.policy.name}': ${why}`,
      deciding: ids,
      adaptable: true,
      approval: { status: "required", args_digest: digest, requests },
    };
  }

  const allows = evaluated.filter((e) => e.matched && e.p.policy.effect === "allow");
  if (allows.length > 0) {
    const lead = allows[0] as Evaluated;
    return {
      outcome: "allow",
      code: "allowed",
      reason: `allowed by policy '${lead.p.policy.name}'`,
      deciding: allows.map((e) => e.p.policy.id),
      adaptable: false,
    };
  }

  const missed = evaluated.filter((e) => e.p.policy.effect === "allow");
  const notMatched = missed.length > 0 ? `; not matched: ${missed.map((e) => `'${e.p.policy.id}'`).join(", ")}` : "";
  return {
    outcome: "deny",
    code: "default_deny",
    reason: `denied: no policy allows agent '${ctx.agent.id}' to call '${ctx.tool.name}'${notMatched}`,
    deciding: [],
    adaptable: missed.some((e) => e.p.dynamic),
  };
}

function approversOf(
  p: CompiledPolicy,
  bindings: CallBindings,
  limits: Limits,
  cache: Map<CompiledPolicy, string[] | undefined>,
  errors: PolicyEvalError[],
): string[] | undefined {
  if (p.approvers === undefined) return undefined;
  if (cache.has(p)) return cache.get(p);
  const r = p.approvers.evaluate(bindings, meterFor(limits));
  let list: string[] | undefined;
  if (!r.ok) errors.push({ policy: p.policy.id, mode: p.policy.mode, message: `approvers: ${r.error}` });
  else {
    list = toStringList(r.value);
    if (list === undefined) {
      errors.push({ policy: p.policy.id, mode: p.policy.mode, message: "approvers: not a string or list of strings" });
    }
  }
  cache.set(p, list);
  return list;
}

function describe(p: CompiledPolicy): string {
  return p.policy.description.trim() !== "" ? p.policy.description : p.policy.name;
}

function resultOf(e: Evaluated): PolicyResult {
  const base = {
    id: e.p.policy.id,
    name: e.p.policy.name,
    effect: e.p.policy.effect,
    mode: e.p.policy.mode,
    matched: e.matched,
  };
  return e.r.kind === "error" || e.r.kind === "limit" ? { ...base, error: e.r.message } : base;
}

function* errorsOf(evaluated: readonly Evaluated[]): Iterable<PolicyEvalError> {
  for (const e of evaluated) {
    if (e.r.kind === "error" || e.r.kind === "limit") {
      yield { policy: e.p.policy.id, mode: e.p.policy.mode, message: e.r.message };
    }
  }
}

function refusal(
  code: ReasonCode,
  reason: string,
  deciding: string[],
  results: PolicyResult[],
  errors: PolicyEvalError[],
  adaptable: boolean,
): Decision {
  return {
    outcome: "deny",
    code,
    reason,
    adaptable,
    evaluated: results.map((r) => r.id),
    matched: results.filter((r) => r.matched && r.mode === "enforce").map((r) => r.id),
    deciding,
    results,
    errors,
  };
}
