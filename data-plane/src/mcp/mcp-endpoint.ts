// /mcp/{server}: one MCP virtual server over Streamable HTTP, dual-era on one URL. Legacy (2025-11-25, also
// 2025-06-18): initialize, the gateway's Mcp-Session-Id (bound to the caller), answers in JSON (SSE only to relay
// progress), and the session's GET stream (list-streams.ts). Modern (2026-07-28, per request, stateless): handled
// by modern-endpoint.ts once era.ts has classified the request. Both share this prelude: authenticate before
// parsing, strict JSON, resolve the caller from the snapshot, JSON-RPC framing; and call-tool.ts for tools/list
// (list phase of policy) and tools/call (decide with the session ledger, forward with the minted assertion over
// upstream MCP sessions, one audit event per call).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApprovalClient, ApprovalGateSettings } from "../approvals/approval-gate.ts";
import type { MintAssertion } from "../assertions/mint-assertion.ts";
import type { DecisionRecorder } from "../audit/record-decision.ts";
import type { Logger } from "../log.ts";
import type { QuotaStore } from "../quota/quota-store.ts";
import { newRequestId, noteAgent } from "../server/access-log.ts";
import { authenticateCaller, type DecideInput, openDecisionEvent, resolveCaller } from "../server/call-steps.ts";
import { checkBodyHeaders, readJsonBody } from "../server/read-body.ts";
import { sendJson } from "../server/replies.ts";
import type { ServingConfig } from "../server/serving-config.ts";
import type { StalenessWatch } from "../server/staleness.ts";
import type { HttpToolsSettings } from "../server/tools-invoke.ts";
import type { SessionLedger } from "../session/ledger.ts";
import { DP_VERSION } from "../version.ts";
import { createMcpTools, LEGACY_SHAPE } from "./call-tool.ts";
import { classifyEra, headerEra } from "./era.ts";
import {
  type Id,
  isObject,
  LATEST_PROTOCOL_VERSION,
  MODERN_CODES,
  MODERN_PROTOCOL_VERSION,
  RPC,
  rpcError,
  rpcResult,
  SUPPORTED_PROTOCOL_VERSIONS,
  withoutNullId,
} from "./json-rpc.ts";
import type { ListStreams } from "./list-streams.ts";
import { createModernHandler } from "./modern-endpoint.ts";
import type { McpSession, McpSessionBinding, McpSessionStore } from "./sessions.ts";
import type { ToolPins } from "./tool-pins.ts";
import { closeUpstream } from "./upstream-client.ts";

export {
  type Id,
  LATEST_PROTOCOL_VERSION,
  RPC,
  type RpcError,
  rpcError,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "./json-rpc.ts";

export interface McpEndpointDeps {
  ledger: SessionLedger;
  /** Past the staleness limit with PORTCULLIS_DP_STALE_POLICY=deny_sensitive, sensitive calls are refused (R05). */
  staleness?: Pick<StalenessWatch, "refusesSensitive">;
  quota: QuotaStore;
  /** The control plane's approval service (absent: approval-gated calls fail closed with approval_unavailable). */
  approvals?: { client: ApprovalClient | undefined; settings: ApprovalGateSettings };
  /** Definitions seen upstream against the snapshot's pins (T08); outlives snapshots. */
  pins: ToolPins;
  recorder: DecisionRecorder;
  mintAssertion: MintAssertion;
  settings: HttpToolsSettings;
  sessions: McpSessionStore;
  /** The legacy sessions' standalone GET streams (tools/list_changed). */
  streams: ListStreams;
  /** The control plane's issuer: the authorization server named in the protected-resource metadata. */
  issuer: string;
  /** Told how long each policy evaluation takes (the node's metrics). */
  metrics?: DecideInput["metrics"];
  logger: Logger;
}

export type HandleMcp = (
  serving: ServingConfig,
  req: IncomingMessage,
  res: ServerResponse,
  serverName: string,
) => Promise<void>;

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

export function createMcpEndpoint(deps: McpEndpointDeps): HandleMcp {
  const { recorder, settings, sessions, logger } = deps;
  const tools = createMcpTools(deps);
  const handleModern = createModernHandler(deps, tools);

  return async function handleMcp(serving, req, res, serverName) {
    const requestId = newRequestId();
    const method = req.method ?? "";
    // Before the body is read, only the version header tells the era (2026-07-28 renumbers some gateway codes
    // and sends no `id` when it could not be read).
    const modernHeader = headerEra(req) === "modern";
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}, close = false) =>
      sendJson(res, status, modernHeader ? withoutNullId(body) : body, { headers, close });
    const early = (code: number) => (modernHeader ? (MODERN_CODES[code] ?? code) : code);

    if (modernHeader && method !== "POST") {
      // 2026-07-28 has no GET stream and no session to DELETE (Streamable HTTP, "Backward Compatibility").
      reply(
        405,
        rpcError(null, {
          code: RPC.invalidRequest,
          message: `Method not allowed: protocol version ${MODERN_PROTOCOL_VERSION} takes one POST per request`,
        }),
        { allow: "POST" },
      );
      return;
    }
    if (method !== "POST" && method !== "DELETE" && method !== "GET") {
      reply(405, rpcError(null, { code: RPC.invalidRequest, message: "Method not allowed" }), {
        allow: "GET, POST, DELETE",
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
      reply(403, rpcError(null, { code: early(RPC.agentNotAllowed), message: caller.message }), {}, true);
      return;
    }
    noteAgent(caller.agent);
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
      deps.streams.end(session.id);
      void closeUpstreams(session, settings.upstreamTimeoutMs);
      res.writeHead(204, { "cache-control": "no-store" }).end();
      return;
    }

    if (method === "GET") {
      // The standalone stream (tools/list_changed), bound like a POST: list-streams.ts.
      const session = await boundSession(null, "(mcp stream)");
      if (!session) return;
      const expiresAtMs = token.expiresAt * 1000;
      deps.streams.open({ req, res, session, serving, expiresAtMs, list: tools.listTools });
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

    const era = classifyEra(req, rpcMethod, params);
    if (era.kind === "reject") return reply(400, rpcError(id, era.error));
    if (era.kind === "modern") {
      return handleModern({
        serving,
        virtualServer,
        serverName,
        caller,
        token,
        tokenSession,
        binding,
        version: era.version,
        id,
        isRequest: rawId !== undefined,
        method: rpcMethod,
        params,
        req,
        res,
        requestId,
      });
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
          capabilities: { tools: { listChanged: true } },
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
        return reply(200, rpcResult(id, { tools: tools.listTools(serving, virtualServer, caller) }));
      case "tools/call":
        return tools.callTool({
          serving,
          virtualServer,
          caller,
          token,
          tokenSession,
          session,
          shape: LEGACY_SHAPE,
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
