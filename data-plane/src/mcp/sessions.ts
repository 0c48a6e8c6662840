// Gateway MCP sessions. 2025 era (Streamable HTTP 2025-11-25): the Mcp-Session-Id the gateway issues at
// `initialize`, 256 random bits from the CSPRNG, bound to the virtual server and to the caller that initialized it
// (the session token's `sid`, the operator and the agent). 2026-07-28 era (stateless, no transport session): one
// gateway session per caller (the same binding), found by that binding and never named to the client. Each holds
// its upstream MCP sessions (upstreams stay 2025-era servers), opened lazily on first use. In memory, per process;
// idle sessions expire, and past the bound the least recently used one is dropped; `onEvict` hears of both so
// their upstream sessions are ended.
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
  /**
   * The caller's stateless-era session for this binding (created on first use): the gateway session a 2026-07-28
   * caller's calls share, keyed by the binding itself, separate from every Mcp-Session-Id session.
   */
  forCaller(binding: McpSessionBinding, protocolVersion: string): McpSession;
  /** The live session with this id without using it (its idle time is not reset), or undefined. */
  peek(id: string): McpSession | undefined;
  /** Ends a session; returns it (for closing its upstream sessions) or undefined. */
  remove(id: string): McpSession | undefined;
  /** Drops the sessions idle past the TTL (each handed to `onEvict`). */
  sweep(): void;
  size(): number;
}

const callerKey = (b: McpSessionBinding, protocolVersion: string) =>
  JSON.stringify([protocolVersion, b.server, b.tokenSid, b.subject, b.agentId]);

export function createMcpSessionStore(
  options: {
    idleTtlMs?: number;
    maxSessions?: number;
    now?: () => number;
    /** A session dropped by expiry or the bound (not by `remove`): end its upstream sessions. */
    onEvict?: (session: McpSession) => void;
  } = {},
): McpSessionStore {
  const now = options.now ?? Date.now;
  const idleTtlMs = options.idleTtlMs ?? 30 * 60_000;
  const maxSessions = options.maxSessions ?? 100_000;
  const sessions = new Map<string, McpSession>();
  /** Stateless-era sessions: caller key → session id. */
  const byCaller = new Map<string, string>();
  const keyOf = new Map<string, string>();

  const drop = (id: string): McpSession | undefined => {
    const session = sessions.get(id);
    sessions.delete(id);
    const key = keyOf.get(id);
    if (key !== undefined) {
      keyOf.delete(id);
      byCaller.delete(key);
    }
    return session;
  };
  const evict = (id: string) => {
    const session = drop(id);
    if (session) options.onEvict?.(session);
  };
  const sweep = () => {
    const at = now();
    for (const s of sessions.values()) if (at > s.lastUsedMs + idleTtlMs) evict(s.id);
  };
  const touch = (session: McpSession) => {
    session.lastUsedMs = now();
    sessions.delete(session.id); // most recently used goes last
    sessions.set(session.id, session);
  };
  const create = (binding: McpSessionBinding, protocolVersion: string): McpSession => {
    if (sessions.size >= maxSessions) {
      sweep();
      if (sessions.size >= maxSessions) {
        const lru = sessions.keys().next().value;
        if (lru !== undefined) evict(lru);
      }
    }
    const session: McpSession = {
      server: binding.server,
      tokenSid: binding.tokenSid,
      subject: binding.subject,
      agentId: binding.agentId,
      id: randomBytes(32).toString("base64url"),
      protocolVersion,
      lastUsedMs: now(),
      upstreams: new Map(),
    };
    sessions.set(session.id, session);
    return session;
  };

  return {
    create(binding, protocolVersion) {
      return create(binding, protocolVersion);
    },
    lookup(id, binding) {
      const session = sessions.get(id);
      if (!session || keyOf.has(id)) return { ok: false, code: "session_not_found" };
      if (now() > session.lastUsedMs + idleTtlMs) {
        evict(id);
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
      touch(session);
      return { ok: true, session };
    },
    forCaller(binding, protocolVersion) {
      const key = callerKey(binding, protocolVersion);
      const id = byCaller.get(key);
      const found = id === undefined ? undefined : sessions.get(id);
      if (found && now() <= found.lastUsedMs + idleTtlMs) {
        touch(found);
        return found;
      }
      if (found) evict(found.id);
      const session = create(binding, protocolVersion);
      byCaller.set(key, session.id);
      keyOf.set(session.id, key);
      return session;
    },
    peek(id) {
      const session = sessions.get(id);
      if (session && now() > session.lastUsedMs + idleTtlMs) {
        evict(id);
        return undefined;
      }
      return session;
    },
    remove(id) {
      return drop(id);
    },
    sweep,
    size: () => sessions.size,
  };
}
