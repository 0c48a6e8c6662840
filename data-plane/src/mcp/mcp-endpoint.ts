// /mcp/{server}: one MCP virtual server over Streamable HTTP (protocol 2025-11-25, also 2025-06-18), answering
// with JSON (no SSE). The pipeline is the HTTP tools' one (src/server/call-steps.ts): authenticate before
// parsing, strict JSON, resolve the caller from the snapshot, route, decide with the session ledger, forward with
// the minted assertion, one audit event per tools/call. What is MCP's own: JSON-RPC framing, the gateway's
// Mcp-Session-Id (bound to the caller), tools/list through the list phase of policy, and the upstream MCP sessions.
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { JsonObject } from "@portcullis/policy";
import { uuidv7 } from "@portcullis/proto";
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
import type { Logger } from "../log.ts";
import type { QuotaStore } from "../quota/quota-store.ts";
import {
  approvalAsker,
  argsDigest,
  authenticateCaller,
  callAssertion,
  decisionFields,
  openDecisionEvent,
  type ResolvedCaller,
  rateLimitedReply,
  resolveCaller,
  sessionKeyOf,
  type TokenSession,
  takeQuota,
  visibleTools,
} from "../server/call-steps.ts";
import { checkBodyHeaders, readJsonBody } from "../server/read-body.ts";
import { sendJson } from "../server/replies.ts";
import type { ServingConfig } from "../server/serving-config.ts";
import type { HttpToolsSettings } from "../server/tools-invoke.ts";
import type { SessionLedger } from "../session/ledger.ts";
import { DP_VERSION } from "../version.ts";
import type { McpSession, McpSessionBinding, McpSessionStore } from "./sessions.ts";
import type { ToolPins } from "./tool-pins.ts";
import {
  callUpstreamTool,
  closeUpstream,
  initializeUpstream,
  listUpstreamTools,
  type UpstreamCallOptions,
  type UpstreamExchange,
  type UpstreamSession,
} from "./upstream-client.ts";
import type { McpToolRoute, VirtualServer } from "./virtual-servers.ts";

export const SUPPORTED_PROTOCOL_VERSIONS = ["2025-11-25", "2025-06-18"] as const;
export const LATEST_PROTOCOL_VERSION = "2025-11-25";

/** JSON-RPC error codes: the standard ones and the gateway's own (in the range left to implementations). */
export const RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** Authentication failed (the HTTP status is 401). */
  unauthorized: -32000,
  /** The Mcp-Session-Id is unknown, ended, expired or bound to another caller (HTTP 404). */
  sessionNotFound: -32001,
  /** The token's agent is unknown to the snapshot or disabled (HTTP 403). */
  agentNotAllowed: -32002,
  /** A require_approval policy holds the call and its approval is pending: not executed; data says where to decide. */
  approvalRequired: -32010,
  /** The call's approval was rejected: not executed. */
  approvalRejected: -32030,
  /** The call's approval expired (undecided, or approved but not retried in time): not executed. */
  approvalExpired: -32031,
  /** The approval service (the control plane) cannot be reached: approval-gated calls fail closed. */
  approvalUnavailable: -32032,
  /** The upstream failed (connection, status, unusable answer). */
  upstreamError: -32011,
  /** The upstream did not answer in time; the upstream request was aborted. */
  upstreamTimeout: -32012,
  /** The audit spool cannot take the call's record: not executed (or its result withheld). */
  auditUnavailable: -32013,
  /** The gateway session (token `sid`) is expired, bound elsewhere or over its call limit. */
  sessionRefused: -32014,
  /** A rate limit of the gateway group is exhausted (HTTP 429 with Retry-After). */
  rateLimited: -32015,
  /** The quota store (Redis) is unreachable: the call was not counted, so not executed (HTTP 503). */
  quotaUnavailable: -32016,
} as const;

export interface McpEndpointDeps {
  ledger: SessionLedger;
  quota: QuotaStore;
  /** The control plane's approval service (absent: approval-gated calls fail closed with approval_unavailable). */
  approvals?: { client: ApprovalClient | undefined; settings: ApprovalGateSettings };
  /** Definitions seen upstream against the snapshot's pins (T08); outlives snapshots. */
  pins: ToolPins;
  recorder: DecisionRecorder;
  mintAssertion: MintAssertion;
  settings: HttpToolsSettings;
  sessions: McpSessionStore;
  /** The control plane's issuer: the authorization server named in the protected-resource metadata. */
  issuer: string;
  logger: Logger;
}

export type HandleMcp = (
  serving: ServingConfig,
  req: IncomingMessage,
  res: ServerResponse,
  serverName: string,
) => Promise<void>;

/** A JSON-RPC id (null when the request's could not be read). */
export type Id = string | number | null;
export interface RpcError {
  code: number;
  message: string;
  data?: unknown;
}

export const rpcError = (id: Id, error: RpcError) => ({ jsonrpc: "2.0" as const, id, error });
const rpcResult = (id: Id, result: unknown) => ({ jsonrpc: "2.0" as const, id, result });

/** The node's base URL as the client reached it (Host header, checked), for the RFC 9728 metadata. */
export function nodeBaseUrl(req: IncomingMessage): string {
  const host = req.headers.host;
  if (host && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)) return `http://${host}`;
  const address = req.socket.localAddress ?? "127.0.0.1";
  const port = req.socket.localPort ?? 80;
  return `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
}

export const metadataPath = (serverName: string) =>
  `/.well-known/oauth-protected-resource/mcp/${encodeURIComponent(serverName)}`;

/** RFC 9728 protected-resource metadata of one virtual server. */
export function protectedResourceMetadata(req: IncomingMessage, serverName: string, issuer: string) {
  return {
    resource: `${nodeBaseUrl(req)}/mcp/${encodeURIComponent(serverName)}`,
    authorization_servers: issuer ? [issuer] : [],
    bearer_methods_supported: ["header"],
    resource_name: `Portcullis MCP virtual server ${serverName}`,
  };
}

function challenge(req: IncomingMessage, serverName: string, error?: { description: string }): string {
  const metadata = `resource_metadata="${nodeBaseUrl(req)}${metadataPath(serverName)}"`;
  if (!error) return `Bearer ${metadata}`;
  const description = error.description.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "'");
  return `Bearer ${metadata}, error="invalid_token", error_description="${description}"`;
}

/** One SSE event carrying a JSON-RPC message. */
const sseEvent = (message: unknown) => `event: message\ndata: ${JSON.stringify(message)}\n\n`;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

export function createMcpEndpoint(deps: McpEndpointDeps): HandleMcp {
  const { ledger, recorder, settings, sessions, logger } = deps;

  return async function handleMcp(serving, req, res, serverName) {
    const requestId = uuidv7();
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}, close = false) =>
      sendJson(res, status, body, { headers, close });
    const method = req.method ?? "";

    if (method === "GET") {
      // No standalone SSE stream: the gateway sends no server-initiated messages (yet).
      reply(
        405,
        rpcError(null, { code: RPC.invalidRequest, message: "Method not allowed: no SSE stream is offered" }),
        {
          allow: "POST, DELETE",
        },
      );
      return;
    }
    if (method !== "POST" && method !== "DELETE") {
      reply(405, rpcError(null, { code: RPC.invalidRequest, message: "Method not allowed" }), {
        allow: "POST, DELETE",
      });
      return;
    }
    if (method === "POST") {
      const problem = checkBodyHeaders(req, settings.maxBodyBytes);
      if (problem) {
        const status = problem.code === "payload_too_large" ? 413 : 415;
        reply(status, rpcError(null, { code: RPC.invalidRequest, message: problem.message }), {}, true);
        return;
      }
    }

    // Authenticate before anything is parsed.
    const auth = await authenticateCaller(serving, req);
    if (!auth.ok) {
      const header = challenge(
        req,
        serverName,
        auth.code === "unauthenticated" ? undefined : { description: auth.message },
      );
      reply(
        401,
        rpcError(null, { code: RPC.unauthorized, message: auth.message }),
        { "www-authenticate": header },
        true,
      );
      return;
    }
    const { token, session: tokenSession } = auth;
    const caller = resolveCaller(serving, token, tokenSession);
    if (!caller.ok) {
      reply(403, rpcError(null, { code: RPC.agentNotAllowed, message: caller.message }), {}, true);
      return;
    }
    const virtualServer = serving.mcp.servers.get(serverName);
    if (!virtualServer) {
      reply(
        404,
        rpcError(null, { code: RPC.invalidRequest, message: `no MCP server named ${serverName.slice(0, 64)}` }),
      );
      return;
    }
    const binding: McpSessionBinding = {
      server: serverName,
      tokenSid: tokenSession.id,
      subject: token.subject,
      agentId: caller.agent.id,
    };
    const sessionHeader = req.headers["mcp-session-id"];

    /** The bound session of a non-initialize request, or the answer already sent. */
    const boundSession = async (id: Id, what: string): Promise<McpSession | undefined> => {
      if (typeof sessionHeader !== "string" || sessionHeader === "") {
        reply(
          400,
          rpcError(id, { code: RPC.invalidRequest, message: "Bad Request: Mcp-Session-Id header is required" }),
        );
        return undefined;
      }
      const found = sessions.lookup(sessionHeader, binding);
      if (found.ok) return found.session;
      if (found.code === "session_binding_violation") {
        const event = openDecisionEvent({
          requestId,
          protocol: "mcp",
          token,
          session: tokenSession,
          tool: what,
          configVersion: serving.engine.version,
          source: req.socket.remoteAddress,
        });
        const reason = "the Mcp-Session-Id belongs to another caller or virtual server";
        Object.assign(event, {
          agent_id: caller.agent.name,
          outcome: "session_refused",
          code: "session_binding_violation",
          reason,
        });
        await recorder.record(event, false);
        logger.warn(
          { requestId, server: serverName, agent: caller.agent.id },
          "MCP session replayed by another caller",
        );
      }
      reply(404, rpcError(id, { code: RPC.sessionNotFound, message: "Session not found" }));
      return undefined;
    };

    if (method === "DELETE") {
      const session = await boundSession(null, "(mcp session end)");
      if (!session) return;
      sessions.remove(session.id);
      void closeUpstreams(session, settings.upstreamTimeoutMs);
      res.writeHead(204, { "cache-control": "no-store" }).end();
      return;
    }

    const body = await readJsonBody(req, { maxBytes: settings.maxBodyBytes });
    if (!body.ok) {
      if (body.code === "client_aborted") return;
      if (body.code === "payload_too_large") {
        reply(413, rpcError(null, { code: RPC.invalidRequest, message: body.message }), {}, true);
        return;
      }
      reply(400, rpcError(null, { code: RPC.parseError, message: `Parse error: ${body.message}` }));
      return;
    }
    const message = body.value;
    if (Array.isArray(message)) {
      // JSON-RPC batches are not part of MCP since 2025-06-18: one error, nothing forwarded (T18).
      reply(
        400,
        rpcError(null, { code: RPC.invalidRequest, message: "Invalid Request: JSON-RPC batches are not supported" }),
      );
      return;
    }
    const invalid = (id: Id, why: string) =>
      reply(400, rpcError(id, { code: RPC.invalidRequest, message: `Invalid Request: ${why}` }));
    if (!isObject(message)) return invalid(null, "the body must be a JSON-RPC request object");
    const rawId = message.id;
    const idOk =
      rawId === undefined || typeof rawId === "string" || (typeof rawId === "number" && Number.isInteger(rawId));
    const id: Id = idOk && rawId !== undefined ? (rawId as string | number) : null;
    if (message.jsonrpc !== "2.0") return invalid(id, 'jsonrpc must be "2.0"');
    if (!idOk) return invalid(null, "id must be a string or an integer");
    if (typeof message.method !== "string") {
      if ("result" in message || "error" in message) return invalid(id, "the gateway sent no request to answer");
      return invalid(id, "method must be a string");
    }
    if (message.params !== undefined && !isObject(message.params)) return invalid(id, "params must be an object");
    const rpcMethod = message.method;
    const params = (message.params ?? {}) as Record<string, unknown>;

    const versionHeader = req.headers["mcp-protocol-version"];
    if (
      rpcMethod !== "initialize" &&
      versionHeader !== undefined &&
      !(SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(String(versionHeader))
    ) {
      return invalid(id, `unsupported MCP-Protocol-Version (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")})`);
    }

    if (rpcMethod === "initialize") {
      if (rawId === undefined) return invalid(null, "initialize is a request, not a notification");
      if (sessionHeader !== undefined) return invalid(id, "initialize must not carry an Mcp-Session-Id");
      const requested = params.protocolVersion;
      const version =
        typeof requested === "string" && (SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(requested)
          ? requested
          : LATEST_PROTOCOL_VERSION;
      const session = sessions.create(binding, version);
      reply(
        200,
        rpcResult(id, {
          protocolVersion: version,
          capabilities: { tools: { listChanged: false } },
          serverInfo: { name: "portcullis", title: `Portcullis gateway (${serverName})`, version: DP_VERSION },
        }),
        { "mcp-session-id": session.id },
      );
      return;
    }

    const session = await boundSession(
      id,
      rawId === undefined ? rpcMethod : typeof params.name === "string" ? params.name : rpcMethod,
    );
    if (!session) return;

    if (rawId === undefined) {
      // Notifications (initialized, cancelled, …) are accepted and need no answer.
      res.writeHead(202, { "cache-control": "no-store" }).end();
      return;
    }
    switch (rpcMethod) {
      case "ping":
        return reply(200, rpcResult(id, {}));
      case "tools/list":
        return reply(200, rpcResult(id, { tools: listTools(serving, virtualServer, caller) }));
      case "tools/call":
        return callTool({
          serving,
          virtualServer,
          caller,
          token,
          tokenSession,
          session,
          id,
          params,
          req,
          res,
          requestId,
        });
      default:
        return reply(
          200,
          rpcError(id, { code: RPC.methodNotFound, message: `Method not found: ${rpcMethod.slice(0, 100)}` }),
        );
    }
  };

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

  async function callTool(c: {
    serving: ServingConfig;
    virtualServer: VirtualServer;
    caller: ResolvedCaller;
    token: Parameters<typeof sessionKeyOf>[0];
    tokenSession: TokenSession;
    session: McpSession;
    id: Id;
    params: Record<string, unknown>;
    req: IncomingMessage;
    res: ServerResponse;
    requestId: string;
  }): Promise<void> {
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
    let sensitive = false;
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
      event.latency_us = Math.round((performance.now() - startedAt) * 1000);
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
      if (streamed) {
        // The answer is already an SSE stream (progress was relayed): the final message is its last event.
        if (!res.destroyed) res.end(sseEvent(body));
        return;
      }
      const status = body === answer ? http.status : 200;
      sendJson(res, status, body, {
        headers: {
          ...(body === answer ? http.headers : {}),
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
      if (recorder.refuses(sensitive)) {
        const message = "the audit spool is full: calls to this tool are refused until it drains";
        return refuse(RPC.auditUnavailable, message, "audit_unavailable", "audit_unavailable");
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
      res.once("close", () => cancelled.abort());
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
          ),
        );
      }
      // T08: the upstream's definitions against their pins, before the first call and after each recheck interval.
      if (deps.pins.due(key)) {
        const checked = await checkPins(serving, route, upstreamSession, options, requestId);
        if (!checked.ok) {
          c.session.upstreams.delete(key);
          return conclude(...relayFailure(checked.failure, id, "tools/list"));
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
      return conclude(...relayFailure(result, id, "tools/call"));
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

  function relayFailure(result: UpstreamExchange, id: Id, step: string): [unknown, Partial<DecisionEvent>] {
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
          rpcError(id, result.error),
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
}

/** Ends the upstream sessions of a gateway session (best effort). */
export async function closeUpstreams(session: McpSession, timeoutMs: number): Promise<void> {
  const opened = [...session.upstreams.values()];
  session.upstreams.clear();
  await Promise.all(
    opened.map(async (pending) => {
      const upstream = await pending.catch(() => undefined);
      if (upstream?.route) await closeUpstream(upstream.route, upstream, timeoutMs);
    }),
  );
}
