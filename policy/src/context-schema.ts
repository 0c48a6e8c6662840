// The CEL types of everything a policy can read: the contract documented in docs/policy-reference.md.
// Records are typed (a misspelt field is a compile error); `args` is `dyn` because tools define their own.
import { type CelT, T } from "./cel/types.ts";

const stringMap = T.map(T.string, T.string);
const dynMap = T.map(T.string, T.dyn);

export const AgentT = T.record("Agent", {
  id: T.string,
  name: T.string,
  trust: T.string,
  labels: stringMap,
  owner: T.string,
});

export const OperatorT = T.record("Operator", {
  sub: T.string,
  email: T.string,
  groups: T.list(T.string),
  department: T.string,
  manager: T.string,
  cost_center: T.string,
  delegation_limit: T.double,
  attributes: dynMap,
});

export const HopT = T.record("DelegationHop", { agent: T.string, trust: T.string, owner: T.string });

export const DelegationT = T.record("Delegation", { chain: T.list(HopT), depth: T.int, origin: T.string });

export const ToolAnnotationsT = T.record("ToolAnnotations", {
  destructive: T.bool,
  read_only: T.bool,
  idempotent: T.bool,
  open_world: T.bool,
});

export const ToolT = T.record("Tool", {
  name: T.string,
  upstream: T.string,
  labels: stringMap,
  annotations: ToolAnnotationsT,
  definition_hash: T.string,
});

export const SessionCallT = T.record("SessionCall", {
  tool: T.string,
  decision: T.string,
  at: T.timestamp,
  args: dynMap,
});

export const ApprovalT = T.record("Approval", {
  id: T.string,
  tool: T.string,
  args_digest: T.string,
  approver: T.string,
  policy: T.string,
  at: T.timestamp,
});

export const SessionT = T.record("Session", {
  id: T.string,
  started_at: T.timestamp,
  calls: T.list(SessionCallT),
  counts: T.map(T.string, T.int),
  approvals: T.list(ApprovalT),
  taints: T.list(T.string),
});

export const RequestT = T.record("Request", { time: T.timestamp, source: T.string, protocol: T.string, era: T.string });

export const EnvT = T.record("Env", { gateway: T.string, node_labels: stringMap });

export const RECORDS = [
  AgentT,
  OperatorT,
  HopT,
  DelegationT,
  ToolAnnotationsT,
  ToolT,
  SessionCallT,
  ApprovalT,
  SessionT,
  RequestT,
  EnvT,
] as const;

/** Every variable a condition may read. */
export const VARIABLES: Record<string, CelT> = {
  agent: AgentT,
  operator: OperatorT,
  delegation: DelegationT,
  tool: ToolT,
  args: dynMap,
  session: SessionT,
  request: RequestT,
  env: EnvT,
  now: T.timestamp,
};

/**
 * Variables known when listing tools (`tools/list`). The others (args, session, request, now) are unknown then,
 * so a condition that needs them "may match" at list time.
 */
export const LIST_PHASE_VARIABLES: ReadonlySet<string> = new Set(["agent", "operator", "delegation", "tool", "env"]);
