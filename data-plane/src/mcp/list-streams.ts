// The standalone GET stream of a gateway MCP session (Streamable HTTP 2025-11-25, "listening for messages from
// the server"): an SSE stream on which the gateway sends `notifications/tools/list_changed` when what this caller
// may see in tools/list changes. The endpoint authenticates the GET and binds it to its session exactly like a
// POST (mcp-endpoint.ts); this module holds the open streams. After each snapshot swap and each change of the
// pin quarantine (T08) every stream re-authenticates its caller against the new snapshot, recomputes the caller's
// filtered tools/list and notifies only when it differs from the list it last saw; a caller that no longer
// authenticates (key rotated out, agent disabled, binding changed) or whose virtual server is gone loses its
// stream. A stream ends at its token's `exp`, when its session is deleted or expires (checked at each keep-alive),
// and when the node stops. One stream per session (a second GET is 409), a bound per node (503 past it). No event
// ids: a reconnect (Last-Event-ID) opens a fresh stream, nothing is replayed (the notification is idempotent:
// the client lists again). Upstreams' own notifications are never relayed (the gateway's list is policy-filtered).
import type { IncomingMessage, ServerResponse } from "node:http";
import { canonicalJson, sha256Hex } from "@portcullis/proto";
import type { Logger } from "../log.ts";
import { authenticateCaller, type ResolvedCaller, resolveCaller } from "../server/call-steps.ts";
import { sendJson } from "../server/replies.ts";
import type { ServingConfig } from "../server/serving-config.ts";
import { RPC } from "./json-rpc.ts";
import type { McpSession, McpSessionStore } from "./sessions.ts";
import type { VirtualServer } from "./virtual-servers.ts";

export const DEFAULT_STREAM_KEEPALIVE_MS = 15_000;
export const DEFAULT_MAX_STREAMS = 10_000;

export interface OpenStream {
  req: IncomingMessage;
  res: ServerResponse;
  session: McpSession;
  /** The token's `exp`, in ms since the epoch: the stream closes then. */
  expiresAtMs: number;
  /** The serving config the GET was authenticated with (the baseline list is computed from it). */
  serving: ServingConfig;
  /** The caller's filtered tools/list, exactly as tools/list answers it. */
  list: (serving: ServingConfig, server: VirtualServer, caller: ResolvedCaller) => unknown[];
}

export interface ListStreams {
  /** Answers a bound, authenticated GET: opens the stream, or refuses (406, 409, 503). */
  open(stream: OpenStream): void;
  /** Re-checks every stream against this serving config (after a snapshot swap or a pin change). */
  recheck(serving: ServingConfig): void;
  /** Ends the stream of a session (the session was deleted). */
  end(sessionId: string): void;
  /** Streams open on this node. */
  size(): number;
  /** Ends every stream (the node stops). */
  close(): void;
}

interface Stream {
  readonly open: OpenStream;
  /** SHA-256 of the canonical JSON of the list the caller last saw. */
  seen: string;
  /** Rechecks run one at a time per stream, against the latest serving config. */
  chain: Promise<void>;
  readonly timers: NodeJS.Timeout[];
}

const listDigest = (tools: unknown[]) => sha256Hex(canonicalJson(tools as Parameters<typeof canonicalJson>[0]));

const LIST_CHANGED = `event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", method: "notifications/tools/list_changed" })}\n\n`;

export function createListStreams(options: {
  sessions: McpSessionStore;
  logger: Logger;
  keepAliveMs?: number;
  maxStreams?: number;
  now?: () => number;
}): ListStreams {
  const { sessions, logger } = options;
  const keepAliveMs = options.keepAliveMs ?? DEFAULT_STREAM_KEEPALIVE_MS;
  const maxStreams = options.maxStreams ?? DEFAULT_MAX_STREAMS;
  const now = options.now ?? Date.now;
  const streams = new Map<string, Stream>();
  let latest: ServingConfig | undefined;

  const finish = (sessionId: string, stream: Stream) => {
    if (streams.get(sessionId) !== stream) return;
    streams.delete(sessionId);
    for (const timer of stream.timers) clearTimeout(timer);
    const { res } = stream.open;
    if (!res.destroyed && !res.writableEnded) res.end();
  };

  /** The caller's list under `serving`, or undefined when the caller may no longer hold this stream. */
  const listUnder = async (stream: Stream, serving: ServingConfig): Promise<unknown[] | undefined> => {
    const { req, session, list } = stream.open;
    const auth = await authenticateCaller(serving, req);
    if (!auth.ok || auth.session.id !== session.tokenSid || auth.token.subject !== session.subject) return undefined;
    const caller = resolveCaller(serving, auth.token, auth.session);
    if (!caller.ok || caller.agent.id !== session.agentId) return undefined;
    const server = serving.mcp.servers.get(session.server);
    return server ? list(serving, server, caller) : undefined;
  };

  const check = (sessionId: string, stream: Stream) => {
    stream.chain = stream.chain.then(async () => {
      const serving = latest;
      if (!serving || streams.get(sessionId) !== stream) return;
      try {
        const tools = await listUnder(stream, serving);
        if (!tools) {
          logger.info({ server: stream.open.session.server }, "MCP stream closed: its caller no longer authenticates");
          return finish(sessionId, stream);
        }
        const digest = listDigest(tools);
        if (digest === stream.seen) return;
        stream.seen = digest;
        stream.open.res.write(LIST_CHANGED);
      } catch (error) {
        // Fail closed: a stream whose check failed is ended (the client may reconnect and list again).
        logger.error({ err: (error as Error).message }, "MCP stream check failed; the stream is closed");
        finish(sessionId, stream);
      }
    });
  };

  return {
    open(open) {
      const { req, res, session } = open;
      const refuse = (status: number, code: number, message: string, headers: Record<string, string> = {}) =>
        sendJson(res, status, { jsonrpc: "2.0", id: null, error: { code, message } }, { headers });
      if (!/\btext\/event-stream\b/.test(String(req.headers.accept ?? ""))) {
        return refuse(406, RPC.invalidRequest, "Not Acceptable: the GET stream needs Accept: text/event-stream");
      }
      if (streams.has(session.id)) {
        return refuse(409, RPC.invalidRequest, "Conflict: this session already has an open stream");
      }
      if (streams.size >= maxStreams) {
        return refuse(503, RPC.streamLimit, "this node holds as many MCP streams as it allows; try again later", {
          "retry-after": "30",
        });
      }
      const server = open.serving.mcp.servers.get(session.server);
      latest ??= open.serving;
      const stream: Stream = { open, seen: "", chain: Promise.resolve(), timers: [] };
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        "x-accel-buffering": "no",
      });
      res.write(": stream open\n\n");
      streams.set(session.id, stream);
      res.once("close", () => finish(session.id, stream));
      // The baseline: what the caller sees now (the endpoint resolved it against this serving config just before).
      stream.chain = (async () => {
        const tools = server ? await listUnder(stream, open.serving) : undefined;
        if (!tools) return finish(session.id, stream);
        stream.seen = listDigest(tools);
        // A snapshot may have been swapped in while the baseline was computed.
        if (latest !== open.serving) check(session.id, stream);
      })().catch(() => finish(session.id, stream));
      const untilExpiry = Math.max(0, open.expiresAtMs - now());
      const expiry = setTimeout(() => finish(session.id, stream), untilExpiry);
      expiry.unref();
      const tick = setInterval(() => {
        if (sessions.peek(session.id) !== session) return finish(session.id, stream);
        res.write(": keep-alive\n\n");
      }, keepAliveMs);
      tick.unref();
      stream.timers.push(expiry, tick);
    },
    recheck(serving) {
      latest = serving;
      for (const [sessionId, stream] of streams) check(sessionId, stream);
    },
    end(sessionId) {
      const stream = streams.get(sessionId);
      if (stream) finish(sessionId, stream);
    },
    size: () => streams.size,
    close() {
      for (const [sessionId, stream] of [...streams]) finish(sessionId, stream);
    },
  };
}
