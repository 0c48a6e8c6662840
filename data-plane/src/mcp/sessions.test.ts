// The gateway MCP session store: Mcp-Session-Id sessions (2025 era) and the per-caller sessions of 2026-07-28
// callers, their binding, expiry and bound, and the eviction hook that ends upstream sessions.
import { describe, expect, it } from "vitest";
import { createMcpSessionStore, type McpSession } from "./sessions.ts";

const alice = { server: "default", tokenSid: "sess_a", subject: "alice", agentId: "agt-1" };

describe("MCP session store", () => {
  it("a caller's 2026-07-28 session is one per binding, reused, never reachable by its id as an Mcp-Session-Id", () => {
    const store = createMcpSessionStore();
    const first = store.forCaller(alice, "2026-07-28");
    expect(store.forCaller({ ...alice }, "2026-07-28")).toBe(first);
    expect(first.protocolVersion).toBe("2026-07-28");
    for (const other of [
      { ...alice, server: "ocronly" },
      { ...alice, tokenSid: "sess_b" },
      { ...alice, subject: "bob" },
      { ...alice, agentId: "agt-2" },
    ]) {
      expect(store.forCaller(other, "2026-07-28")).not.toBe(first);
    }
    expect(store.lookup(first.id, alice)).toEqual({ ok: false, code: "session_not_found" });
    const legacy = store.create(alice, "2025-11-25");
    expect(store.lookup(legacy.id, alice)).toMatchObject({ ok: true, session: legacy });
    expect(store.forCaller(alice, "2026-07-28")).toBe(first);
  });

  it("idle sessions expire on sweep or next use, and past the bound the least recently used goes; each is handed to onEvict", () => {
    let now = 0;
    const evicted: McpSession[] = [];
    const store = createMcpSessionStore({
      idleTtlMs: 1000,
      maxSessions: 2,
      now: () => now,
      onEvict: (s) => evicted.push(s),
    });
    const a = store.forCaller(alice, "2026-07-28");
    const b = store.create(alice, "2025-11-25");
    now = 500;
    store.forCaller(alice, "2026-07-28"); // a is the most recently used now
    const c = store.forCaller({ ...alice, tokenSid: "sess_c" }, "2026-07-28"); // over the bound: b goes
    expect(evicted).toEqual([b]);
    now = 1600;
    store.sweep(); // c (used at 500) and a (at 500) are idle past 1000 ms
    expect(evicted).toEqual([b, a, c]);
    expect(store.size()).toBe(0);
    const d = store.forCaller(alice, "2026-07-28");
    expect(d).not.toBe(a);
    now = 3000;
    const e = store.forCaller(alice, "2026-07-28"); // expired on use: a new one, the old one evicted
    expect(e).not.toBe(d);
    expect(evicted.at(-1)).toBe(d);
    // remove() is an explicit end (DELETE): the caller ends the upstream sessions itself, no onEvict.
    store.remove(e.id);
    expect(evicted.at(-1)).toBe(d);
    expect(store.forCaller(alice, "2026-07-28")).not.toBe(e);
  });
});
