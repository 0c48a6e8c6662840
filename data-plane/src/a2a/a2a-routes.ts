// The A2A agents of one snapshot: each upstream of kind `a2a`, served at /a2a/{upstream name}, with a keep-alive
// pool for its origin, its injected credential, where its card is, and its policy views: one tool context per A2A
// method (`a2a:{V1Method}`, the upstream's name and labels), built once per snapshot.
import { buildToolContext, type ToolContext } from "@portcullis/policy";
import type { EgressRules, SnapshotUpstream } from "@portcullis/proto";
import type { Pool } from "undici";
import type { ConfigEngine } from "../config/validate.ts";
import { credentialHeaders } from "../http-tools/tool-routes.ts";
import { DEFAULT_EGRESS_RULES, egressPool } from "../lib/egress-pool.ts";
import type { Logger } from "../log.ts";
import { CARD_PATH } from "./agent-card.ts";
import { A2A_METHODS, type A2aMethod, a2aToolName } from "./methods.ts";

/** Methods that only read: annotated `read_only` for policies. */
const READ_ONLY = new Set([
  "GetTask",
  "ListTasks",
  "SubscribeToTask",
  "GetTaskPushNotificationConfig",
  "ListTaskPushNotificationConfigs",
  "GetExtendedAgentCard",
]);

export interface A2aRoute {
  readonly upstream: SnapshotUpstream;
  readonly origin: string;
  /** Path (and query) of the upstream's JSON-RPC endpoint. */
  readonly path: string;
  /** Path (and query) of the upstream's agent card: `settings.cardPath`, or /.well-known/agent-card.json. */
  readonly cardPath: string;
  readonly pool: Pool;
  readonly credentialHeaders: Readonly<Record<string, string>>;
  /** `settings.sensitive`: each call's audit record is durable before the answer is released. */
  readonly sensitive: boolean;
  /** Policy views by V1 method name. */
  readonly toolContexts: ReadonlyMap<string, ToolContext>;
}

export interface A2aRoutes {
  readonly byName: ReadonlyMap<string, A2aRoute>;
  readonly pools: ReadonlyMap<string, Pool>;
}

export const A2A_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export function buildA2aRoutes(
  engine: ConfigEngine,
  previous: A2aRoutes | undefined,
  logger: Logger,
  egress: EgressRules = DEFAULT_EGRESS_RULES,
): A2aRoutes {
  const pools = new Map<string, Pool>();
  const byName = new Map<string, A2aRoute>();
  const v1Methods = new Set<A2aMethod>(A2A_METHODS.values());
  for (const upstream of engine.resources.upstreams) {
    if (upstream.kind !== "a2a") continue;
    const problem = (reason: string) => logger.error({ upstream: upstream.id, reason }, "A2A upstream not routable");
    if (!A2A_NAME.test(upstream.name)) {
      problem("the upstream name cannot be a path segment");
      continue;
    }
    let url: URL;
    try {
      url = new URL(upstream.url);
    } catch {
      problem("the upstream URL is not a URL");
      continue;
    }
    if ((url.protocol !== "http:" && url.protocol !== "https:") || url.username || url.password || url.hash) {
      problem("the upstream URL must be http(s) without credentials or a fragment");
      continue;
    }
    const credential = credentialHeaders(upstream);
    if (credential === undefined) {
      problem("the upstream credential is not usable");
      continue;
    }
    const cardSetting = upstream.settings.cardPath;
    if (cardSetting !== undefined && (typeof cardSetting !== "string" || !cardSetting.startsWith("/"))) {
      problem("settings.cardPath must be a path on the upstream's origin, starting with /");
      continue;
    }
    let pool = pools.get(url.origin);
    if (!pool) {
      pool = previous?.pools.get(url.origin) ?? egressPool(url.origin, egress);
      pools.set(url.origin, pool);
    }
    const toolContexts = new Map<string, ToolContext>();
    for (const method of v1Methods) {
      toolContexts.set(
        method.v1,
        buildToolContext({
          name: a2aToolName(method),
          upstream: upstream.name,
          labels: upstream.labels,
          annotations: { read_only: READ_ONLY.has(method.v1) },
        }),
      );
    }
    byName.set(
      upstream.name,
      Object.freeze({
        upstream,
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        cardPath: typeof cardSetting === "string" ? cardSetting : CARD_PATH,
        pool,
        credentialHeaders: Object.freeze(credential),
        sensitive: upstream.settings.sensitive === true,
        toolContexts,
      }),
    );
  }
  return { byName, pools };
}
