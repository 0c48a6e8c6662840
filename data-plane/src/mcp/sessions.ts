// Gateway MCP sessions (2025-11-25 Streamable HTTP): the Mcp-Session-Id the gateway issues at `initialize`, 256
// random bits from the CSPRNG, bound to the virtual server and to the caller that initialized it (the session
// token's `sid`, the operator and the agent). Each holds its upstream MCP sessions, opened lazily on first use.
// In memory, per process; idle sessions expire, and past the bound the least recently used one is dropped.
import { randomBytes } from "node:crypto";
import type { UpstreamSession } from "./upstream-client.ts";

export interface McpSessionBinding {
  server: string;
  /** The session token's `sid`, `sub` and `act.sub`. */
  tokenSid: string;
  subject: string;
  agentId: string;
}

export interface McpSession extends McpSessionBinding {
  readonly id: string;
  readonly protocolVersion: string;
  lastUsedMs: number;
  /** Upstream sessions by upstream id + URL; a pending initialize is shared by concurrent calls. */
  readonly upstreams: Map<string, Promise<UpstreamSession | undefined>>;
}

export type SessionLookup =
  | { ok: true; session: McpSession }
  | { ok: false; code: "session_not_found" | "session_binding_violation" };

export interface McpSessionStore {
  create(binding: McpSessionBinding, protocolVersion: string): McpSession;
  /** The live session with this id, if it is bound to exactly this caller and server. */
  lookup(id: string, binding: McpSessionBinding): SessionLookup;
  /** Ends a session; returns it (for closing its upstream sessions) or undefined. */
  remove(id: string): McpSession | undefined;
  size(): number;
}

export function createMcpSessionStore(
  options: { idleTtlMs?: number; maxSessions?: number; now?: () => number } = {},
): McpSessionStore {
  const now = options.now ?? Date.now;
  const idleTtlMs = options.idleTtlMs ?? 30 * 60_000;
  const maxSessions = options.maxSessions ?? 100_000;
  const sessions = new Map<string, McpSession>();

  const sweep = () => {
    const at = now();
    for (const s of sessions.values()) if (at > s.lastUsedMs + idleTtlMs) sessions.delete(s.id);
  };

  return {
    create(binding, protocolVersion) {
      if (sessions.size >= maxSessions) {
        sweep();
        if (sessions.size >= maxSessions) {
          const lru = sessions.keys().next().value;
          if (lru !== undefined) sessions.delete(lru);
        }
      }
      const session: McpSession = {
        ...binding,
        id: randomBytes(32).toString("base64url"),
        protocolVersion,
        lastUsedMs: now(),
        upstreams: new Map(),
      };
      sessions.set(session.id, session);
      return session;
    },
    lookup(id, binding) {
      const session = sessions.get(id);
      if (!session) return { ok: false, code: "session_not_found" };
      const at = now();
      if (at > session.lastUsedMs + idleTtlMs) {
        sessions.delete(id);
        return { ok: false, code: "session_not_found" };
      }
      if (
        session.server !== binding.server ||
        session.tokenSid !== binding.tokenSid ||
        session.subject !== binding.subject ||
        session.agentId !== binding.agentId
      ) {
        return { ok: false, code: "session_binding_violation" };
      }
      session.lastUsedMs = at;
      sessions.delete(id); // most recently used goes last
      sessions.set(id, session);
      return { ok: true, session };
    },
    remove(id) {
      const session = sessions.get(id);
      sessions.delete(id);
      return session;
    },
    size: () => sessions.size,
  };
}
