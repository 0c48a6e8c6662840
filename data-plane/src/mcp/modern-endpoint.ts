// MCP 2026-07-28 at /mcp/{server} (stateless, per-request `_meta`), once mcp-endpoint.ts has authenticated the
// caller, parsed the body and era.ts has classified it as modern. Each request stands alone: the mirror headers
// and required `_meta` are checked (-32020 / -32602, HTTP 400), `server/discover`, `tools/list` and `tools/call`
// are served, anything else is 404 + -32601 (including `initialize` and `ping`, which this revision removed).
// No Mcp-Session-Id is read, minted or echoed. The gateway session is still the token's: calls share the caller's
// ledger history and, per (token sid, operator, agent, virtual server), the upstream MCP sessions the gateway
// keeps with today's 2025-era upstreams (sessions.ts `forCaller`).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ResolvedCaller, sessionKeyOf, TokenSession } from "../server/call-steps.ts";
import { sendJson } from "../server/replies.ts";
import type { ServingConfig } from "../server/serving-config.ts";
import { DP_VERSION } from "../version.ts";
import type { createMcpTools, EraShape } from "./call-tool.ts";
import { checkModernRequest, checkParamHeaders, META_SERVER_INFO } from "./era.ts";
import {
  ALL_PROTOCOL_VERSIONS,
  type Id,
  isObject,
  MODERN_CODES,
  MODERN_PROTOCOL_VERSION,
  RPC,
  type RpcError,
  rpcError,
  rpcResult,
  withoutNullId,
} from "./json-rpc.ts";
import type { McpEndpointDeps } from "./mcp-endpoint.ts";
import type { McpSessionBinding } from "./sessions.ts";
import type { VirtualServer } from "./virtual-servers.ts";

/** How long a client may cache `server/discover` and `tools/list` answers (CacheableResult `ttlMs`). */
export const DISCOVER_TTL_MS = 300_000;
export const TOOLS_LIST_TTL_MS = 60_000;

export interface ModernRequest {
  serving: ServingConfig;
  virtualServer: VirtualServer;
  serverName: string;
  caller: ResolvedCaller;
  token: Parameters<typeof sessionKeyOf>[0];
  tokenSession: TokenSession;
  binding: McpSessionBinding;
  version: string;
  id: Id;
  /** False for a notification (no id). */
  isRequest: boolean;
  method: string;
  params: Record<string, unknown>;
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
}

/**
 * Results and errors as 2026-07-28 has them: every result carries `resultType: "complete"` (the gateway never
 * answers `input_required`) and the server's identity in `_meta`; the gateway codes the revision forbids are
 * renumbered (MODERN_CODES); an upstream's -32002 (2025 "resource not found") becomes -32602 as the revision
 * says, and an upstream code from the range the revision reserves becomes the gateway's upstream error.
 */
export function modernShape(req: IncomingMessage, serverName: string): EraShape {
  const serverInfo = { name: "portcullis", title: `Portcullis gateway (${serverName})`, version: DP_VERSION };
  return {
    result(result) {
      const { resultType: _ignored, _meta, ...rest } = result;
      return {
        resultType: "complete",
        ...rest,
        _meta: { ...(isObject(_meta) ? _meta : {}), [META_SERVER_INFO]: serverInfo },
      };
    },
    error(error, from) {
      if (from === "gateway") {
        const code = MODERN_CODES[error.code];
        return code === undefined ? error : { ...error, code };
      }
      if (error.code === -32002) return { ...error, code: RPC.invalidParams };
      if (error.code <= -32020 && error.code >= -32099) {
        return {
          code: RPC.upstreamError,
          message:
            `the upstream answered with an error code (${error.code}) this protocol version does not carry: ${error.message}`.slice(
              0,
              1000,
            ),
        };
      }
      return error;
    },
    sseHeaders: { "x-accel-buffering": "no" },
    checkCall: (route, args) => checkParamHeaders(req, route.tool.inputSchema, args),
  };
}

export function createModernHandler(deps: McpEndpointDeps, tools: ReturnType<typeof createMcpTools>) {
  return async function handleModern(m: ModernRequest): Promise<void> {
    const { req, res, id } = m;
    const reply = (status: number, body: unknown) => sendJson(res, status, withoutNullId(body));
    const shape = modernShape(req, m.serverName);
    const fail = (status: number, error: RpcError) => reply(status, rpcError(id, shape.error(error, "gateway")));

    const problem = checkModernRequest(req, m.method, m.params, m.isRequest);
    if (problem) return fail(400, problem);
    if (!m.isRequest) {
      // The revision defines no client notifications over HTTP (closing the stream cancels); accepted, no body.
      res.writeHead(202, { "cache-control": "no-store" }).end();
      return;
    }

    switch (m.method) {
      case "server/discover":
        return reply(
          200,
          rpcResult(
            id,
            shape.result({
              supportedVersions: [...ALL_PROTOCOL_VERSIONS],
              capabilities: { tools: { listChanged: false } },
              ttlMs: DISCOVER_TTL_MS,
              cacheScope: "private",
            }),
          ),
        );
      case "tools/list":
        return reply(
          200,
          rpcResult(
            id,
            shape.result({
              tools: tools.listTools(m.serving, m.virtualServer, m.caller),
              ttlMs: TOOLS_LIST_TTL_MS,
              cacheScope: "private",
            }),
          ),
        );
      case "tools/call": {
        // MRTR: the gateway never answers input_required (its upstream sessions declare no client capabilities,
        // so upstreams cannot ask for input), so a requestState can only be forged or from another server.
        if (m.params.requestState !== undefined) {
          return fail(400, {
            code: RPC.invalidParams,
            message: "Invalid params: requestState was not issued by this server (it never answers input_required)",
          });
        }
        const session = deps.sessions.forCaller(m.binding, m.version);
        return tools.callTool({
          serving: m.serving,
          virtualServer: m.virtualServer,
          caller: m.caller,
          token: m.token,
          tokenSession: m.tokenSession,
          session,
          shape,
          id,
          params: m.params,
          req,
          res,
          requestId: m.requestId,
        });
      }
      default: {
        const removed =
          m.method === "initialize" || m.method === "ping"
            ? ` (${m.method} is not part of protocol version ${MODERN_PROTOCOL_VERSION}; legacy versions ${ALL_PROTOCOL_VERSIONS.slice(1).join(", ")} start with initialize and no 2026-07-28 _meta)`
            : "";
        return fail(404, {
          code: RPC.methodNotFound,
          message: `Method not found: ${m.method.slice(0, 100)}${removed}`,
          ...(removed ? { data: { supported: [...ALL_PROTOCOL_VERSIONS] } } : {}),
        });
      }
    }
  };
}
