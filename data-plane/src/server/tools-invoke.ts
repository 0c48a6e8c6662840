// POST /tools/{tool}/invoke: one HTTP tool call, read top to bottom as the hot path's pipeline:
// accept → authenticate → parse → resolve → route → decide → forward → record. Authentication comes before the
// body is read so that unauthenticated callers cost no parsing. Once the caller is known, every answer is
// recorded as exactly one `decision` audit event whose id the response carries in Portcullis-Decision-Id.
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { JsonObject } from "@portcullis/policy";
import {
  type ApprovalClient,
  type ApprovalGateSettings,
  approvalFields,
  DEFAULT_APPROVAL_TIMEOUT_MS,
  decideWithHold,
  describeApproval,
} from "../approvals/approval-gate.ts";
import type { MintAssertion } from "../assertions/mint-assertion.ts";
import type { CallOutcome, DecisionEvent, DecisionRecorder } from "../audit/record-decision.ts";
import { callUpstream, type UpstreamResult } from "../http-tools/call-upstream.ts";
import { planRequest } from "../http-tools/http-mapping.ts";
import type { Logger } from "../log.ts";
import type { QuotaStore } from "../quota/quota-store.ts";
import type { SessionLedger } from "../session/ledger.ts";
import { DP_VERSION } from "../version.ts";
import { newRequestId } from "./access-log.ts";
import {
  approvalAsker,
  argsDigest,
  authenticateCaller,
  callAssertion,
  type DecideInput,
  decisionFields,
  nodeRefusal,
  openDecisionEvent,
  rateLimitedReply,
  resolveCaller,
  sessionKeyOf,
  takeQuota,
  visibleTools,
} from "./call-steps.ts";
import { checkBodyHeaders, readJsonBody } from "./read-body.ts";
import { bearerChallenge, ERROR_STATUS, type ErrorCode, errorBody, sendError, sendJson } from "./replies.ts";
import type { ServingConfig } from "./serving-config.ts";
import type { StalenessWatch } from "./staleness.ts";

export interface HttpToolsSettings {
  maxBodyBytes: number;
  maxResponseBytes: number;
  upstreamTimeoutMs: number;
}

export interface ToolsInvokeDeps {
  ledger: SessionLedger;
  /** Past the staleness limit with PORTCULLIS_DP_STALE_POLICY=deny_sensitive, sensitive calls are refused (R05). */
  staleness?: Pick<StalenessWatch, "refusesSensitive">;
  quota: QuotaStore;
  /** The control plane's approval service (absent: approval-gated calls fail closed with approval_unavailable). */
  approvals?: { client: ApprovalClient | undefined; settings: ApprovalGateSettings };
  recorder: DecisionRecorder;
  mintAssertion: MintAssertion;
  settings: HttpToolsSettings;
  /** Told how long each policy evaluation takes (the node's metrics). */
  metrics?: DecideInput["metrics"];
  logger: Logger;
}

/** What to send back; `body` is a value to serialize or JSON bytes to send as they are. */
interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  close?: boolean;
}

const errorReply = (code: ErrorCode, message: string, requestId: string, extra?: Record<string, unknown>): Reply => ({
  status: ERROR_STATUS[code],
  body: errorBody(code, message, requestId, extra),
});

const LEDGER_REFUSAL_HEADERS: Partial<Record<ErrorCode, Record<string, string>>> = {
  session_expired: { "www-authenticate": bearerChallenge({ code: "invalid_token", description: "session expired" }) },
};

export type InvokeTool = (
  serving: ServingConfig,
  req: IncomingMessage,
  res: ServerResponse,
  toolName: string,
) => Promise<void>;

export function createToolsInvoke(deps: ToolsInvokeDeps): InvokeTool {
  const { ledger, recorder, settings, logger } = deps;

  return async function invokeTool(serving, req, res, toolName) {
    const startedAt = performance.now();
    const requestId = newRequestId();
    const { engine } = serving;

    // 1. Accept: what the headers alone can refuse, before anything is read or verified.
    const headerProblem = checkBodyHeaders(req, settings.maxBodyBytes);
    if (headerProblem) {
      sendError(res, headerProblem.code as ErrorCode, headerProblem.message, requestId, { close: true });
      return;
    }

    // 2. Authenticate: a control-plane session token (verified once, then cached).
    const auth = await authenticateCaller(serving, req);
    if (!auth.ok) {
      const challenge =
        auth.code === "unauthenticated"
          ? bearerChallenge()
          : bearerChallenge({ code: "invalid_token", description: auth.message });
      sendError(res, auth.code, auth.message, requestId, { close: true, headers: { "www-authenticate": challenge } });
      return;
    }
    const { token, session } = auth;

    // From here on the caller is known: every answer is recorded, exactly once, by conclude().
    const event = openDecisionEvent({
      requestId,
      protocol: "http-tools",
      token,
      session,
      tool: toolName,
      configVersion: engine.version,
      source: req.socket.remoteAddress,
    });
    let sensitive = false;
    let concluded = false;
    // Set when the call is forwarded: what follows is the upstream's time.
    let forwardedAt: number | undefined;
    const conclude = async (reply: Reply | undefined, fields: Partial<DecisionEvent>): Promise<void> => {
      if (concluded) return;
      concluded = true;
      Object.assign(event, fields);
      const now = performance.now();
      event.latency_us = Math.round((now - startedAt) * 1000);
      if (forwardedAt !== undefined) event.upstream_latency_us = Math.round((now - forwardedAt) * 1000);
      const recorded = await recorder.record(event, sensitive);
      let answer = reply;
      if (!recorded && sensitive && answer) {
        // Sensitive tools release nothing that is not on the audit record.
        const executed = event.upstream_status !== undefined || event.outcome === "upstream_timeout";
        answer = errorReply(
          "audit_unavailable",
          executed
            ? "the call could not be recorded in the audit trail, so its result is withheld (the tool may have run)"
            : "the call could not be recorded in the audit trail, so it was not executed",
          requestId,
        );
      }
      if (!answer) return;
      sendJson(res, answer.status, answer.body, {
        close: answer.close ?? false,
        headers: { ...answer.headers, ...(recorded ? { "portcullis-decision-id": requestId } : {}) },
      });
    };
    /** Answers with an error and records it, the error's code and message doubling as the event's. */
    const refuse = (code: ErrorCode, message: string, outcome: CallOutcome, reply: Partial<Reply> = {}) =>
      conclude({ ...errorReply(code, message, requestId), ...reply }, { outcome, code, reason: message });

    try {
      // 3. Parse: strict JSON (no duplicate keys, bounded depth), exactly the value policy sees and the upstream gets.
      const body = await readJsonBody(req, { maxBytes: settings.maxBodyBytes });
      if (!body.ok) {
        if (body.code === "client_aborted")
          return conclude(undefined, { outcome: "cancelled", code: "cancelled", reason: body.message });
        const code =
          body.code === "payload_too_large"
            ? "payload_too_large"
            : body.code === "invalid_json"
              ? "invalid_json"
              : "unsupported_media_type";
        return refuse(code, body.message, "invalid_request", { close: code === "payload_too_large" });
      }
      const args = body.value;
      if (args === null || typeof args !== "object" || Array.isArray(args)) {
        return refuse(
          "invalid_json",
          "the request body must be a JSON object of the tool's arguments",
          "invalid_request",
        );
      }
      const digest = argsDigest(args);
      if (!digest.ok) return refuse("invalid_json", digest.message, "invalid_request");
      const argsSha256 = digest.sha256;
      event.args_sha256 = argsSha256;

      // 4. Resolve: the agent (from the snapshot, never from the token's say-so), the operator and the delegation.
      const caller = resolveCaller(serving, token, session);
      if (!caller.ok) return refuse("agent_not_allowed", caller.message, "agent_not_allowed");
      const { agent, who } = caller;
      event.agent_id = agent.name;

      // 5. Route: an active HTTP tool this caller may see. Unknown, hidden, quarantined: the same answer.
      const route = serving.tools.byName.get(toolName);
      if (!route || visibleTools(engine, caller, [route.toolContext]).length === 0) {
        return refuse("unknown_tool", `Unknown tool: ${toolName}`, "unknown_tool");
      }
      sensitive = route.tool.sensitive;
      Object.assign(event, {
        tool: route.tool.name,
        tool_id: route.tool.id,
        tool_hash: route.tool.pinnedHash,
        upstream: route.upstream.id,
      });
      const planned = planRequest(route.mapping, args as Record<string, unknown>);
      if (!planned.ok) return refuse("invalid_arguments", planned.message, "invalid_arguments");
      const held = nodeRefusal(recorder, deps.staleness, sensitive);
      if (held) return refuse(held.code, held.message, held.code);
      const quota = await takeQuota(deps.quota, engine, {
        agentId: agent.id,
        operator: token.subject,
        toolId: route.tool.id,
        toolName: route.tool.name,
      });
      if (!quota.ok) {
        if (quota.code === "quota_unavailable") return refuse("quota_unavailable", quota.message, "quota_unavailable");
        const limited = rateLimitedReply(quota);
        return conclude(
          {
            ...errorReply("rate_limited", limited.message, requestId, limited.data),
            headers: { "retry-after": String(limited.retryAfterSeconds) },
          },
          { outcome: "rate_limited", code: "rate_limited", reason: limited.message },
        );
      }

      // 6. Decide: policy against the session's history (and, when a policy holds the call, the approval step);
      // the call is recorded in the same critical section.
      const cancelled = new AbortController();
      res.once("close", () => {
        if (!res.writableFinished) cancelled.abort();
      });
      const decided = await decideWithHold({
        ledger,
        key: sessionKeyOf(token, session, agent.id),
        input: {
          engine,
          who,
          delegators: caller.delegatorContexts,
          tool: { name: route.tool.name, context: route.toolContext },
          args: args as JsonObject,
          request: { protocol: "http", era: "http-tools", source: req.socket.remoteAddress ?? "" },
          metrics: deps.metrics,
        },
        client: deps.approvals?.client,
        asker: approvalAsker(token, session, agent, who, requestId),
        settings: deps.approvals?.settings ?? { holdMs: 0, timeoutMs: DEFAULT_APPROVAL_TIMEOUT_MS },
        signal: cancelled.signal,
      });
      if (!decided.ok) {
        const headers = LEDGER_REFUSAL_HEADERS[decided.code] ?? {};
        return refuse(decided.code, decided.message, "session_refused", { headers });
      }
      const { decision, approval } = decided.value;
      Object.assign(event, decisionFields(decision), approvalFields(approval));
      if (decision.outcome === "deny") {
        const extra = { reason_code: decision.code, adaptable: decision.adaptable };
        return conclude(errorReply("denied", decision.reason, requestId, extra), { outcome: "denied" });
      }
      if (decision.outcome === "require_approval") {
        const held = describeApproval(
          approval && approval.kind !== "granted"
            ? approval
            : { kind: "unavailable", message: "the approval step gave no answer: the call was not executed" },
          decision.reason,
        );
        const extra = { reason_code: decision.code, ...held.data };
        const outcome = held.code === "denied" ? "denied" : held.code;
        return conclude(errorReply(held.code, held.message, requestId, extra), { outcome, reason: held.message });
      }

      // 7. Forward: the planned request with the minted assertion and the upstream's own credential, nothing else.
      const request = planned.request;
      const assertion = deps.mintAssertion(
        callAssertion({
          upstreamId: route.upstream.id,
          token,
          session,
          agent,
          delegators: caller.delegators,
          tool: route.tool.name,
          argsSha256,
          decisionId: requestId,
          configVersion: engine.version,
        }),
      );
      const headers: Record<string, string> = {
        ...request.headers,
        accept: "application/json",
        "user-agent": `portcullis-dp/${DP_VERSION}`,
        "portcullis-assertion": assertion,
        ...(route.upstream.credential === null ? { authorization: `Bearer ${assertion}` } : {}),
        ...route.credentialHeaders,
      };
      if (request.body !== undefined) headers["content-type"] = "application/json";
      // Cancellation propagates: a client that is gone (or goes) aborts the upstream request.
      const cancel = new AbortController();
      if (res.closed || res.destroyed) cancel.abort();
      else
        res.once("close", () => {
          if (!res.writableFinished) cancel.abort();
        });
      forwardedAt = performance.now();
      const result = await callUpstream({
        dispatcher: route.pool,
        method: request.method,
        path: `${route.basePath}${request.path}`,
        headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
        timeoutMs: settings.upstreamTimeoutMs,
        maxResponseBytes: settings.maxResponseBytes,
        cancel: cancel.signal,
      });

      // 8. Record, then answer.
      return conclude(...relay(result, requestId, settings.upstreamTimeoutMs));
    } catch (error) {
      logger.error({ err: (error as Error).message, requestId, tool: toolName }, "tool call failed unexpectedly");
      return refuse("internal_error", "internal error", "internal_error");
    }
  };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const lossyUtf8 = new TextDecoder("utf-8");

/** The upstream's answer as the client gets it, and what the audit event says about it. */
function relay(
  result: UpstreamResult,
  requestId: string,
  timeoutMs: number,
): [Reply | undefined, Partial<DecisionEvent>] {
  switch (result.kind) {
    case "timeout": {
      const message = `the upstream did not answer within ${timeoutMs} ms`;
      return [errorReply("upstream_timeout", message, requestId), { outcome: "upstream_timeout" }];
    }
    case "cancelled":
      return [undefined, { outcome: "cancelled" }];
    case "error":
      return [
        errorReply("upstream_error", "the upstream failed to answer", requestId),
        { outcome: "upstream_error", upstream_error: result.reason },
      ];
    case "response": {
      const { status, body, contentType } = result;
      const failed = (why: string): [Reply, Partial<DecisionEvent>] => [
        errorReply("upstream_error", `the upstream's answer was not usable: ${why}`, requestId),
        { outcome: "upstream_error", upstream_status: status, upstream_error: why },
      ];
      const outcome = status >= 500 ? "upstream_error" : "ok";
      if (status < 200) return failed(`unexpected status ${status}`);
      if (body.length === 0)
        return [
          { status, body },
          { outcome, upstream_status: status },
        ];
      const media = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
      if (media === "application/json" || media.endsWith("+json")) {
        try {
          JSON.parse(utf8.decode(body));
        } catch {
          return failed("invalid JSON");
        }
        return [
          { status, body },
          { outcome, upstream_status: status },
        ];
      }
      if (status >= 500) return failed(`status ${status} with a non-JSON body`);
      const wrapped = { content_type: contentType.slice(0, 200), text: lossyUtf8.decode(body) };
      return [
        { status, body: wrapped },
        { outcome, upstream_status: status },
      ];
    }
  }
}
