// The steps every tool-call route shares (HTTP tools and MCP): authenticate the session token, resolve the
// caller from the snapshot, open the decision event, decide with the session ledger's history, describe the
// decision for the audit record, and state the assertion. Each route keeps only its own framing (HTTP envelope or
// JSON-RPC) around them, so the security-relevant steps exist exactly once.
import type { IncomingMessage } from "node:http";
import {
  type AgentContext,
  buildCallContext,
  buildListContext,
  type Decision,
  decideForChain,
  type JsonObject,
  type ListContextInput,
  listToolsForChain,
  type ToolContext,
} from "@portcullis/policy";
import {
  type ClientCertificateIdentity,
  canonicalJson,
  peerCertificateIdentity,
  type SnapshotAgent,
  sha256Hex,
} from "@portcullis/proto";
import type { ApprovalAsker } from "../approvals/approval-gate.ts";
import type { AssertionAct, AssertionInput } from "../assertions/mint-assertion.ts";
import type { DecisionEvent, DecisionRecorder } from "../audit/record-decision.ts";
import { certificateAgentProblem, certificateBindingProblem } from "../authn/client-certificate.ts";
import type { VerifiedToken } from "../authn/verify-token.ts";
import type { QuotaResult, QuotaStore } from "../quota/quota-store.ts";
import { quotaChecksFor } from "../quota/rate-limits.ts";
import type { CallRecord, SessionHistory, SessionKey } from "../session/ledger.ts";
import { resolveOperator, type ServingConfig } from "./serving-config.ts";
import type { StalenessWatch } from "./staleness.ts";

export type TokenSession = NonNullable<VerifiedToken["session"]> & {
  /** The verified client certificate of the connection (the mTLS listener), which must identify the agent. */
  readonly clientCertificate?: ClientCertificateIdentity;
};

export type CallerAuth =
  | { ok: true; token: VerifiedToken; session: TokenSession }
  | { ok: false; code: "unauthenticated" | "invalid_token" | "session_required"; message: string };

export const SESSION_REQUIRED_MESSAGE =
  "tools are called within a gateway session: exchange the operator's token for a session token first";

/** Step 2: a control-plane session token (verified once, then cached). Runs before any body is read. */
export async function authenticateCaller(serving: ServingConfig, req: IncomingMessage): Promise<CallerAuth> {
  const auth = await serving.verifier.verify(req.headers.authorization);
  if (!auth.ok) return auth;
  const session = auth.token.session;
  if (!session) return { ok: false, code: "session_required", message: SESSION_REQUIRED_MESSAGE };
  // mTLS (RFC 8705): a certificate-bound token needs its certificate; a certificate is checked against the agent
  // in resolveCaller. Plain connections with unbound tokens skip both.
  const certificate = peerCertificateIdentity(req.socket);
  const unbound = certificateBindingProblem(auth.token, certificate);
  if (unbound) return { ok: false, code: "invalid_token", message: unbound };
  return {
    ok: true,
    token: auth.token,
    session: certificate ? { ...session, clientCertificate: certificate } : session,
  };
}

export interface ResolvedCaller {
  agent: SnapshotAgent;
  /** What the list phase and the call phase of policy know about the caller. */
  who: ListContextInput;
  /** The agents the caller acts for, origin first (empty unless the session was delegated). */
  delegators: readonly SnapshotAgent[];
  /** The delegators' policy views, for decideForChain and listToolsForChain. */
  delegatorContexts: readonly AgentContext[];
}

export type CallerResolution = ({ ok: true } & ResolvedCaller) | { ok: false; message: string };

const agentContextOf = (a: SnapshotAgent): AgentContext =>
  Object.freeze({ id: a.id, name: a.name, trust: a.trust, labels: a.labels, owner: a.owner });

/**
 * Resolutions by serving config (one per snapshot) and verified token. The verifier hands out the same token
 * object for as long as it caches the token, and a resolution depends on nothing but the two (the snapshot's
 * agents, delegation grants and directory, and the token's claims), so a session's later calls reuse it.
 */
const resolutions = new WeakMap<ServingConfig, WeakMap<VerifiedToken, CallerResolution>>();

/**
 * Step 4: the agent from the snapshot (never from the token's say-so), the operator and the delegation. A
 * delegated session's chain is verified again against every snapshot: every agent still exists and is enabled,
 * each still allows the next to act for it, and none appears twice.
 */
export function resolveCaller(serving: ServingConfig, token: VerifiedToken, session: TokenSession): CallerResolution {
  // A session that is not the token's own (it carries the connection's client certificate, mTLS) is resolved on
  // every call: the certificate belongs to the connection, not to the token.
  if (session !== token.session) return resolveAgainst(serving, token, session);
  let byToken = resolutions.get(serving);
  if (byToken === undefined) {
    byToken = new WeakMap();
    resolutions.set(serving, byToken);
  }
  let resolved = byToken.get(token);
  if (resolved === undefined) {
    resolved = resolveAgainst(serving, token, session);
    byToken.set(token, resolved);
  }
  return resolved;
}

function resolveAgainst(serving: ServingConfig, token: VerifiedToken, session: TokenSession): CallerResolution {
  const { engine } = serving;
  const agent = engine.agentsById.get(session.agentId);
  if (!agent || agent.disabled) return { ok: false, message: "the agent is unknown to this gateway or disabled" };
  if (session.clientCertificate) {
    const problem = certificateAgentProblem(agent, session.clientCertificate);
    if (problem) return { ok: false, message: problem };
  }
  const chain: SnapshotAgent[] = [];
  for (const id of [...session.delegators, agent.id]) {
    const hop = engine.agentsById.get(id);
    if (!hop || hop.disabled) {
      return { ok: false, message: "an agent of the delegation chain is unknown to this gateway or disabled" };
    }
    const previous = chain[chain.length - 1];
    if (previous && !previous.allowedDelegates.includes(hop.id)) {
      return { ok: false, message: `agent ${previous.name} no longer allows ${hop.name} to act for it` };
    }
    if (chain.includes(hop)) return { ok: false, message: "the delegation chain names an agent twice" };
    chain.push(hop);
  }
  const delegators = chain.slice(0, -1);
  // Shared by the session's concurrent calls: frozen, so none can change what another decides on.
  const resolved: CallerResolution = {
    ok: true,
    agent,
    delegators: Object.freeze(delegators),
    delegatorContexts: Object.freeze(delegators.map(agentContextOf)),
    who: Object.freeze({
      agent: agentContextOf(agent),
      operator: Object.freeze(resolveOperator(serving, token)),
      delegation: Object.freeze({
        chain: Object.freeze(chain.map((a) => Object.freeze({ agent: a.name, trust: a.trust, owner: a.owner }))),
        origin: "human" as const,
      }),
      env: Object.freeze({ gateway: engine.resources.groupName }),
    }),
  };
  return Object.freeze(resolved);
}

/**
 * Per caller (a resolution, reused across a session's calls) and policy engine: the list context, and the tools
 * the list phase found it may call. Only "listed" is kept: an evaluation limit can only hide a tool, never list
 * one, so a listed tool is listed without any limit in the way, while a hidden one is decided again next time.
 */
const listings = new WeakMap<
  object,
  { engine: ServingConfig["engine"]; context: ReturnType<typeof buildListContext>; listed: WeakSet<ToolContext> }
>();

/** The list phase for a resolved caller: the tools it (and, when delegated, every delegator) may call. */
export function visibleTools<T extends ToolContext>(
  engine: ServingConfig["engine"],
  caller: Pick<ResolvedCaller, "who" | "delegatorContexts">,
  tools: readonly T[],
): T[] {
  let seen = listings.get(caller);
  if (seen === undefined || seen.engine !== engine) {
    seen = { engine, context: buildListContext(caller.who), listed: new WeakSet() };
    listings.set(caller, seen);
  }
  const { listed } = seen;
  const undecided = tools.filter((tool) => !listed.has(tool));
  if (undecided.length > 0) {
    for (const tool of listToolsForChain(engine.policies, seen.context, caller.delegatorContexts, undecided)) {
      listed.add(tool);
    }
  }
  return tools.filter((tool) => listed.has(tool));
}

/** The decision event of one call, before anything is known beyond the caller. */
export function openDecisionEvent(input: {
  requestId: string;
  protocol: DecisionEvent["protocol"];
  token: VerifiedToken;
  session: TokenSession;
  tool: string;
  configVersion: number;
  source: string | undefined;
}): DecisionEvent {
  const { token, session } = input;
  return {
    type: "decision",
    id: input.requestId,
    request_id: input.requestId,
    protocol: input.protocol,
    session_id: session.id,
    agent_id: session.agentName ?? session.agentId,
    agent_ref: session.agentId,
    client_id: token.clientId,
    operator: token.subject,
    tool: input.tool.slice(0, 256),
    outcome: "internal_error",
    code: "internal_error",
    reason: "",
    latency_us: 0,
    config_version: input.configVersion,
    source: input.source,
    // A delegated session: the chain as the token states it (agent ids, origin first, the caller last).
    ...(session.delegators.length > 0
      ? { delegation_chain: [...session.delegators, session.agentId], parent_session_id: session.parentId }
      : {}),
  };
}

/** SHA-256 (hex) of the arguments' canonical JSON (RFC 8785); a string when they have none (the reason). */
export function argsDigest(args: unknown): { ok: true; sha256: string } | { ok: false; message: string } {
  try {
    return { ok: true, sha256: sha256Hex(canonicalJson(args)) };
  } catch (error) {
    return { ok: false, message: `the arguments have no canonical JSON form: ${(error as Error).message}` };
  }
}

/** Who asks for an approval: the session, the agent (from the snapshot), the operator and the decision id. */
export function approvalAsker(
  token: VerifiedToken,
  session: TokenSession,
  agent: SnapshotAgent,
  who: ListContextInput,
  requestId: string,
): ApprovalAsker {
  return {
    sessionId: session.id,
    agentId: agent.id,
    agentName: agent.name,
    operatorSub: token.subject,
    operatorEmail: who.operator?.email ?? "",
    delegation: who.delegation?.chain ?? [],
    requestEventId: requestId,
  };
}

/** The session ledger's key for a verified session token and its resolved agent. */
export function sessionKeyOf(token: VerifiedToken, session: TokenSession, agentId: string): SessionKey {
  return {
    id: session.id,
    subject: token.subject,
    agentId,
    tokenIssuedAt: token.issuedAt,
    tokenExpiresAt: token.expiresAt,
  };
}

export interface DecideInput {
  engine: ServingConfig["engine"];
  who: ListContextInput;
  /** The delegators' policy views, origin first: each must be allowed the call too. */
  delegators?: readonly AgentContext[];
  /** The tool's policy view and its name as policies and the session history know it. */
  tool: { name: string; context: ToolContext };
  args: JsonObject;
  request: { protocol: string; era: string; source: string };
  /** Told how long each policy evaluation took. */
  metrics?: { policyEvaluated(seconds: number): void } | undefined;
}

/** Why the node itself refuses a call, whatever policy would say. */
export interface NodeRefusal {
  code: "audit_unavailable" | "config_stale";
  message: string;
}

/**
 * Step 5a: the node's own state, once the call is routed (so `sensitive` is known) and before it is counted or
 * decided: a full audit spool refuses what the spool-full policy says, and a control plane silent past the staleness
 * limit refuses sensitive tools under PORTCULLIS_DP_STALE_POLICY=deny_sensitive (R05). `what` names the target in
 * the message ("tool", or "agent" for A2A).
 */
export function nodeRefusal(
  recorder: Pick<DecisionRecorder, "refuses">,
  staleness: Pick<StalenessWatch, "refusesSensitive"> | undefined,
  sensitive: boolean,
  what: "tool" | "agent" = "tool",
): NodeRefusal | undefined {
  if (recorder.refuses(sensitive)) {
    return {
      code: "audit_unavailable",
      message: `the audit spool is full: calls to this ${what} are refused until it drains`,
    };
  }
  const stale = staleness?.refusesSensitive(sensitive);
  return stale === undefined ? undefined : { code: "config_stale", message: stale };
}

/**
 * Step 5b: the gateway group's rate limits (per agent, operator, tool). Runs once the call is routed to a tool the
 * caller may see and before policy, so a refused call is neither decided nor put in the session's history.
 */
export function takeQuota(
  quota: QuotaStore,
  engine: ServingConfig["engine"],
  call: { agentId: string; operator: string; toolId: string; toolName: string },
): Promise<QuotaResult> | QuotaResult {
  const checks = quotaChecksFor(engine.rateLimits, call);
  return checks.length === 0 ? { ok: true } : quota.take(checks);
}

/** Retry-After (whole seconds, at least 1) and the human message of a rate-limited call. */
export function rateLimitedReply(result: Extract<QuotaResult, { code: "rate_limited" }>): {
  retryAfterSeconds: number;
  message: string;
  data: Record<string, unknown>;
} {
  const retryAfterSeconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
  return {
    retryAfterSeconds,
    message: `rate limit exceeded: at most ${result.limit} calls per ${result.windowSeconds} s (${result.scope}); retry after ${retryAfterSeconds} s`,
    data: {
      reason_code: "rate_limited",
      scope: result.scope,
      limit: result.limit,
      window_seconds: result.windowSeconds,
      retry_after_seconds: retryAfterSeconds,
    },
  };
}

/** Step 6: the policy decision for one call, with what the session ledger records of it. */
export function decideCall(input: DecideInput, history: SessionHistory): { record: CallRecord; value: Decision } {
  const startedAt = performance.now();
  const decision = decideForChain(
    input.engine.policies,
    buildCallContext({
      ...input.who,
      tool: input.tool.context,
      args: input.args,
      session: {
        id: history.id,
        started_at: history.startedAt,
        calls: history.calls,
        approvals: history.approvals,
        taints: history.taints,
      },
      request: { ...input.request, time: new Date() },
    }),
    input.delegators ?? [],
  );
  input.metrics?.policyEvaluated((performance.now() - startedAt) / 1000);
  // A granted approval approves one call: the ledger removes it.
  const consumed = decision.approval?.status === "granted" ? decision.approval.grants : undefined;
  return {
    record: {
      tool: input.tool.name,
      decision: decision.outcome,
      args: input.args,
      ...(consumed ? { consumedApprovals: consumed } : {}),
    },
    value: decision,
  };
}

/** What the audit event says about a policy decision. */
export function decisionFields(decision: Decision): Partial<DecisionEvent> {
  return {
    decision: decision.outcome,
    code: decision.code,
    reason: decision.reason,
    adaptable: decision.adaptable,
    policies: decision.deciding,
    evaluated: decision.evaluated.length,
    matched: decision.matched,
    ...(decision.shadow
      ? {
          shadow: {
            outcome: decision.shadow.outcome,
            code: decision.shadow.code,
            differs: decision.shadow.differs,
            matched: decision.shadow.matched,
          },
        }
      : {}),
  };
}

/** Step 7: what the assertion of an allowed call states. */
export function callAssertion(input: {
  upstreamId: string;
  token: VerifiedToken;
  session: TokenSession;
  agent: SnapshotAgent;
  /** The agents the caller acts for, origin first. */
  delegators?: readonly SnapshotAgent[];
  tool: string;
  argsSha256: string;
  decisionId: string;
  configVersion: number;
}): AssertionInput {
  return {
    aud: input.upstreamId,
    sub: input.token.subject,
    act: nestedAct([...(input.delegators ?? []), input.agent]),
    sid: input.session.id,
    tool: input.tool,
    args_sha256: input.argsSha256,
    decision_id: input.decisionId,
    config_version: input.configVersion,
  };
}

/** RFC 8693 §4.1 nested `act` for a chain given origin first: the acting agent outermost. */
export function nestedAct(chain: readonly Pick<SnapshotAgent, "id" | "name">[]): AssertionAct {
  let act: AssertionAct | undefined;
  for (const a of chain) act = { sub: a.id, name: a.name, ...(act ? { act } : {}) };
  if (!act) throw new Error("an assertion needs the acting agent");
  return act;
}
