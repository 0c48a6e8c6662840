// What a decision says, for the data plane (outcome), the audit record and the console (everything else).
// Reason codes are stable identifiers; the human reason is for people and may change wording.
import type { Outcome } from "./context.ts";
import type { Effect, Mode } from "./policy.ts";

export type LimitCode =
  | "limit_exceeded:args_too_large"
  | "limit_exceeded:args_too_deep"
  | "limit_exceeded:eval_cost"
  | "limit_exceeded:eval_time";

export type ReasonCode =
  /** An allow policy matched and nothing stronger did. */
  | "allowed"
  /** A require_approval policy matched and a person approved this exact call. */
  | "approved"
  /** A require_approval policy matched; the call waits for a person. */
  | "approval_required"
  /** A deny policy's condition was true. */
  | "denied_by_policy"
  /** Only deny policies whose condition failed to evaluate matched (errors fail closed). */
  | "denied_by_error"
  /** No policy allowed the call. */
  | "default_deny"
  /** The arguments are not JSON data. */
  | "invalid_args"
  /** The engine itself failed (malformed context or a bug); fails closed. */
  | "engine_error"
  /** A delegated call: an agent earlier in the delegation chain may not make this call itself. */
  | "delegator_denied"
  | LimitCode;

export interface PolicyResult {
  readonly id: string;
  readonly name: string;
  readonly effect: Effect;
  readonly mode: Mode;
  /** Deny and require_approval policies match when their condition errs; allow policies then do not. */
  readonly matched: boolean;
  /** Why the condition could not be evaluated, when it could not (including a non-boolean result). */
  readonly error?: string;
}

export interface PolicyEvalError {
  readonly policy: string;
  readonly mode: Mode;
  readonly message: string;
}

export interface ApprovalRequest {
  readonly policy: string;
  /** Who may approve, from the policy's `approvers` expression (empty when it has none or it failed). */
  readonly approvers: readonly string[];
}

export type ApprovalInfo =
  | { readonly status: "required"; readonly args_digest: string; readonly requests: readonly ApprovalRequest[] }
  /** `grants` are the ids of the approvals used: the data plane consumes them so each approves one call. */
  | { readonly status: "granted"; readonly args_digest: string; readonly grants: readonly string[] };

export interface ShadowOutcome {
  /** What the decision would have been with shadow policies enforced too. */
  readonly outcome: Outcome;
  readonly code: ReasonCode;
  readonly reason: string;
  readonly deciding: readonly string[];
  /** Shadow policies that matched. */
  readonly matched: readonly string[];
  /** True when enforcing the shadow policies would change the outcome. */
  readonly differs: boolean;
}

export interface Decision {
  readonly outcome: Outcome;
  readonly code: ReasonCode;
  /** E.g. "denied by policy 'ocr-once-per-session': receipt_ocr may be called once per session". */
  readonly reason: string;
  /**
   * For a deny or a hold: true when a different call could fare differently (it depends on the arguments, the
   * session so far, the time, or an approval); false for a hard deny that depends only on who calls which tool.
   */
  readonly adaptable: boolean;
  /** Ids of every policy evaluated (enforce and shadow), in evaluation order. */
  readonly evaluated: readonly string[];
  /** Ids of the enforce policies that matched. */
  readonly matched: readonly string[];
  /** Ids of the policies that produced the outcome. */
  readonly deciding: readonly string[];
  readonly results: readonly PolicyResult[];
  readonly errors: readonly PolicyEvalError[];
  /** Present when shadow policies applied to the call. */
  readonly shadow?: ShadowOutcome;
  readonly approval?: ApprovalInfo;
}
