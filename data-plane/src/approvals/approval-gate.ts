// The approval step of a tool call. A call a require_approval policy holds asks the control plane
// (ApprovalService) for an approval bound to the exact call: session, agent, operator, tool and the canonical
// digest of the arguments. The control plane consumes an approved one atomically, so the call that gets
// "approved" back is the one execution that approval allows; the node then decides again with the grant in the
// session's approvals (policies see it as `session.approvals`). Anything but a clear answer fails closed:
// an unreachable control plane answers approval_unavailable, never "pending forever" and never "allowed".
import type * as grpc from "@grpc/grpc-js";
import type { ApprovalGrant, Decision, JsonObject } from "@portcullis/policy";
import type {
  ApprovalAnswer__Output,
  ApprovalRequest,
  ApprovalServiceClient,
  ApprovalStatus__Output,
} from "@portcullis/proto";
import type { NodeCredentials } from "../identity/node-identity.ts";
import { type DecideInput, decideCall } from "../server/call-steps.ts";
import type { LedgerResult, SessionHistory, SessionKey, SessionLedger } from "../session/ledger.ts";

/** What the approval step concluded for one call. */
export type ApprovalOutcome =
  /** Approved and consumed for this call: it executes now, once. */
  | { kind: "granted"; answer: ApprovalAnswer__Output }
  | { kind: "pending" | "rejected" | "expired"; answer: ApprovalAnswer__Output }
  /** The control plane could not be asked or did not answer clearly: fail closed. */
  | { kind: "unavailable"; message: string }
  /** The policies' approvers cannot be satisfied by one approval (or failed to evaluate): fail closed. */
  | { kind: "unsatisfiable"; message: string };

export interface ApprovalGateSettings {
  /** How long a pending call is held open waiting for a decision (0: answer pending at once). */
  holdMs: number;
  /** Upper bound for the whole approval step of one call, control-plane round trips included. */
  timeoutMs: number;
  /** Poll interval while holding (default 500 ms). */
  pollMs?: number;
}

export const DEFAULT_APPROVAL_TIMEOUT_MS = 10_000;

/** The node's ApprovalService client. */
export interface ApprovalClient {
  request(request: ApprovalRequest, deadlineMs: number): Promise<ApprovalAnswer__Output>;
  get(approvalId: string, sessionId: string, deadlineMs: number): Promise<ApprovalAnswer__Output>;
}

export function createApprovalClientOf(client: ApprovalServiceClient, credentials: NodeCredentials): ApprovalClient {
  const deadline = (ms: number) => ({ deadline: new Date(Date.now() + Math.max(1, ms)) });
  const unary = <T>(run: (cb: (err: grpc.ServiceError | null, value?: T) => void) => void) =>
    new Promise<T>((resolve, reject) =>
      run((err, value) => (err || value === undefined ? reject(err ?? new Error("empty answer")) : resolve(value))),
    );
  return {
    request: (request, ms) =>
      unary<ApprovalAnswer__Output>((cb) => client.RequestApproval(request, credentials(), deadline(ms), cb)),
    get: (approvalId, sessionId, ms) =>
      unary<ApprovalAnswer__Output>((cb) =>
        client.GetApproval({ approvalId, sessionId }, credentials(), deadline(ms), cb),
      ),
  };
}

/** Who the call acts for and through which agent, as the approval request states it. */
export interface ApprovalAsker {
  sessionId: string;
  agentId: string;
  agentName: string;
  operatorSub: string;
  operatorEmail: string;
  delegation: readonly unknown[];
  requestEventId: string;
}

/** The approval request of a held decision: one approval covers every require_approval policy that matched. */
export function approvalPlan(
  decision: Decision,
): { ok: true; policies: string[]; approvers: string[] } | { ok: false; message: string } {
  if (decision.approval?.status !== "required") return { ok: false, message: "the decision holds no approval" };
  const { requests } = decision.approval;
  const failed = decision.errors.find(
    (e) => e.message.startsWith("approvers:") && requests.some((r) => r.policy === e.policy),
  );
  if (failed) {
    return {
      ok: false,
      message: `the approvers of policy '${failed.policy}' could not be evaluated: the call is refused`,
    };
  }
  // Each policy that names approvers must accept the one who decides: intersect the non-empty lists.
  let approvers: string[] | undefined;
  for (const r of requests) {
    if (r.approvers.length === 0) continue;
    approvers = approvers === undefined ? [...r.approvers] : approvers.filter((a) => r.approvers.includes(a));
  }
  if (approvers !== undefined && approvers.length === 0) {
    return {
      ok: false,
      message: "no single approver satisfies every approval policy that matched: the call is refused",
    };
  }
  return { ok: true, policies: requests.map((r) => r.policy), approvers: approvers ?? [] };
}

export interface DecidedWithApproval {
  decision: Decision;
  /** Present when the call was held for approval. */
  approval?: ApprovalOutcome;
}

/**
 * Step 6 with approvals, run inside the session ledger's critical section: decide; when a require_approval policy
 * holds the call, ask the control plane (which consumes an approved approval of this exact call); when granted,
 * decide again with the grant among the session's approvals, so the recorded decision is the approved one.
 */
export async function decideWithApproval(
  input: DecideInput,
  history: SessionHistory,
  client: ApprovalClient | undefined,
  asker: ApprovalAsker,
  deadlineMs: number,
): Promise<{ record: ReturnType<typeof decideCall>["record"]; value: DecidedWithApproval }> {
  const first = decideCall(input, history);
  const decision = first.value;
  if (decision.outcome !== "require_approval" || decision.approval?.status !== "required") {
    return { record: first.record, value: { decision } };
  }
  const held = (approval: ApprovalOutcome) => ({ record: first.record, value: { decision, approval } });
  const plan = approvalPlan(decision);
  if (!plan.ok) return held({ kind: "unsatisfiable", message: plan.message });
  if (!client) return held({ kind: "unavailable", message: "this node has no connection to the approval service" });
  let answer: ApprovalAnswer__Output;
  try {
    answer = await client.request(
      {
        sessionId: asker.sessionId,
        agentId: asker.agentId,
        agentName: asker.agentName,
        operatorSub: asker.operatorSub,
        operatorEmail: asker.operatorEmail,
        tool: input.tool.name,
        argsDigest: decision.approval.args_digest,
        argsJson: JSON.stringify(input.args),
        policyId: plan.policies[0] ?? "",
        approvers: plan.approvers,
        reason: decision.reason,
        requestEventId: asker.requestEventId,
        delegationJson: JSON.stringify(asker.delegation),
      },
      deadlineMs,
    );
  } catch (error) {
    return held({ kind: "unavailable", message: unavailableMessage(error) });
  }
  const kind = outcomeKind(answer.status);
  if (kind !== "granted") {
    return held(
      kind === "unavailable" ? { kind, message: "the approval service gave no usable answer" } : { kind, answer },
    );
  }
  const at = answer.decidedAt ? new Date(answer.decidedAt) : new Date();
  const grants: ApprovalGrant[] = plan.policies.map((policy) => ({
    id: answer.approvalId,
    tool: input.tool.name,
    args_digest: decision.approval?.args_digest ?? "",
    approver: answer.approvedAs || answer.decidedBy,
    policy,
    at,
  }));
  const second = decideCall(input, { ...history, approvals: [...history.approvals, ...grants] });
  return { record: second.record, value: { decision: second.value, approval: { kind: "granted", answer } } };
}

function outcomeKind(status: ApprovalStatus__Output): "granted" | "pending" | "rejected" | "expired" | "unavailable" {
  switch (status) {
    case "APPROVAL_STATUS_APPROVED":
      return "granted";
    case "APPROVAL_STATUS_PENDING":
      return "pending";
    case "APPROVAL_STATUS_REJECTED":
      return "rejected";
    case "APPROVAL_STATUS_EXPIRED":
      return "expired";
    default:
      return "unavailable";
  }
}

function unavailableMessage(error: unknown): string {
  const code = (error as { code?: number }).code;
  // 4 = DEADLINE_EXCEEDED, 14 = UNAVAILABLE: the control plane is down or slow; anything else is a refusal.
  if (code === 4) return "the approval service did not answer in time: the call was not executed";
  return "the approval service cannot be reached: the call was not executed";
}

/**
 * Holds a pending call open (bounded) until a person decides. Answers "approved" when it may be retried now (the
 * caller then runs the decision again, which consumes the approval), or the final state, or "pending" when the
 * hold ran out. A control-plane failure while holding fails closed.
 */
export async function holdForDecision(
  client: ApprovalClient,
  approvalId: string,
  sessionId: string,
  untilMs: number,
  pollMs: number,
  signal: AbortSignal,
): Promise<"approved" | "pending" | "rejected" | "expired" | "consumed" | "unavailable"> {
  while (!signal.aborted) {
    const remaining = untilMs - Date.now();
    if (remaining <= 0) return "pending";
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(pollMs, remaining));
      signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
    if (signal.aborted) break;
    let answer: ApprovalAnswer__Output;
    try {
      answer = await client.get(approvalId, sessionId, Math.max(1, Math.min(5_000, untilMs - Date.now())));
    } catch {
      return "unavailable";
    }
    switch (answer.status) {
      case "APPROVAL_STATUS_PENDING":
        continue;
      case "APPROVAL_STATUS_DECIDED_APPROVED":
        return "approved";
      case "APPROVAL_STATUS_REJECTED":
        return "rejected";
      case "APPROVAL_STATUS_EXPIRED":
        return "expired";
      case "APPROVAL_STATUS_CONSUMED":
        return "consumed";
      default:
        return "unavailable";
    }
  }
  return "pending";
}

/** What the agent is told about a held call: stable code, human message, and where it is decided. */
export function describeApproval(
  outcome: Exclude<ApprovalOutcome, { kind: "granted" }>,
  reason: string,
): {
  code: "approval_pending" | "approval_rejected" | "approval_expired" | "approval_unavailable" | "denied";
  message: string;
  data: JsonObject;
} {
  switch (outcome.kind) {
    case "pending": {
      const a = outcome.answer;
      return {
        code: "approval_pending",
        message: `${reason}. The call was not executed: approval ${a.approvalId} is pending; decide at ${a.decideUrl}, then retry the identical call before ${a.expiresAt}`,
        data: { approval_id: a.approvalId, approve_url: a.decideUrl, expires_at: a.expiresAt, status: "pending" },
      };
    }
    case "rejected": {
      const a = outcome.answer;
      const by = a.decidedBy ? ` by ${a.decidedBy}` : "";
      const comment = a.comment ? ` (${a.comment})` : "";
      return {
        code: "approval_rejected",
        message: `approval ${a.approvalId} was rejected${by}${comment}: the call was not executed`,
        data: { approval_id: a.approvalId, status: "rejected", decided_by: a.decidedBy, comment: a.comment },
      };
    }
    case "expired": {
      const a = outcome.answer;
      return {
        code: "approval_expired",
        message: `approval ${a.approvalId} expired at ${a.expiresAt} without being used: the call was not executed`,
        data: { approval_id: a.approvalId, status: "expired", expires_at: a.expiresAt },
      };
    }
    case "unavailable":
      return { code: "approval_unavailable", message: outcome.message, data: { status: "unavailable" } };
    case "unsatisfiable":
      return { code: "denied", message: outcome.message, data: { status: "unsatisfiable" } };
  }
}

/** What the audit event says about the approval step. */
export function approvalFields(outcome: ApprovalOutcome | undefined): Record<string, string> {
  if (!outcome) return {};
  if (outcome.kind === "unavailable" || outcome.kind === "unsatisfiable") return { approval_status: outcome.kind };
  return {
    approval_id: outcome.answer.approvalId,
    approval_status: outcome.kind,
    ...(outcome.kind === "granted" ? { approved_by: outcome.answer.decidedBy } : {}),
  };
}

/**
 * Step 6 for both transports: decide (with the approval step) in the session's critical section; when the call
 * is pending and holding is configured, wait outside the critical section (bounded) for a decision and, once
 * someone decided, decide again (which consumes an approval or reports the final state).
 */
export async function decideWithHold(options: {
  ledger: SessionLedger;
  key: SessionKey;
  input: DecideInput;
  client: ApprovalClient | undefined;
  asker: ApprovalAsker;
  settings: ApprovalGateSettings;
  signal: AbortSignal;
}): Promise<LedgerResult<DecidedWithApproval>> {
  const { ledger, key, input, client, asker, settings } = options;
  const until = Date.now() + settings.timeoutMs;
  // Each round trip gets what is left of the budget, at least 1 s, and never more than the session lock allows.
  const rpcBudget = () => Math.min(3_000, Math.max(1_000, until - Date.now()));
  const run = () =>
    ledger.decideAndRecord(key, (history) => decideWithApproval(input, history, client, asker, rpcBudget()));
  const first = await run();
  const approval = first.ok ? first.value.approval : undefined;
  if (!first.ok || settings.holdMs <= 0 || !client || approval?.kind !== "pending") return first;
  const holdUntil = Math.min(Date.now() + settings.holdMs, until);
  const state = await holdForDecision(
    client,
    approval.answer.approvalId,
    asker.sessionId,
    holdUntil,
    settings.pollMs ?? 500,
    options.signal,
  );
  if (state === "pending") return first;
  if (state === "unavailable") {
    const message = "the approval service cannot be reached while holding the call: the call was not executed";
    return { ok: true, value: { decision: first.value.decision, approval: { kind: "unavailable", message } } };
  }
  return run();
}
