// The request path's "record" step: one `decision` audit event per call, appended to the spool (durably for
// sensitive tools, before the response is released), and the spool-full policy. Nothing is dropped silently: an
// event the full spool refuses is counted by the spool's own overflow record, and a sensitive call is refused.

import { isEgressBlocked } from "../lib/egress-pool.ts";
import type { Logger } from "../log.ts";
import type { AuditSpool } from "./spool.ts";

export type SpoolFullPolicy = "deny_sensitive" | "deny_all";

/** What the gateway did with a call. */
export type CallOutcome =
  | "ok"
  | "denied"
  | "approval_required"
  | "approval_pending"
  | "approval_rejected"
  | "approval_expired"
  | "approval_unavailable"
  | "unknown_tool"
  | "agent_not_allowed"
  | "invalid_request"
  | "invalid_arguments"
  | "session_refused"
  | "rate_limited"
  | "quota_unavailable"
  | "audit_unavailable"
  | "config_stale"
  | "upstream_timeout"
  | "upstream_error"
  | "cancelled"
  | "internal_error";

/** One decision event. `id` is the decision id (UUIDv7) the response and the assertion carry. */
export interface DecisionEvent {
  type: "decision";
  id: string;
  /** Stamped by the spool when the event is appended. */
  at?: string;
  request_id: string;
  protocol: "http-tools" | "mcp" | "a2a";
  /** MCP: the protocol version the call came in (2025-11-25, 2025-06-18 or 2026-07-28), as policy saw it. */
  era?: string;
  session_id: string;
  /** The agent's name (what people and policies use); `agent_ref` is its id in the snapshot. */
  agent_id: string;
  agent_ref?: string;
  /** A delegated session's chain: agent ids, origin first, the calling agent last. */
  delegation_chain?: readonly string[];
  /** A delegated session's parent (the delegating agent's session). */
  parent_session_id?: string | undefined;
  client_id?: string;
  /** The operator's subject. */
  operator: string;
  tool: string;
  tool_id?: string;
  tool_hash?: string;
  upstream?: string;
  /** The policy outcome, when policy decided. */
  decision?: "allow" | "deny" | "require_approval";
  outcome: CallOutcome;
  code: string;
  reason: string;
  adaptable?: boolean;
  policies?: readonly string[];
  evaluated?: number;
  matched?: readonly string[];
  shadow?: { outcome: string; code: string; differs: boolean; matched: readonly string[] };
  args_sha256?: string;
  /** The approval a held or approved call is linked to (request → approval → execution), and where it stood. */
  approval_id?: string;
  approval_status?: "granted" | "pending" | "rejected" | "expired" | "unavailable" | "unsatisfiable";
  approved_by?: string;
  upstream_status?: number;
  upstream_error?: string;
  /** The whole call, from the request's arrival to the answer. */
  latency_us: number;
  /** Of `latency_us`, the time spent waiting on the upstream (absent when the call was not forwarded). */
  upstream_latency_us?: number;
  config_version: number;
  source?: string;
}

export interface DecisionRecorder {
  /** True when the spool-full policy refuses this call now (checked before deciding or forwarding). */
  refuses(sensitive: boolean): boolean;
  /** Appends the event (waiting for fsync when durable). Resolves false when it could not be recorded. */
  record(event: DecisionEvent, durable: boolean): Promise<boolean>;
  /** Appends an event of another type (for example `tool_definition_changed`), durably. False when not recorded. */
  recordEvent(event: { type: string; id: string } & Record<string, unknown>): Promise<boolean>;
}

export interface RecordObserver {
  decision(event: DecisionEvent, recorded: boolean): void;
  auditEvent(event: { type: string } & Record<string, unknown>, recorded: boolean): void;
}

export function createDecisionRecorder(options: {
  spool: Pick<AuditSpool, "append">;
  spoolFull: () => boolean;
  policy: SpoolFullPolicy;
  logger: Logger;
  /** Sees every event once it is appended or refused (metrics, the access log); must not throw. */
  observer?: RecordObserver;
}): DecisionRecorder {
  const { spool, logger, observer } = options;
  return {
    refuses: (sensitive) => options.spoolFull() && (sensitive || options.policy === "deny_all"),
    async recordEvent(event) {
      try {
        await options.spool.append(event, { durable: true });
        observer?.auditEvent(event, true);
        return true;
      } catch (error) {
        logger.error({ err: (error as Error).message, type: event.type, id: event.id }, "audit event not recorded");
        observer?.auditEvent(event, false);
        return false;
      }
    },
    async record(event, durable) {
      if (isEgressBlocked(event.upstream_error)) {
        // T11: the node refused to connect where an upstream URL (or its name's addresses) pointed; the agent got a
        // generic upstream error, the trail gets the code and the security log an alert.
        event.code = "egress_blocked";
        logger.warn(
          { requestId: event.request_id, upstream: event.upstream, tool: event.tool, reason: event.upstream_error },
          "ALERT: an upstream connection to a forbidden address was refused",
        );
      }
      const clean: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(event)) if (value !== undefined) clean[key] = value;
      try {
        await spool.append(clean as DecisionEvent & { [field: string]: unknown }, { durable });
        observer?.decision(event, true);
        return true;
      } catch (error) {
        // A SpoolFullError is counted by the spool (its next record says how many it refused); anything else
        // (a closed spool, a failed fsync) is logged here. Either way the caller decides what the client gets.
        logger.error(
          { err: (error as Error).message, decisionId: event.id, tool: event.tool, outcome: event.outcome, durable },
          "audit event not recorded",
        );
        observer?.decision(event, false);
        return false;
      }
    },
  };
}
