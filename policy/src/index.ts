// @portcullis/policy: the one implementation of the Portcullis policy language (CEL), used by the control plane
// (validate on save, simulate) and the data plane (decide every call). The language is documented in
// docs/policy-reference.md; this file is the whole public surface.

export { digestArgs } from "./approvals.ts";
export {
  compilePolicy,
  compilePolicySet,
  inferExpressionType,
  type PolicyCheck,
  PolicySetError,
  type PolicySetOptions,
} from "./compile.ts";
export {
  type AgentContext,
  type ApprovalGrant,
  annotationsFromMcp,
  buildCallContext,
  buildListContext,
  buildSessionContext,
  buildToolContext,
  type CallContext,
  type CallContextInput,
  countAllowedCalls,
  type DelegationContext,
  type DelegationHop,
  type DirectoryOperator,
  type EnvContext,
  type JsonObject,
  type JsonValue,
  type ListContext,
  type ListContextInput,
  type OperatorContext,
  type Outcome,
  operatorFromDirectory,
  type RequestContext,
  type SessionCall,
  type SessionContext,
  type SessionInput,
  type ToolAnnotations,
  type ToolContext,
  type Trust,
} from "./context.ts";
export type {
  ApprovalInfo,
  ApprovalRequest,
  Decision,
  LimitCode,
  PolicyEvalError,
  PolicyResult,
  ReasonCode,
  ShadowOutcome,
} from "./decision.ts";
export { decideForChain, listToolsForChain } from "./delegation.ts";
export type { PolicyEngine } from "./engine.ts";
export { DEFAULT_LIMITS, type Limits } from "./limits.ts";
export {
  type Effect,
  formatPolicyError,
  type Mode,
  type Policy,
  type PolicyError,
  type PolicyTarget,
} from "./policy.ts";
