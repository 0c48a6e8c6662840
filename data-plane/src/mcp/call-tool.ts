// tools/list and tools/call of an MCP virtual server, for both eras: the list phase of policy, and one call through
// the HTTP tools' pipeline (src/server/call-steps.ts): route, quota, decide with the session ledger (and the
// approval step), forward with the minted assertion over the gateway session's upstream MCP session, relay
// progress as SSE, one audit event per call. What differs between eras comes in as an EraShape: how results and
// the gateway's error codes look on the wire, and the 2026-07-28 Mcp-Param-{name} header checks.
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { JsonObject } from "@portcullis/policy";
import { uuidv7 } from "@portcullis/proto";
import {
  approvalFields,
  DEFAULT_APPROVAL_TIMEOUT_MS,
  decideWithHold,
  describeApproval,
} from "../approvals/approval-gate.ts";
import type { CallOutcome, DecisionEvent } from "../audit/record-decision.ts";
import {
  approvalAsker,
  argsDigest,
  callAssertion,
  decisionFields,
  nodeRefusal,
  openDecisionEvent,
  type ResolvedCaller,
  rateLimitedReply,
  sessionKeyOf,
  type TokenSession,
  takeQuota,
  visibleTools,
} from "../server/call-steps.ts";
import { sendJson } from "../server/replies.ts";
import type { ServingConfig } from "../server/serving-config.ts";
import { type Id, isObject, RPC, type RpcError, rpcError, rpcResult, sseEvent } from "./json-rpc.ts";
import type { McpEndpointDeps } from "./mcp-endpoint.ts";
import type { McpSession } from "./sessions.ts";
import {
  callUpstreamTool,
  initializeUpstream,
  listUpstreamTools,
  type UpstreamCallOptions,
  type UpstreamExchange,
  type UpstreamSession,
} from "./upstream-client.ts";
import type { McpToolRoute, VirtualServer } from "./virtual-servers.ts";

/** What one era changes in tools/call: the wire shape of results and errors, and its own argument checks. */
export interface EraShape {
  /** A result as the era sends it (2026-07-28: `resultType` and the server's identity in `_meta`). */
  result(result: Record<string, unknown>): Record<string, unknown>;
  /** An error as the era sends it (2026-07-28 renumbers some gateway codes and upstream codes it forbids). */
  error(error: RpcError, from: "gateway" | "upstream"): RpcError;
  /** Headers added to an SSE answer. */
  sseHeaders: Record<string, string>;
  /** Checks of the routed call before it is decided (2026-07-28: Mcp-Param-{name} headers); an error to send. */
  checkCall?(route: McpToolRoute, args: Record<string, unknown>): RpcError | undefined;
}

/** The 2025 era: results and codes exactly as the gateway always sent them. */
export const LEGACY_SHAPE: EraShape = {
  result: (result) => result,
  error: (error) => error,
  sseHeaders: {},
};

export interface ToolCall {
  serving: ServingConfig;
  virtualServer: VirtualServer;
  caller: ResolvedCaller;
  token: Parameters<typeof sessionKeyOf>[0];
  tokenSession: TokenSession;
  /** The gateway MCP session: its upstream sessions, and its protocol version (the era policy and audit see). */
  session: McpSession;
  shape: EraShape;
  id: Id;
  params: Record<string, unknown>;
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
}

export function createMcpTools(deps: McpEndpointDeps) {
  const { ledger, recorder, settings, logger } = deps;

  function listTools(serving: ServingConfig, server: VirtualServer, caller: ResolvedCaller) {
    const visible = visibleTools(serving.engine, caller, server.toolContexts);
    const out: Record<string, unknown>[] = [];
    for (const context of visible) {
      const route = server.byContext.get(context);
      if (!route || deps.pins.isQuarantined(route.tool.id, route.tool.pinnedHash)) continue;
      const { tool } = route;
      out.push({
        name: route.exposedName,
        description: tool.description,
        inputSchema: tool.inputSchema,
        ...(Object.keys(tool.annotations ?? {}).length > 0 ? { annotations: tool.annotations } : {}),
      });
    }
    return out;
  }

  async function callTool(c: ToolCall): Promise<void> {
    const startedAt = performance.now();
    const { serving, caller, token, tokenSession, id, params, req, res, requestId } = c;
    const { engine } = serving;
    const name = typeof params.name === "string" ? params.name : "";
    const event = openDecisionEvent({
      requestId,
      protocol: "mcp",
      token,
      session: tokenSession,
      tool: name,
      configVersion: engine.version,
      source: req.socket.remoteAddress,
    });
    event.agent_id = caller.agent.name;
    event.era = c.session.protocolVersion;
    let sensitive = false;
    // Set when the call is forwarded (upstream session, pin check, the call): what follows is the upstream's time.
    let forwardedAt: number | undefined;
    // Progress: relayed as SSE when the client asked for it (a progress token) and accepts an event stream.
    const callMeta = isObject(params._meta) ? params._meta : {};
    const requested = callMeta.progressToken;
    const progressToken =
      typeof requested === "string" || (typeof requested === "number" && Number.isInteger(requested))
        ? requested
        : undefined;
    const acceptsSse = /\btext\/event-stream\b/.test(String(req.headers.accept ?? ""));
    let streamed = false;
    const relayProgress = (message: { method: string; params?: unknown }) => {
      const p = message.params;
      if (message.method !== "notifications/progress" || !isObject(p) || p.progressToken !== progressToken) return;
      if (typeof p.progress !== "number" || res.destroyed) return;
      if (!streamed) {
        if (res.headersSent) return;
        streamed = true;
        res.writeHead(200, {
          "content-type": "text/event-stream",
          "cache-control": "no-store",
          "x-content-type-options": "nosniff",
          "portcullis-decision-id": requestId,
          ...c.shape.sseHeaders,
        });
      }
      res.write(
        sseEvent({
          jsonrpc: "2.0",
          method: "notifications/progress",
          params: {
            progressToken,
            progress: p.progress,
            ...(typeof p.total === "number" ? { total: p.total } : {}),
            ...(typeof p.message === "string" ? { message: p.message.slice(0, 1000) } : {}),
          },
        }),
      );
    };
    const conclude = async (
      answer: unknown | undefined,
      fields: Partial<DecisionEvent>,
      http: { status: number; headers: Record<string, string> } = { status: 200, headers: {} },
    ): Promise<void> => {
      Object.assign(event, fields);
      const now = performance.now();
      event.latency_us = Math.round((now - startedAt) * 1000);
      if (forwardedAt !== undefined) event.upstream_latency_us = Math.round((now - forwardedAt) * 1000);
      const recorded = await recorder.record(event, sensitive);
      let body = answer;
      if (!recorded && sensitive && body !== undefined) {
        const executed = event.upstream_status !== undefined || event.outcome === "upstream_timeout";
        body = rpcError(id, {
          code: RPC.auditUnavailable,
          message: executed
            ? "the call could not be recorded in the audit trail, so its result is withheld (the tool may have run)"
            : "the call could not be recorded in the audit trail, so it was not executed",
        });
      }
      if (body === undefined) return;
      if (isObject(body)) {
        if (isObject(body.result)) body = { ...body, result: c.shape.result(body.result) };
        else if (isObject(body.error))
          body = { ...body, error: c.shape.error(body.error as unknown as RpcError, "gateway") };
      }
      if (streamed) {
        // The answer is already an SSE stream (progress was relayed): the final message is its last event.
        if (!res.destroyed) res.end(sseEvent(body));
        return;
      }
      const status = recorded || !sensitive ? http.status : 200;
      sendJson(res, status, body, {
        headers: {
          ...(recorded || !sensitive ? http.headers : {}),
          ...(recorded ? { "portcullis-decision-id": requestId } : {}),
        },
      });
    };
    const refuse = (code: number, message: string, outcome: CallOutcome, eventCode: string, data?: unknown) =>
      conclude(rpcError(id, { code, message, ...(data !== undefined ? { data } : {}) }), {
        outcome,
        code: eventCode,
        reason: message,
      });

    try {
      if (name === "")
        return refuse(RPC.invalidParams, "Invalid params: name must be a string", "invalid_request", "invalid_params");
      const args = params.arguments ?? {};
      if (!isObject(args)) {
        return refuse(
          RPC.invalidParams,
          "Invalid params: arguments must be an object",
          "invalid_arguments",
          "invalid_arguments",
        );
      }
      const digest = argsDigest(args);
      if (!digest.ok)
        return refuse(RPC.invalidParams, `Invalid params: ${digest.message}`, "invalid_arguments", "invalid_arguments");
      event.args_sha256 = digest.sha256;

      // Route: an active tool of this virtual server this caller may see. Unknown, hidden, quarantined: alike.
      const route: McpToolRoute | undefined = c.virtualServer.tools.get(name);
      if (
        !route ||
        deps.pins.isQuarantined(route.tool.id, route.tool.pinnedHash) ||
        visibleTools(engine, caller, [route.toolContext]).length === 0
      ) {
        return refuse(RPC.invalidParams, `Unknown tool: ${name}`, "unknown_tool", "unknown_tool");
      }
      sensitive = route.tool.sensitive;
      Object.assign(event, {
        tool: route.tool.name,
        tool_id: route.tool.id,
        tool_hash: route.tool.pinnedHash,
        upstream: route.upstream.upstream.id,
      });
      const badHeaders = c.shape.checkCall?.(route, args);
      if (badHeaders) {
        return conclude(
          rpcError(id, badHeaders),
          { outcome: "invalid_request", code: "header_mismatch", reason: badHeaders.message },
          { status: 400, headers: {} },
        );
      }
      const held = nodeRefusal(recorder, deps.staleness, sensitive);
      if (held?.code === "audit_unavailable") {
        return refuse(RPC.auditUnavailable, held.message, held.code, held.code);
      }
      if (held) {
        return conclude(
          rpcError(id, { code: RPC.configStale, message: held.message, data: { reason_code: held.code } }),
          { outcome: held.code, code: held.code, reason: held.message },
          { status: 503, headers: {} },
        );
      }
      const quota = await takeQuota(deps.quota, engine, {
        agentId: caller.agent.id,
        operator: token.subject,
        toolId: route.tool.id,
        toolName: route.tool.name,
      });
      if (!quota.ok) {
        if (quota.code === "quota_unavailable") {
          return conclude(
            rpcError(id, { code: RPC.quotaUnavailable, message: quota.message, data: { reason_code: quota.code } }),
            { outcome: "quota_unavailable", code: "quota_unavailable", reason: quota.message },
            { status: 503, headers: {} },
          );
        }
        const limited = rateLimitedReply(quota);
        return conclude(
          rpcError(id, { code: RPC.rateLimited, message: limited.message, data: limited.data }),
          { outcome: "rate_limited", code: "rate_limited", reason: limited.message },
          { status: 429, headers: { "retry-after": String(limited.retryAfterSeconds) } },
        );
      }

      // Decide with the session's history (and the approval step when a policy holds the call); the call is
      // recorded in the same critical section.
      const cancelled = new AbortController();
      res.once("close", () => {
        if (!res.writableFinished) cancelled.abort();
      });
      const decided = await decideWithHold({
        ledger,
        key: sessionKeyOf(token, tokenSession, caller.agent.id),
        input: {
          engine,
          who: caller.who,
          delegators: caller.delegatorContexts,
          tool: { name: route.tool.name, context: route.toolContext },
          args: args as JsonObject,
          request: { protocol: "mcp", era: c.session.protocolVersion, source: req.socket.remoteAddress ?? "" },
          metrics: deps.metrics,
        },
        client: deps.approvals?.client,
        asker: approvalAsker(token, tokenSession, caller.agent, caller.who, requestId),
        settings: deps.approvals?.settings ?? { holdMs: 0, timeoutMs: DEFAULT_APPROVAL_TIMEOUT_MS },
        signal: cancelled.signal,
      });
      if (!decided.ok) {
        return refuse(RPC.sessionRefused, decided.message, "session_refused", decided.code, {
          reason_code: decided.code,
        });
      }
      const { decision, approval } = decided.value;
      Object.assign(event, decisionFields(decision), approvalFields(approval));
      const meta = { code: decision.code, adaptable: decision.adaptable, decision_id: requestId };
      // A tool result the agent can read and adapt to, not a protocol error.
      const denyResult = (reason: string) =>
        conclude(
          rpcResult(id, {
            content: [{ type: "text", text: reason }],
            isError: true,
            _meta: { "portcullis/decision": { outcome: "deny", ...meta } },
          }),
          { outcome: "denied", reason },
        );
      if (decision.outcome === "deny") return denyResult(decision.reason);
      if (decision.outcome === "require_approval") {
        const held = describeApproval(
          approval && approval.kind !== "granted"
            ? approval
            : { kind: "unavailable", message: "the approval step gave no answer: the call was not executed" },
          decision.reason,
        );
        if (held.code === "denied") return denyResult(held.message);
        const code = {
          approval_pending: RPC.approvalRequired,
          approval_rejected: RPC.approvalRejected,
          approval_expired: RPC.approvalExpired,
          approval_unavailable: RPC.approvalUnavailable,
        }[held.code];
        const outcome = held.code;
        return conclude(
          rpcError(id, { code, message: held.message, data: { ...meta, reason_code: held.code, ...held.data } }),
          {
            outcome,
            reason: held.message,
          },
        );
      }

      // Forward: the minted assertion and the upstream's credential, nothing from the caller.
      const assertion = deps.mintAssertion(
        callAssertion({
          upstreamId: route.upstream.upstream.id,
          token,
          session: tokenSession,
          agent: caller.agent,
          delegators: caller.delegators,
          tool: route.tool.name,
          argsSha256: digest.sha256,
          decisionId: requestId,
          configVersion: engine.version,
        }),
      );
      const cancel = new AbortController();
      if (res.closed || res.destroyed) cancel.abort();
      else
        res.once("close", () => {
          if (!res.writableFinished) cancel.abort();
        });
      const options = {
        headers: {
          "portcullis-assertion": assertion,
          ...(route.upstream.upstream.credential === null ? { authorization: `Bearer ${assertion}` } : {}),
        },
        timeoutMs: settings.upstreamTimeoutMs,
        maxResponseBytes: settings.maxResponseBytes,
        cancel: cancel.signal,
      };
      const key = `${route.upstream.upstream.id} ${route.upstream.origin}${route.upstream.path}`;
      forwardedAt = performance.now();
      let pending = c.session.upstreams.get(key);
      let initFailure: UpstreamExchange | undefined;
      if (!pending) {
        pending = initializeUpstream(route.upstream, options).then((r) => {
          if (r.ok) return r.session;
          initFailure = r.failure;
          return undefined;
        });
        c.session.upstreams.set(key, pending);
      }
      const upstreamSession = await pending;
      if (!upstreamSession) {
        if (c.session.upstreams.get(key) === pending) c.session.upstreams.delete(key);
        return conclude(
          ...relayFailure(
            initFailure ?? { kind: "error", reason: "the upstream session could not start" },
            id,
            "initialize",
            c.shape,
          ),
        );
      }
      // T08: the upstream's definitions against their pins, before the first call and after each recheck interval.
      if (deps.pins.due(key)) {
        const checked = await checkPins(serving, route, upstreamSession, options, requestId);
        if (!checked.ok) {
          c.session.upstreams.delete(key);
          return conclude(...relayFailure(checked.failure, id, "tools/list", c.shape));
        }
        if (deps.pins.isQuarantined(route.tool.id, route.tool.pinnedHash)) {
          return refuse(RPC.invalidParams, `Unknown tool: ${name}`, "unknown_tool", "tool_definition_changed");
        }
      }
      const result = await callUpstreamTool(route.upstream, upstreamSession, route.tool.name, args, {
        ...options,
        ...(progressToken !== undefined && acceptsSse ? { progressToken, onNotification: relayProgress } : {}),
      });
      if (result.kind === "error" && result.status === 404) c.session.upstreams.delete(key); // upstream session gone
      if (result.kind === "result") {
        return conclude(rpcResult(id, result.result), { outcome: "ok", upstream_status: result.status });
      }
      return conclude(...relayFailure(result, id, "tools/call", c.shape));
    } catch (error) {
      logger.error({ err: (error as Error).message, requestId, tool: name }, "MCP tool call failed unexpectedly");
      return refuse(RPC.internalError, "Internal error", "internal_error", "internal_error");
    }
  }

  /** Lists the upstream's tools and quarantines those whose definition differs from the pin (T08), audited. */
  async function checkPins(
    serving: ServingConfig,
    route: McpToolRoute,
    upstreamSession: UpstreamSession,
    options: UpstreamCallOptions,
    requestId: string,
  ): Promise<{ ok: true } | { ok: false; failure: UpstreamExchange }> {
    const listed = await listUpstreamTools(route.upstream, upstreamSession, options);
    if (!listed.ok) return listed;
    const upstreamId = route.upstream.upstream.id;
    const pinned = serving.engine.resources.tools.filter((t) => t.upstreamId === upstreamId && t.status === "active");
    const key = `${upstreamId} ${route.upstream.origin}${route.upstream.path}`;
    for (const change of deps.pins.apply(key, pinned, listed.tools)) {
      logger.warn(
        { tool: change.tool.name, upstream: upstreamId, pinned: change.pinnedHash, seen: change.seenHash },
        "ALERT: an upstream changed an approved tool definition; the tool is quarantined on this node",
      );
      await recorder.recordEvent({
        type: "tool_definition_changed",
        id: uuidv7(),
        request_id: requestId,
        tool: change.tool.name,
        tool_id: change.tool.id,
        upstream: upstreamId,
        pinned_hash: change.pinnedHash,
        seen_hash: change.seenHash,
        config_version: serving.engine.version,
        action: "quarantined",
      });
    }
    return { ok: true };
  }

  function relayFailure(
    result: UpstreamExchange,
    id: Id,
    step: string,
    shape: EraShape,
  ): [unknown, Partial<DecisionEvent>] {
    switch (result.kind) {
      case "timeout": {
        const message = `the upstream did not answer within ${settings.upstreamTimeoutMs} ms`;
        return [
          rpcError(id, { code: RPC.upstreamTimeout, message }),
          { outcome: "upstream_timeout", code: "upstream_timeout", reason: message },
        ];
      }
      case "cancelled":
        return [undefined, { outcome: "cancelled", code: "cancelled", reason: "the client went away" }];
      case "rpc_error":
        // The upstream's own JSON-RPC error, relayed (the tool was reached; it refused or failed).
        return [
          rpcError(id, shape.error(result.error, "upstream")),
          {
            outcome: "upstream_error",
            upstream_status: result.status,
            upstream_error: `${step}: JSON-RPC error ${result.error.code}`,
          },
        ];
      case "error":
        return [
          rpcError(id, { code: RPC.upstreamError, message: "the upstream failed to answer" }),
          {
            outcome: "upstream_error",
            code: "upstream_error",
            reason: "the upstream failed to answer",
            upstream_error: `${step}: ${result.reason}`,
            ...(result.status !== undefined ? { upstream_status: result.status } : {}),
          },
        ];
      case "result":
        return [rpcResult(id, result.result), { outcome: "ok" }];
    }
  }

  return { listTools, callTool };
}
