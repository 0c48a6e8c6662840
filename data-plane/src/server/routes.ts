// The agent-facing listener's paths, matched by the router and named (kind, template) for metrics and the access
// log, which never show the raw path.
import type { RouteKind } from "../metrics.ts";

export const TOOL_PATH = /^\/tools\/([^?#]+)\/invoke$/;
export const MCP_PATH = /^\/mcp\/([A-Za-z0-9_-]{1,64})$/;
export const MCP_METADATA_PATH = /^\/\.well-known\/oauth-protected-resource\/mcp\/([A-Za-z0-9_-]{1,64})$/;
export const A2A_PATH = /^\/a2a\/([a-z0-9][a-z0-9._-]{0,62})$/;
export const A2A_CARD_PATH = /^\/a2a\/([a-z0-9][a-z0-9._-]{0,62})\/\.well-known\/agent-card\.json$/;

const ROUTES: readonly [RegExp, RouteKind, string][] = [
  [MCP_PATH, "mcp", "/mcp/{server}"],
  [TOOL_PATH, "http_tool", "/tools/{tool}/invoke"],
  [A2A_PATH, "a2a", "/a2a/{agent}"],
  [A2A_CARD_PATH, "a2a_card", "/a2a/{agent}/.well-known/agent-card.json"],
  [MCP_METADATA_PATH, "oauth_metadata", "/.well-known/oauth-protected-resource/mcp/{server}"],
];

/** What a path (without its query) addresses, and its template. */
export function routeOf(pathname: string): { kind: RouteKind; template: string } {
  if (pathname === "/healthz") return { kind: "healthz", template: "/healthz" };
  if (pathname === "/readyz") return { kind: "readyz", template: "/readyz" };
  for (const [pattern, kind, template] of ROUTES) if (pattern.test(pathname)) return { kind, template };
  return { kind: "unmatched", template: "unmatched" };
}
