import { describe, expect, it } from "vitest";
import { parseRateLimits, quotaChecksFor } from "./rate-limits.ts";

const call = { agentId: "agt-1", operator: "alice@company.com", toolId: "tool-9", toolName: "send_email" };

describe("parseRateLimits", () => {
  it("reads nothing when the group sets no rate limits", () => {
    expect(parseRateLimits({})).toEqual({ ok: true, value: undefined });
    expect(quotaChecksFor(undefined, call)).toEqual([]);
  });

  it("turns each configured scope into one counter per call", () => {
    const parsed = parseRateLimits({
      rateLimits: {
        agent: { limit: 100, windowSeconds: 60 },
        operator: { limit: 1000, windowSeconds: 3600 },
        tool: { limit: 50, windowSeconds: 10 },
        tools: { send_email: { limit: 5, windowSeconds: 3600, per: "agent" } },
      },
    });
    if (!parsed.ok) throw new Error(parsed.errors.join("; "));
    expect(quotaChecksFor(parsed.value, call)).toEqual([
      { key: "a:agt-1", limit: 100, windowMs: 60_000, scope: "agent" },
      { key: "o:alice@company.com", limit: 1000, windowMs: 3_600_000, scope: "operator" },
      { key: "t:tool-9", limit: 50, windowMs: 10_000, scope: "tool" },
      { key: "ta:tool-9:agt-1", limit: 5, windowMs: 3_600_000, scope: "tool_per_agent" },
    ]);
    // Another tool: only the general counters.
    expect(quotaChecksFor(parsed.value, { ...call, toolId: "tool-1", toolName: "lookup" }).map((c) => c.key)).toEqual([
      "a:agt-1",
      "o:alice@company.com",
      "t:tool-1",
    ]);
  });

  it("lets a tool's own limit for all callers replace the general per-tool limit", () => {
    const parsed = parseRateLimits({
      rateLimits: { tool: { limit: 50, windowSeconds: 10 }, tools: { send_email: { limit: 2, windowSeconds: 1 } } },
    });
    if (!parsed.ok) throw new Error(parsed.errors.join("; "));
    expect(quotaChecksFor(parsed.value, call)).toEqual([{ key: "t:tool-9", limit: 2, windowMs: 1000, scope: "tool" }]);
  });

  it("refuses unknown keys and out-of-range values, naming each (the snapshot is refused: fail closed)", () => {
    const parsed = parseRateLimits({
      rateLimits: {
        agents: { limit: 1, windowSeconds: 1 },
        agent: { limit: 0, windowSeconds: 1.5, burst: 3 },
        tools: { x: { limit: 1, windowSeconds: 1, per: "session" } },
      },
    });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors).toEqual([
      "settings.rateLimits.agents: unknown key (expected agent, operator, tool or tools)",
      "settings.rateLimits.agent.burst: unknown key",
      "settings.rateLimits.agent.limit: expected an integer from 1 to 100000",
      "settings.rateLimits.agent.windowSeconds: expected an integer from 1 to 86400",
      'settings.rateLimits.tools.x.per: expected "all", "agent" or "operator"',
    ]);
    expect(parseRateLimits({ rateLimits: [1] })).toEqual({
      ok: false,
      errors: ["settings.rateLimits: expected an object"],
    });
  });
});
