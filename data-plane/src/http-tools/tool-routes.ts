// The HTTP tools of one snapshot, ready to serve: each active tool on an `http` upstream with its compiled mapping,
// policy view (ToolContext), injected credential and a keep-alive undici pool per upstream origin. Built when a
// snapshot is applied; pools whose origin is unchanged carry over, the others close once their calls finish.
import { annotationsFromMcp, buildToolContext, type ToolContext } from "@portcullis/policy";
import type { EgressRules, SnapshotTool, SnapshotUpstream } from "@portcullis/proto";
import type { Pool } from "undici";
import type { ConfigEngine } from "../config/validate.ts";
import { DEFAULT_EGRESS_RULES, egressPool } from "../lib/egress-pool.ts";
import type { Logger } from "../log.ts";
import { compileHttpMapping, type HttpMapping } from "./http-mapping.ts";

export interface HttpToolRoute {
  readonly tool: SnapshotTool;
  readonly upstream: SnapshotUpstream;
  /** How policies see the tool; built once and reused by every call. */
  readonly toolContext: ToolContext;
  readonly mapping: HttpMapping;
  /** The upstream URL's path, without a trailing slash, prefixed to every tool path. */
  readonly basePath: string;
  readonly pool: Pool;
  /** The upstream credential as headers to inject (empty when it has none). */
  readonly credentialHeaders: Readonly<Record<string, string>>;
}

export interface ToolRoutes {
  /** By tool name. Names served by more than one HTTP upstream are left out (never routed to a guess). */
  readonly byName: ReadonlyMap<string, HttpToolRoute>;
  /** Pools by origin, for reuse by the next snapshot. */
  readonly pools: ReadonlyMap<string, Pool>;
}

export function buildToolRoutes(
  engine: ConfigEngine,
  previous: ToolRoutes | undefined,
  logger: Logger,
  egress: EgressRules = DEFAULT_EGRESS_RULES,
): ToolRoutes {
  const pools = new Map<string, Pool>();
  const byName = new Map<string, HttpToolRoute>();
  const ambiguous = new Set<string>();
  for (const tool of engine.resources.tools) {
    const upstream = engine.upstreamsById.get(tool.upstreamId);
    if (upstream?.kind !== "http" || tool.status !== "active" || tool.http === null) continue;
    const problem = (reason: string) =>
      logger.error({ tool: tool.name, toolId: tool.id, upstream: upstream.id, reason }, "HTTP tool not routable");
    let base: URL;
    try {
      base = new URL(upstream.url);
    } catch {
      problem("the upstream URL is not a URL");
      continue;
    }
    if ((base.protocol !== "http:" && base.protocol !== "https:") || base.username || base.password || base.search) {
      problem("the upstream URL must be http(s) without credentials or a query");
      continue;
    }
    const credential = credentialHeaders(upstream);
    if (credential === undefined) {
      problem("the upstream credential is not usable");
      continue;
    }
    const compiled = compileHttpMapping(tool.http, Object.keys(credential));
    if (!compiled.ok) {
      problem(compiled.error);
      continue;
    }
    if (byName.has(tool.name) || ambiguous.has(tool.name)) {
      ambiguous.add(tool.name);
      byName.delete(tool.name);
      logger.warn({ tool: tool.name }, "HTTP tool name served by several upstreams; not routed");
      continue;
    }
    let pool = pools.get(base.origin);
    if (!pool) {
      pool = previous?.pools.get(base.origin) ?? egressPool(base.origin, egress);
      pools.set(base.origin, pool);
    }
    byName.set(
      tool.name,
      Object.freeze({
        tool,
        upstream,
        toolContext: buildToolContext({
          name: tool.name,
          upstream: upstream.name,
          labels: tool.labels,
          annotations: annotationsFromMcp(tool.annotations as Parameters<typeof annotationsFromMcp>[0]),
          definition_hash: tool.pinnedHash,
        }),
        mapping: compiled.mapping,
        basePath: base.pathname.replace(/\/+$/, ""),
        pool,
        credentialHeaders: Object.freeze(credential),
      }),
    );
  }
  return { byName, pools };
}

/** `bearer` → Authorization; `header` → that header; none → {}. Undefined when the credential is malformed. */
export function credentialHeaders(upstream: SnapshotUpstream): Record<string, string> | undefined {
  const c = upstream.credential;
  if (c === null) return {};
  if (typeof c.value !== "string" || c.value === "" || /[\r\n\0]/.test(c.value)) return undefined;
  if (c.kind === "bearer") return { authorization: `Bearer ${c.value}` };
  if (
    c.kind === "header" &&
    typeof c.headerName === "string" &&
    /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/.test(c.headerName)
  ) {
    const name = c.headerName.toLowerCase();
    if (
      name.startsWith("portcullis-") ||
      ["host", "content-length", "content-type", "transfer-encoding", "connection"].includes(name)
    ) {
      return undefined;
    }
    return { [name]: c.value };
  }
  return undefined;
}
