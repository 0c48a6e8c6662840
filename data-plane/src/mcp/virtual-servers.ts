// The MCP virtual servers of one snapshot: each merges the tools of several `mcp` upstreams into one server at
// /mcp/{server}. The gateway group's `settings.virtualServers` ({name: [upstream name…]}) names them; without it
// there is one server, `default`, with every mcp upstream. A tool name exposed by two upstreams of the same
// virtual server is prefixed on both, `<upstream>__<tool>`, so a call never reaches a guessed upstream (T10).
// Built once per snapshot with a keep-alive undici pool per upstream origin (unchanged origins carry over).
import { annotationsFromMcp, buildToolContext, type ToolContext } from "@portcullis/policy";
import type { EgressRules, SnapshotTool, SnapshotUpstream } from "@portcullis/proto";
import type { Pool } from "undici";
import type { ConfigEngine } from "../config/validate.ts";
import { credentialHeaders } from "../http-tools/tool-routes.ts";
import { DEFAULT_EGRESS_RULES, egressPool } from "../lib/egress-pool.ts";
import type { Logger } from "../log.ts";

export const DEFAULT_VIRTUAL_SERVER = "default";
/** Separates the upstream's name from the tool's in a prefixed tool name. */
export const PREFIX_SEPARATOR = "__";

export interface McpUpstreamRoute {
  readonly upstream: SnapshotUpstream;
  /** Origin and path of the upstream's Streamable HTTP endpoint. */
  readonly origin: string;
  readonly path: string;
  readonly pool: Pool;
  readonly credentialHeaders: Readonly<Record<string, string>>;
}

export interface McpToolRoute {
  /** The name agents see and call (prefixed when ambiguous). */
  readonly exposedName: string;
  readonly tool: SnapshotTool;
  readonly upstream: McpUpstreamRoute;
  readonly toolContext: ToolContext;
}

export interface VirtualServer {
  readonly name: string;
  /** Active tools by exposed name, in snapshot order. */
  readonly tools: ReadonlyMap<string, McpToolRoute>;
  /** The tools' policy views, for the list phase (same objects as in `tools`). */
  readonly toolContexts: readonly ToolContext[];
  readonly byContext: ReadonlyMap<ToolContext, McpToolRoute>;
}

export interface McpServers {
  readonly servers: ReadonlyMap<string, VirtualServer>;
  readonly pools: ReadonlyMap<string, Pool>;
}

const SERVER_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Which upstream names each virtual server has: the group's settings, or `default` with all mcp upstreams. */
function virtualServerMembers(engine: ConfigEngine, logger: Logger): Map<string, string[]> {
  const mcpNames = engine.resources.upstreams.filter((u) => u.kind === "mcp").map((u) => u.name);
  const configured = engine.resources.settings.virtualServers;
  const members = new Map<string, string[]>();
  if (configured === undefined || configured === null) {
    members.set(DEFAULT_VIRTUAL_SERVER, mcpNames);
    return members;
  }
  if (typeof configured !== "object" || Array.isArray(configured)) {
    logger.error({ version: engine.version }, "settings.virtualServers is not an object: no MCP virtual server served");
    return members;
  }
  for (const [name, list] of Object.entries(configured as Record<string, unknown>)) {
    if (!SERVER_NAME.test(name) || !Array.isArray(list) || !list.every((n) => typeof n === "string")) {
      logger.error({ server: name }, "virtual server skipped: bad name or not a list of upstream names");
      continue;
    }
    members.set(name, list as string[]);
  }
  return members;
}

export function buildMcpServers(
  engine: ConfigEngine,
  previous: McpServers | undefined,
  logger: Logger,
  egress: EgressRules = DEFAULT_EGRESS_RULES,
): McpServers {
  const pools = new Map<string, Pool>();
  const upstreamRoutes = new Map<string, McpUpstreamRoute | null>();
  const routeOf = (upstream: SnapshotUpstream): McpUpstreamRoute | null => {
    const known = upstreamRoutes.get(upstream.id);
    if (known !== undefined) return known;
    let route: McpUpstreamRoute | null = null;
    const problem = (reason: string) => logger.error({ upstream: upstream.id, reason }, "MCP upstream not routable");
    try {
      const url = new URL(upstream.url);
      const credential = credentialHeaders(upstream);
      if ((url.protocol !== "http:" && url.protocol !== "https:") || url.username || url.password || url.hash) {
        problem("the upstream URL must be http(s) without credentials or a fragment");
      } else if (credential === undefined) {
        problem("the upstream credential is not usable");
      } else {
        let pool = pools.get(url.origin);
        if (!pool) {
          pool = previous?.pools.get(url.origin) ?? egressPool(url.origin, egress);
          pools.set(url.origin, pool);
        }
        route = Object.freeze({
          upstream,
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          pool,
          credentialHeaders: Object.freeze(credential),
        });
      }
    } catch {
      problem("the upstream URL is not a URL");
    }
    upstreamRoutes.set(upstream.id, route);
    return route;
  };

  const servers = new Map<string, VirtualServer>();
  for (const [name, upstreamNames] of virtualServerMembers(engine, logger)) {
    const wanted = new Set(upstreamNames);
    const members = engine.resources.upstreams.filter((u) => u.kind === "mcp" && wanted.has(u.name));
    const memberIds = new Set(members.map((u) => u.id));
    const active = engine.resources.tools.filter((t) => memberIds.has(t.upstreamId) && t.status === "active");
    const count = new Map<string, number>();
    for (const tool of active) count.set(tool.name, (count.get(tool.name) ?? 0) + 1);
    const tools = new Map<string, McpToolRoute>();
    const byContext = new Map<ToolContext, McpToolRoute>();
    for (const tool of active) {
      const upstream = engine.upstreamsById.get(tool.upstreamId);
      const route = upstream ? routeOf(upstream) : null;
      if (!upstream || !route) continue;
      const exposedName =
        (count.get(tool.name) ?? 0) > 1 ? `${upstream.name}${PREFIX_SEPARATOR}${tool.name}` : tool.name;
      if (tools.has(exposedName)) {
        logger.warn({ server: name, tool: exposedName }, "MCP tool name still ambiguous after prefixing; not served");
        continue;
      }
      const toolContext = buildToolContext({
        name: tool.name,
        upstream: upstream.name,
        labels: tool.labels,
        annotations: annotationsFromMcp(tool.annotations as Parameters<typeof annotationsFromMcp>[0]),
        definition_hash: tool.pinnedHash,
      });
      const entry: McpToolRoute = Object.freeze({ exposedName, tool, upstream: route, toolContext });
      tools.set(exposedName, entry);
      byContext.set(toolContext, entry);
    }
    servers.set(name, Object.freeze({ name, tools, toolContexts: [...byContext.keys()], byContext }));
  }
  return { servers, pools };
}
