// The request path's router: every path but /healthz and /readyz. A node that is not ready answers 503 not_ready
// for everything; a ready one serves POST /tools/{tool}/invoke with the serving config of the snapshot current
// when the request arrived (rebuilt when the config changes), the MCP virtual servers at /mcp/{server} (with their
// RFC 9728 metadata at /.well-known/oauth-protected-resource/mcp/{server}), the A2A agents at /a2a/{upstream} (with
// their re-signed cards at /a2a/{upstream}/.well-known/agent-card.json), and 404 for anything else.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { BlockList } from "node:net";
import type { EgressRules } from "@portcullis/proto";
import type { Pool } from "undici";
import { type A2aEndpoint, createA2aEndpoint } from "../a2a/a2a-endpoint.ts";
import type { TaskOwnerStore } from "../a2a/task-owners.ts";
import { type ApprovalGateSettings, DEFAULT_APPROVAL_TIMEOUT_MS } from "../approvals/approval-gate.ts";
import { createAssertionMinter } from "../assertions/mint-assertion.ts";
import { createDecisionRecorder, type SpoolFullPolicy } from "../audit/record-decision.ts";
import type { ConfigEngine } from "../config/validate.ts";
import type { Logger } from "../log.ts";
import { createListStreams } from "../mcp/list-streams.ts";
import { closeUpstreams, createMcpEndpoint, type HandleMcp, protectedResourceMetadata } from "../mcp/mcp-endpoint.ts";
import { createMcpSessionStore } from "../mcp/sessions.ts";
import { createToolPins } from "../mcp/tool-pins.ts";
import { createDataPlaneMetrics, type DataPlaneMetrics } from "../metrics.ts";
import type { DataPlaneNode } from "../node.ts";
import type { QuotaStore } from "../quota/quota-store.ts";
import { DEFAULT_SESSION_IDLE_TTL_MS, type SessionLedger } from "../session/ledger.ts";
import { newRequestId, noteDecision } from "./access-log.ts";
import { createOriginGuard } from "./origin-guard.ts";
import { sendError, sendJson } from "./replies.ts";
import { A2A_CARD_PATH, A2A_PATH, MCP_METADATA_PATH, MCP_PATH, TOOL_PATH } from "./routes.ts";
import { buildServingConfig, type ServingConfig } from "./serving-config.ts";
import {
  createStalenessWatch,
  DEFAULT_STALENESS,
  type StalenessReport,
  type StalenessSettings,
  type StalenessWatch,
} from "./staleness.ts";
import { createToolsInvoke, type HttpToolsSettings, type InvokeTool } from "./tools-invoke.ts";

export interface RouterOptions {
  ledger: SessionLedger;
  /** Counters of the gateway group's rate limits (memory, or Redis shared by the nodes). */
  quota: QuotaStore;
  /** Holding approval-gated calls and the bound of the approval step (defaults: no hold, 10 s). */
  approvals?: ApprovalGateSettings;
  /** How often an upstream's tool definitions are re-checked against their pins (T08). Default 60 s. */
  pinRecheckMs?: number;
  /** The MCP sessions' GET streams: keep-alive interval and how many one node holds (list-streams.ts defaults). */
  mcpStreams?: { keepAliveMs?: number; maxStreams?: number };
  settings: HttpToolsSettings;
  spoolFullPolicy: SpoolFullPolicy;
  /** Who owns each A2A task (memory, or Redis shared by the nodes). */
  taskOwners: TaskOwnerStore;
  /** Private ranges A2A push notification URLs may point to (PORTCULLIS_DP_A2A_PUSH_ALLOW). */
  pushAllow: BlockList;
  /** Browser origins agents may call from (PORTCULLIS_DP_ALLOWED_ORIGINS); requests without Origin always pass. */
  allowedOrigins?: ReadonlySet<string>;
  /** Which addresses upstream connections may not reach (T11); default: link-local, metadata and the like. */
  egress?: EgressRules;
  /** Idle time after which a gateway MCP session (either era) expires and its upstream sessions end (default 30 min). */
  sessionIdleMs?: number;
  /** How long the node serves without word from the control plane before it alarms (R05); default 600 s, serve. */
  staleness?: StalenessSettings;
  /** The node's metrics: decisions, upstream and policy timings (default: a registry of its own, unexposed). */
  metrics?: DataPlaneMetrics;
  logger: Logger;
}

export interface DataPlaneRouter {
  /** Serves a request for any path but the health endpoints; `notReadyReason` is the node's, when not ready. */
  handle(req: IncomingMessage, res: ServerResponse, notReadyReason: string | undefined): void;
  /** Binds the router to the started node: its snapshots, spool and assertion key. */
  attach(node: DataPlaneNode): void;
  /** Requests being served. */
  inFlight(): number;
  /** How long the control plane has been silent, once attached (R05). */
  staleness(): StalenessReport | undefined;
  /** Stops following config changes and closes the upstream pools (in-flight upstream calls are aborted). */
  close(): Promise<void>;
}

/** Every upstream pool a serving config holds (HTTP tools and MCP upstreams). */
const poolsOf = (serving: ServingConfig | undefined): Set<Pool> =>
  new Set([
    ...(serving?.tools.pools.values() ?? []),
    ...(serving?.mcp.pools.values() ?? []),
    ...(serving?.a2a.pools.values() ?? []),
  ]);

export function createRouter(options: RouterOptions): DataPlaneRouter {
  const { logger } = options;
  const metrics = options.metrics ?? createDataPlaneMetrics({ defaultMetrics: false });
  let node: DataPlaneNode | undefined;
  let invokeTool: InvokeTool | undefined;
  let handleMcp: HandleMcp | undefined;
  let a2a: A2aEndpoint | undefined;
  // MCP sessions outlive snapshots, like the session ledger. Expired ones end their upstream sessions and their
  // GET stream; the sweep runs every minute so an idle caller's upstream sessions do not outlive the TTL by much.
  const sessionIdleMs = options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_TTL_MS;
  const mcpSessions = createMcpSessionStore({
    idleTtlMs: sessionIdleMs,
    onEvict: (session) => {
      mcpStreams.end(session.id);
      void closeUpstreams(session, options.settings.upstreamTimeoutMs);
    },
  });
  const sessionSweep = setInterval(() => mcpSessions.sweep(), Math.min(60_000, Math.max(1_000, sessionIdleMs / 4)));
  sessionSweep.unref();
  // Their GET streams: each is re-checked when a snapshot is swapped in or the pin quarantine changes.
  const mcpStreams = createListStreams({ sessions: mcpSessions, logger, ...options.mcpStreams });
  // What upstreams list, against the snapshots' pins: outlives snapshots (a re-approval brings a new pin).
  const pins = createToolPins({
    recheckMs: options.pinRecheckMs ?? 60_000,
    onChange: () => {
      if (serving) mcpStreams.recheck(serving);
    },
  });
  let serving: ServingConfig | undefined;
  let staleness: StalenessWatch | undefined;
  let unsubscribe: (() => void) | undefined;
  let active = 0;
  const retiring = new Map<NodeJS.Timeout, Set<Pool>>();
  // Pools of a replaced snapshot close once no request can still be about to use them.
  const retireDelayMs = options.settings.upstreamTimeoutMs + 5_000;
  const originGuard = createOriginGuard({
    allowed: options.allowedOrigins ?? new Set(),
    logger,
    onReject: () => metrics.refused("origin_not_allowed"),
  });

  function servingFor(engine: ConfigEngine): ServingConfig {
    if (serving?.engine === engine) return serving;
    const previous = serving;
    const next = buildServingConfig(engine, previous, {
      issuer: node?.identity.issuer ?? "",
      logger,
      ...(options.egress ? { egress: options.egress } : {}),
    });
    serving = next;
    mcpStreams.recheck(next);
    if (previous) {
      const old = poolsOf(previous);
      const timer = setTimeout(() => {
        retiring.delete(timer);
        const keep = poolsOf(serving);
        for (const pool of old) if (!keep.has(pool)) void pool.close().catch(() => {});
      }, retireDelayMs);
      timer.unref();
      retiring.set(timer, old);
    }
    logger.info(
      { version: engine.version, httpTools: next.tools.byName.size, mcpServers: [...next.mcp.servers.keys()] },
      "request path serving snapshot",
    );
    return next;
  }

  return {
    attach(started) {
      node = started;
      staleness?.stop();
      const watch = createStalenessWatch({
        lastContactAt: () => started.config.status().lastContactAt,
        servingVersion: () => started.config.current()?.version,
        settings: options.staleness ?? DEFAULT_STALENESS,
        logger,
      });
      staleness = watch;
      const recorder = createDecisionRecorder({
        spool: started.spool,
        spoolFull: () => started.spoolFull(),
        policy: options.spoolFullPolicy,
        logger,
        observer: {
          decision(event, recorded) {
            metrics.decision(event, recorded);
            noteDecision(event);
          },
          auditEvent: (event, recorded) => metrics.auditEvent(event, recorded),
        },
      });
      metrics.attach({
        node: started,
        inFlight: () => active,
        quarantined: () => pins.quarantined(),
        controlPlane: () => staleness?.report(),
      });
      const mintAssertion = createAssertionMinter({ issuer: started.identity.issuer, key: started.identity.assertion });
      const approvals = {
        client: started.approvals,
        settings: options.approvals ?? { holdMs: 0, timeoutMs: DEFAULT_APPROVAL_TIMEOUT_MS },
      };
      invokeTool = createToolsInvoke({
        staleness: watch,
        ledger: options.ledger,
        metrics,
        quota: options.quota,
        approvals,
        recorder,
        mintAssertion,
        settings: options.settings,
        logger,
      });
      handleMcp = createMcpEndpoint({
        staleness: watch,
        ledger: options.ledger,
        metrics,
        quota: options.quota,
        approvals,
        pins,
        recorder,
        mintAssertion,
        settings: options.settings,
        sessions: mcpSessions,
        streams: mcpStreams,
        issuer: started.identity.issuer,
        logger,
      });
      a2a = createA2aEndpoint({
        staleness: watch,
        ledger: options.ledger,
        metrics,
        quota: options.quota,
        recorder,
        mintAssertion,
        settings: options.settings,
        owners: options.taskOwners,
        pushAllow: options.pushAllow,
        issuer: started.identity.issuer,
        cardKey: started.identity.assertion,
        logger,
      });
      unsubscribe = started.config.onChange((engine) => servingFor(engine));
      const current = started.config.current();
      if (current) servingFor(current);
    },

    handle(req, res, notReadyReason) {
      const requestId = newRequestId();
      // T03: before anything else (readiness, authentication, the body).
      if (!originGuard.admit(req, res, requestId)) return;
      const engine = notReadyReason ? undefined : node?.config.current();
      if (!engine || !invokeTool) {
        sendError(res, "not_ready", notReadyReason ?? "the node is starting", requestId);
        return;
      }
      const pathname = (req.url ?? "/").split("?")[0] as string;
      const mcpMatch = MCP_PATH.exec(pathname);
      if (mcpMatch && handleMcp) {
        active += 1;
        handleMcp(servingFor(engine), req, res, mcpMatch[1] as string)
          .catch((error: Error) => {
            logger.error({ err: error.message }, "MCP request failed");
            sendJson(res, 500, { jsonrpc: "2.0", id: null, error: { code: -32603, message: "Internal error" } });
          })
          .finally(() => {
            active -= 1;
          });
        return;
      }
      const a2aMatch = A2A_PATH.exec(pathname);
      const cardMatch = a2aMatch ? null : A2A_CARD_PATH.exec(pathname);
      if ((a2aMatch || cardMatch) && a2a) {
        const endpoint = a2a;
        if (cardMatch && req.method !== "GET" && req.method !== "HEAD") {
          sendError(res, "method_not_allowed", "use GET", requestId, { headers: { allow: "GET" } });
          return;
        }
        active += 1;
        const serving = servingFor(engine);
        const served = a2aMatch
          ? endpoint.handleRpc(serving, req, res, a2aMatch[1] as string)
          : endpoint.handleCard(serving, req, res, (cardMatch as RegExpExecArray)[1] as string);
        served
          .catch((error: Error) => {
            logger.error({ err: error.message }, "A2A request failed");
            if (a2aMatch)
              sendJson(res, 500, { jsonrpc: "2.0", id: null, error: { code: -32603, message: "Internal error" } });
            else sendError(res, "internal_error", "internal error", requestId);
          })
          .finally(() => {
            active -= 1;
          });
        return;
      }
      const metadataMatch = MCP_METADATA_PATH.exec(pathname);
      if (metadataMatch && node) {
        if (req.method !== "GET" && req.method !== "HEAD") {
          sendError(res, "method_not_allowed", "use GET", requestId, { headers: { allow: "GET" } });
          return;
        }
        const server = metadataMatch[1] as string;
        if (!servingFor(engine).mcp.servers.has(server)) {
          sendError(res, "not_found", "no such MCP server", requestId);
          return;
        }
        sendJson(res, 200, protectedResourceMetadata(req, server, node.identity.issuer));
        return;
      }
      const match = TOOL_PATH.exec(pathname);
      if (!match) {
        sendError(res, "not_found", "no such route", requestId);
        return;
      }
      if (req.method !== "POST") {
        sendError(res, "method_not_allowed", "use POST", requestId, { headers: { allow: "POST" } });
        return;
      }
      let toolName: string;
      try {
        toolName = decodeURIComponent(match[1] as string);
      } catch {
        sendError(res, "not_found", "no such route", requestId);
        return;
      }
      active += 1;
      invokeTool(servingFor(engine), req, res, toolName)
        .catch((error: Error) => {
          logger.error({ err: error.message }, "request failed");
          sendError(res, "internal_error", "internal error", requestId);
        })
        .finally(() => {
          active -= 1;
        });
    },

    inFlight: () => active,

    staleness: () => staleness?.report(),

    async close() {
      staleness?.stop();
      unsubscribe?.();
      clearInterval(sessionSweep);
      mcpStreams.close();
      const pools = poolsOf(serving);
      for (const [timer, old] of retiring) {
        clearTimeout(timer);
        for (const pool of old) pools.add(pool);
      }
      retiring.clear();
      await Promise.all([...pools].map((pool) => pool.destroy().catch(() => {})));
    },
  };
}
