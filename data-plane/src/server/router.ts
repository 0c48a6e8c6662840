// The request path's router: every path but /healthz and /readyz. A node that is not ready answers 503 not_ready
// for everything; a ready one serves POST /tools/{tool}/invoke with the serving config of the snapshot current
// when the request arrived (rebuilt when the config changes), and 404 for anything else.
import type { IncomingMessage, ServerResponse } from "node:http";
import { uuidv7 } from "@portcullis/proto";
import { createAssertionMinter } from "../assertions/mint-assertion.ts";
import { createDecisionRecorder, type SpoolFullPolicy } from "../audit/record-decision.ts";
import type { ConfigEngine } from "../config/validate.ts";
import { retireToolRoutes, type ToolRoutes } from "../http-tools/tool-routes.ts";
import type { Logger } from "../log.ts";
import type { DataPlaneNode } from "../node.ts";
import type { SessionLedger } from "../session/ledger.ts";
import { sendError } from "./replies.ts";
import { buildServingConfig, type ServingConfig } from "./serving-config.ts";
import { createToolsInvoke, type HttpToolsSettings, type InvokeTool } from "./tools-invoke.ts";

export interface RouterOptions {
  ledger: SessionLedger;
  settings: HttpToolsSettings;
  spoolFullPolicy: SpoolFullPolicy;
  logger: Logger;
}

export interface DataPlaneRouter {
  /** Serves a request for any path but the health endpoints; `notReadyReason` is the node's, when not ready. */
  handle(req: IncomingMessage, res: ServerResponse, notReadyReason: string | undefined): void;
  /** Binds the router to the started node: its snapshots, spool and assertion key. */
  attach(node: DataPlaneNode): void;
  /** Requests being served. */
  inFlight(): number;
  /** Stops following config changes and closes the upstream pools (in-flight upstream calls are aborted). */
  close(): Promise<void>;
}

const TOOL_PATH = /^\/tools\/([^?#]+)\/invoke$/;

export function createRouter(options: RouterOptions): DataPlaneRouter {
  const { logger } = options;
  let node: DataPlaneNode | undefined;
  let invokeTool: InvokeTool | undefined;
  let serving: ServingConfig | undefined;
  let unsubscribe: (() => void) | undefined;
  let active = 0;
  const retiring = new Map<NodeJS.Timeout, ToolRoutes>();
  // Pools of a replaced snapshot close once no request can still be about to use them.
  const retireDelayMs = options.settings.upstreamTimeoutMs + 5_000;

  function servingFor(engine: ConfigEngine): ServingConfig {
    if (serving?.engine === engine) return serving;
    const previous = serving;
    const next = buildServingConfig(engine, previous, { issuer: node?.identity.issuer ?? "", logger });
    serving = next;
    if (previous) {
      const timer = setTimeout(() => {
        retiring.delete(timer);
        void retireToolRoutes(previous.tools, serving?.tools);
      }, retireDelayMs);
      timer.unref();
      retiring.set(timer, previous.tools);
    }
    logger.info({ version: engine.version, httpTools: next.tools.byName.size }, "request path serving snapshot");
    return next;
  }

  return {
    attach(started) {
      node = started;
      invokeTool = createToolsInvoke({
        ledger: options.ledger,
        recorder: createDecisionRecorder({
          spool: started.spool,
          spoolFull: () => started.spoolFull(),
          policy: options.spoolFullPolicy,
          logger,
        }),
        mintAssertion: createAssertionMinter({ issuer: started.identity.issuer, key: started.identity.assertion }),
        settings: options.settings,
        logger,
      });
      unsubscribe = started.config.onChange((engine) => servingFor(engine));
      const current = started.config.current();
      if (current) servingFor(current);
    },

    handle(req, res, notReadyReason) {
      const requestId = uuidv7();
      const engine = notReadyReason ? undefined : node?.config.current();
      if (!engine || !invokeTool) {
        sendError(res, "not_ready", notReadyReason ?? "the node is starting", requestId);
        return;
      }
      const pathname = (req.url ?? "/").split("?")[0] as string;
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

    async close() {
      unsubscribe?.();
      const pools = new Set(serving?.tools.pools.values() ?? []);
      for (const [timer, routes] of retiring) {
        clearTimeout(timer);
        for (const pool of routes.pools.values()) pools.add(pool);
      }
      retiring.clear();
      await Promise.all([...pools].map((pool) => pool.destroy().catch(() => {})));
    },
  };
}
