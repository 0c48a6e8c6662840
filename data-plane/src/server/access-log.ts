// Per-request observation on the agent-facing listener: the request metrics, and (PORTCULLIS_DP_ACCESS_LOG=on) one
// JSON access log line per request. A request's context (its request id, the decision it concluded with) is kept
// in an AsyncLocalStorage while the access log is on, so the endpoints and the recorder add to it without being
// handed anything; with the log off no context is created and the lookups below find none.
// The line carries the path template and what the gateway decided, never the query string, headers, tokens,
// cookies or arguments.
import { AsyncLocalStorage } from "node:async_hooks";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { uuidv7 } from "@portcullis/proto";
import type { DecisionEvent } from "../audit/record-decision.ts";
import type { Logger } from "../log.ts";
import type { DataPlaneMetrics, RouteKind } from "../metrics.ts";
import { routeOf } from "./routes.ts";

interface AccessContext {
  requestId?: string;
  decision?: DecisionEvent;
  /** The authenticated agent, for requests that conclude no call (MCP initialize, tools/list, …). */
  agent?: { name: string; id: string };
}

const contexts = new AsyncLocalStorage<AccessContext>();

/** A new request id (UUIDv7); the access log line of the request being served carries the last one made. */
export function newRequestId(): string {
  const id = uuidv7();
  const context = contexts.getStore();
  if (context) context.requestId = id;
  return id;
}

/** Notes the agent a request was authenticated as (its name and snapshot id). */
export function noteAgent(agent: { name: string; id: string }): void {
  const context = contexts.getStore();
  if (context) context.agent = agent;
}

/** Notes the decision a request concluded with (called by the recorder's observer). */
export function noteDecision(event: DecisionEvent): void {
  const context = contexts.getStore();
  if (context) context.decision = event;
}

const LOGGED_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** Per connection, the byte counts when its last request ended (keep-alive connections carry many). */
const marks = new WeakMap<Socket, { read: number; written: number }>();

export type ObserveRequest = (req: IncomingMessage, res: ServerResponse, serve: () => void) => void;

/** Wraps the listener's handler: every request is counted when it ends, and logged when `accessLog` is on. */
export function createRequestObserver(options: {
  metrics: DataPlaneMetrics;
  logger: Logger;
  accessLog: boolean;
}): ObserveRequest {
  const { metrics, logger, accessLog } = options;
  return (req, res, serve) => {
    const startedAt = performance.now();
    const socket = req.socket;
    // Read now: a destroyed socket no longer has it.
    const remote = socket.remoteAddress;
    const context: AccessContext | undefined = accessLog ? {} : undefined;
    res.once("close", () => {
      const seconds = (performance.now() - startedAt) / 1000;
      const url = req.url ?? "/";
      const query = url.indexOf("?");
      const route = routeOf(query === -1 ? url : url.slice(0, query));
      // Headers not sent: the client went away (or the connection broke) before any answer.
      const status = res.headersSent ? res.statusCode : 0;
      metrics.request(route.kind, status, seconds);
      // Health probes (every few seconds from each load balancer) are counted, not logged.
      if (!context || route.kind === "healthz" || route.kind === "readyz") return;
      const decision = context.decision;
      // What crossed the connection since the previous request on it ended: this request, headers included.
      const mark = marks.get(socket);
      const read = socket.bytesRead;
      const written = socket.bytesWritten;
      marks.set(socket, { read, written });
      logger.info(
        {
          type: "access",
          request_id: context.requestId,
          decision_id: decision?.id,
          method: LOGGED_METHODS.has(req.method ?? "") ? req.method : "other",
          route: route.template,
          status,
          ...(res.writableFinished ? {} : { aborted: true }),
          bytes_in: read - (mark?.read ?? 0),
          bytes_out: written - (mark?.written ?? 0),
          duration_ms: Math.round(seconds * 1e6) / 1000,
          protocol: decision ? decision.protocol : protocolOf(route.kind),
          agent: decision ? decision.agent_id : context.agent?.name,
          agent_id: decision ? decision.agent_ref : context.agent?.id,
          tool: decision?.tool,
          upstream: decision?.upstream,
          outcome: decision?.outcome,
          code: decision?.code,
          remote,
        },
        "request",
      );
    });
    if (context) contexts.run(context, serve);
    else serve();
  };
}

function protocolOf(kind: RouteKind): string | undefined {
  if (kind === "mcp" || kind === "oauth_metadata") return "mcp";
  if (kind === "http_tool") return "http-tools";
  if (kind === "a2a" || kind === "a2a_card") return "a2a";
  return undefined;
}
