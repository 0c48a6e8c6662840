// Talks to one upstream MCP server (Streamable HTTP) for one gateway MCP session: raw JSON-RPC over the upstream's
// undici pool (callUpstream: deadline, size limit, cancellation), initialized lazily on the first call
// (initialize → notifications/initialized), then tools/call. Answers may be JSON or an SSE stream; the response
// with the request's id is taken from either. Only what the gateway sets is sent: the upstream's credential, the
// assertion, the upstream's own Mcp-Session-Id; never anything from the caller's request.
import { callUpstream, type UpstreamResult } from "../http-tools/call-upstream.ts";
import { DP_VERSION } from "../version.ts";
import type { McpUpstreamRoute } from "./virtual-servers.ts";

export const UPSTREAM_PROTOCOL_VERSION = "2025-11-25";

export interface UpstreamSession {
  /** The upstream's Mcp-Session-Id, when it issued one. */
  sessionId?: string;
  protocolVersion: string;
  /** Where it lives (to end it). */
  route?: McpUpstreamRoute;
}

export type UpstreamExchange =
  | { kind: "result"; status: number; result: unknown }
  | { kind: "rpc_error"; status: number; error: { code: number; message: string; data?: unknown } }
  | { kind: "timeout" }
  | { kind: "cancelled" }
  | { kind: "error"; reason: string; status?: number };

export interface UpstreamCallOptions {
  /** Headers the gateway injects: credential and assertion. */
  headers: Record<string, string>;
  timeoutMs: number;
  maxResponseBytes: number;
  cancel?: AbortSignal;
  /** Sees each JSON-RPC notification of an SSE answer as it arrives (progress relayed to the client). */
  onNotification?: (message: { method: string; params?: unknown }) => void;
}

/** The data of one SSE event block (its `data:` lines joined), or "" when it has none. */
function eventData(block: string): string {
  return block
    .split(/\r?\n/)
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).replace(/^ /, ""))
    .join("\n");
}

/**
 * Reads an SSE body as it streams in and hands each complete event's JSON-RPC notification (a message with a
 * method and no id) to `deliver`. Responses are left to the final parse of the whole body.
 */
export function sseNotificationReader(deliver: (message: { method: string; params?: unknown }) => void) {
  const decoder = new TextDecoder("utf-8");
  let pending = "";
  return (chunk: Buffer) => {
    pending += decoder.decode(chunk, { stream: true });
    const blocks = pending.split(/\r?\n\r?\n/);
    pending = blocks.pop() ?? "";
    for (const block of blocks) {
      const data = eventData(block);
      if (data === "") continue;
      try {
        const message = JSON.parse(data) as { method?: unknown; id?: unknown; params?: unknown };
        if (message && typeof message.method === "string" && message.id === undefined) {
          deliver({ method: message.method, params: message.params });
        }
      } catch {
        // not JSON: the final parse reports an unusable answer if it matters
      }
    }
  };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The JSON-RPC message with `id` in an SSE body (`data:` lines of each event), or undefined. */
function fromSse(text: string, id: number): unknown {
  for (const block of text.split(/\r?\n\r?\n/)) {
    const data = eventData(block);
    if (data === "") continue;
    try {
      const message = JSON.parse(data) as { id?: unknown };
      if (message && typeof message === "object" && message.id === id) return message;
    } catch {
      // not JSON: skip the event
    }
  }
  return undefined;
}

function interpret(result: UpstreamResult, id: number): UpstreamExchange & { sessionId?: string } {
  if (result.kind !== "response") return result;
  const { status, body, contentType } = result;
  if (status < 200 || status >= 300) return { kind: "error", reason: `status ${status}`, status };
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { kind: "error", reason: "the answer is not UTF-8", status };
  }
  const media = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  let message: unknown;
  if (media === "text/event-stream") message = fromSse(text, id);
  else if (media === "application/json") {
    try {
      message = JSON.parse(text);
    } catch {
      return { kind: "error", reason: "invalid JSON", status };
    }
  } else return { kind: "error", reason: `unexpected content type ${media.slice(0, 60)}`, status };
  const m = message as { jsonrpc?: unknown; id?: unknown; result?: unknown; error?: unknown } | undefined;
  if (!m || typeof m !== "object" || m.jsonrpc !== "2.0" || m.id !== id) {
    return { kind: "error", reason: "no JSON-RPC response with the request's id", status };
  }
  if (m.error && typeof m.error === "object") {
    const e = m.error as { code?: unknown; message?: unknown; data?: unknown };
    return {
      kind: "rpc_error",
      status,
      error: {
        code: typeof e.code === "number" ? e.code : -32603,
        message: typeof e.message === "string" ? e.message.slice(0, 1000) : "upstream error",
        ...(e.data !== undefined ? { data: e.data } : {}),
      },
    };
  }
  if (m.result === undefined || m.result === null || typeof m.result !== "object") {
    return { kind: "error", reason: "the response has no result object", status };
  }
  return { kind: "result", status, result: m.result };
}

/** One JSON-RPC exchange (or a notification when `id` is undefined) with an upstream. */
async function exchange(
  route: McpUpstreamRoute,
  session: UpstreamSession | undefined,
  message: Record<string, unknown>,
  options: UpstreamCallOptions,
): Promise<UpstreamExchange & { sessionId?: string }> {
  const headers: Record<string, string> = {
    accept: "application/json, text/event-stream",
    "content-type": "application/json",
    "user-agent": `portcullis-dp/${DP_VERSION}`,
    ...options.headers,
    ...route.credentialHeaders,
  };
  if (session) {
    headers["mcp-protocol-version"] = session.protocolVersion;
    if (session.sessionId !== undefined) headers["mcp-session-id"] = session.sessionId;
  }
  let sessionId: string | undefined;
  let streaming = false;
  const relay = options.onNotification ? sseNotificationReader(options.onNotification) : undefined;
  const result = await callUpstream({
    dispatcher: route.pool,
    method: "POST",
    path: route.path,
    headers,
    body: JSON.stringify(message),
    timeoutMs: options.timeoutMs,
    maxResponseBytes: options.maxResponseBytes,
    ...(options.cancel ? { cancel: options.cancel } : {}),
    onHeaders: (h) => {
      const value = h["mcp-session-id"];
      if (typeof value === "string" && /^[\x21-\x7e]{1,256}$/.test(value)) sessionId = value;
      const type = h["content-type"];
      streaming = typeof type === "string" && type.split(";")[0]?.trim().toLowerCase() === "text/event-stream";
    },
    ...(relay ? { onChunk: (chunk: Buffer) => streaming && relay(chunk) } : {}),
  });
  if (typeof message.id !== "number") {
    if (result.kind === "response" && result.status >= 200 && result.status < 300) {
      return { kind: "result", status: result.status, result: {} };
    }
    return result.kind === "response"
      ? { kind: "error", reason: `status ${result.status}`, status: result.status }
      : result;
  }
  const interpreted = interpret(result, message.id);
  return sessionId !== undefined ? { ...interpreted, sessionId } : interpreted;
}

/** initialize + notifications/initialized; the upstream session to use from then on, or why there is none. */
export async function initializeUpstream(
  route: McpUpstreamRoute,
  options: UpstreamCallOptions,
): Promise<{ ok: true; session: UpstreamSession } | { ok: false; failure: UpstreamExchange }> {
  const init = await exchange(
    route,
    undefined,
    {
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: UPSTREAM_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: "portcullis-gateway", version: DP_VERSION },
      },
    },
    options,
  );
  if (init.kind !== "result") return { ok: false, failure: init };
  const version = (init.result as { protocolVersion?: unknown }).protocolVersion;
  const session: UpstreamSession = {
    route,
    protocolVersion: typeof version === "string" ? version.slice(0, 32) : UPSTREAM_PROTOCOL_VERSION,
    ...(init.sessionId !== undefined ? { sessionId: init.sessionId } : {}),
  };
  const initialized = await exchange(route, session, { jsonrpc: "2.0", method: "notifications/initialized" }, options);
  if (initialized.kind !== "result") return { ok: false, failure: initialized };
  return { ok: true, session };
}

/**
 * tools/call on an initialized upstream session with exactly these arguments; with a progress token, the upstream
 * is asked for progress notifications (`_meta.progressToken`, nothing else of the caller's `_meta`).
 */
export function callUpstreamTool(
  route: McpUpstreamRoute,
  session: UpstreamSession,
  name: string,
  args: Record<string, unknown>,
  options: UpstreamCallOptions & { progressToken?: string | number },
): Promise<UpstreamExchange> {
  const params: Record<string, unknown> = { name, arguments: args };
  if (options.progressToken !== undefined) params._meta = { progressToken: options.progressToken };
  return exchange(route, session, { jsonrpc: "2.0", id: 1, method: "tools/call", params }, options);
}

/** The upstream's tools/list (following `nextCursor`, at most 20 pages): the listed definitions, or why not. */
export async function listUpstreamTools(
  route: McpUpstreamRoute,
  session: UpstreamSession,
  options: UpstreamCallOptions,
): Promise<{ ok: true; tools: unknown[] } | { ok: false; failure: UpstreamExchange }> {
  const tools: unknown[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 20; page += 1) {
    const answer = await exchange(
      route,
      session,
      { jsonrpc: "2.0", id: 2, method: "tools/list", params: cursor === undefined ? {} : { cursor } },
      options,
    );
    if (answer.kind !== "result") return { ok: false, failure: answer };
    const result = answer.result as { tools?: unknown; nextCursor?: unknown };
    if (!Array.isArray(result.tools)) {
      return { ok: false, failure: { kind: "error", reason: "tools/list answered without a tools array" } };
    }
    tools.push(...result.tools);
    if (typeof result.nextCursor !== "string" || result.nextCursor === "") return { ok: true, tools };
    cursor = result.nextCursor;
  }
  return { ok: false, failure: { kind: "error", reason: "tools/list has more than 20 pages" } };
}

/** Ends an upstream session (best effort, no answer awaited beyond the deadline). */
export async function closeUpstream(route: McpUpstreamRoute, session: UpstreamSession, timeoutMs: number) {
  if (session.sessionId === undefined) return;
  await route.pool
    .request({
      method: "DELETE",
      path: route.path,
      headers: {
        ...route.credentialHeaders,
        "mcp-session-id": session.sessionId,
        "mcp-protocol-version": session.protocolVersion,
      },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    })
    .then((r) => r.body.dump())
    .catch(() => {});
}
