// Z07: the gateway group's rate limits on the request path, end to end through a real DP (test control plane over
// gRPC, upstream MCP servers built with the official SDK): MCP over the SDK client and raw JSON-RPC, HTTP tools, the
// audit record of a refused call, and failing closed when the quota store (Redis) is unreachable.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type {
  SnapshotAgent,
  SnapshotPolicy,
  SnapshotResources,
  SnapshotTool,
  SnapshotUpstream,
} from "@portcullis/proto";
import { Pool } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../test/fixtures.ts";
import { AGENT } from "../../test/http-tools-fixture.ts";
import { McpWorld } from "../../test/mcp-fixture.ts";

/** A second first-party agent that may look things up (to show each agent has a counter of its own). */
const SECOND = { id: "agt-z07-0004", name: "z07-second-agent" };
/** The burst's own agent, so its count does not depend on the other tests. */
const BURST = { id: "agt-z07-0005", name: "z07-burst-agent" };
const extraAgent = (a: { id: string; name: string }): SnapshotAgent => ({
  ...a,
  owner: "finance-platform",
  trust: "first_party",
  labels: {},
  allowedDelegates: [],
  disabled: false,
});
const SECOND_LOOKUP: SnapshotPolicy = {
  id: "z07-second-lookup",
  version: 1,
  name: "z07-second-lookup",
  description: "the second agent may look things up",
  target: { agents: [SECOND.name, BURST.name], tools: ["lookup"] },
  effect: "allow",
  condition: "",
  mode: "enforce",
  priority: 0,
  approvers: "",
};

const lookup = (id: number) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name: "ocr__lookup", arguments: { q: `call ${id}` } },
});

/** An HTTP tool whose upstream is a closed port (its calls fail with 502 once allowed and counted). */
const DEAD_HTTP_UPSTREAM: SnapshotUpstream = {
  id: "up-z07-dead",
  name: "dead",
  kind: "http",
  url: "http://127.0.0.1:9",
  labels: {},
  settings: {},
  credential: null,
};
const TEXT_TOOL: SnapshotTool = {
  id: "t-z07-text",
  upstreamId: DEAD_HTTP_UPSTREAM.id,
  name: "text_tool",
  description: "text_tool",
  inputSchema: { type: "object" },
  annotations: {},
  labels: {},
  http: { method: "GET", path: "/text" },
  sensitive: false,
  status: "active",
  pinnedHash: "a".repeat(64),
};

function withRateLimits(resources: SnapshotResources, rateLimits: unknown): SnapshotResources {
  return {
    ...resources,
    upstreams: [...resources.upstreams.filter((u) => u.id !== DEAD_HTTP_UPSTREAM.id), DEAD_HTTP_UPSTREAM],
    tools: [...resources.tools.filter((t) => t.id !== TEXT_TOOL.id), TEXT_TOOL],
    settings: { ...resources.settings, rateLimits },
    agents: [
      ...resources.agents.filter((a) => a.id !== SECOND.id && a.id !== BURST.id),
      extraAgent(SECOND),
      extraAgent(BURST),
    ],
    policies: [...resources.policies.filter((p) => p.id !== SECOND_LOOKUP.id), SECOND_LOOKUP],
  };
}

describe("Z07: rate limits per agent, operator and tool", () => {
  let world: McpWorld;
  beforeAll(async () => {
    world = await McpWorld.start();
    await world.publish(
      withRateLimits(world.resources, {
        agent: { limit: 100, windowSeconds: 60 },
      }),
    );
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });

  it("Z07: the 101st call of an agent in 60 s gets 429 with Retry-After and JSON-RPC error -32015; other agents are unaffected", {
    timeout: 120_000,
  }, async () => {
    const token = await world.token();
    const transport = new StreamableHTTPClientTransport(new URL(world.url()), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    });
    const client = new Client({ name: "z07-agent", version: "1.0.0" });
    await client.connect(transport);
    try {
      for (let i = 0; i < 100; i += 1) {
        const result = await client.callTool({ name: "ocr__lookup", arguments: { q: `call ${i}` } });
        expect(result.isError).toBeFalsy();
      }
      // The SDK client surfaces the refusal as an error.
      await expect(client.callTool({ name: "ocr__lookup", arguments: { q: "101" } })).rejects.toThrow(/-32015/);
    } finally {
      await client.close();
    }
    const upstreamCalls = world.ocr.calls("tools/call").length;

    // The same agent in another session (same agent, same window): refused, with the protocol's error and headers.
    const other = await world.token();
    const refused = await world.post(other, lookup(101), await world.openSession(other));
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.json).toEqual({
      jsonrpc: "2.0",
      id: 101,
      error: {
        code: -32015,
        message: `rate limit exceeded: at most 100 calls per 60 s (agent); retry after ${retryAfter} s`,
        data: {
          reason_code: "rate_limited",
          scope: "agent",
          limit: 100,
          window_seconds: 60,
          retry_after_seconds: retryAfter,
        },
      },
    });
    expect(world.ocr.calls("tools/call")).toHaveLength(upstreamCalls);

    // The refusal is on the audit trail, with its decision id.
    const decisionId = refused.headers.get("portcullis-decision-id");
    expect(decisionId).toBeTruthy();
    const [record] = await world.auditWhere((r) => r.id === decisionId);
    expect(record).toMatchObject({ outcome: "rate_limited", code: "rate_limited", tool: "lookup" });

    // Another agent is unaffected.
    const helper = await world.token({ agent: SECOND });
    const allowed = await world.post(helper, lookup(7), await world.openSession(helper));
    expect(allowed.status).toBe(200);
    expect(allowed.json.result).toMatchObject({ content: [expect.objectContaining({ type: "text" })] });
  });

  it("Z07: a burst of 1,000 concurrent calls allows exactly the limit and refuses the rest", {
    timeout: 180_000,
  }, async () => {
    const token = await world.token({ agent: BURST, sub: "bob@company.com" });
    const session = await world.openSession(token);
    const before = world.ocr.calls("tools/call").length;
    // 1,000 calls issued at once over 200 connections (more simultaneous connects than the listen backlog would
    // have the kernel reset some: that would test the TCP stack, not the quota).
    const pool = new Pool(world.base, { connections: 200 });
    const replies = await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => {
        const response = await pool.request({
          method: "POST",
          path: "/mcp/default",
          headers: {
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            authorization: `Bearer ${token}`,
            "mcp-session-id": session,
          },
          body: JSON.stringify(lookup(i)),
        });
        const json = (await response.body.json()) as Record<string, unknown>;
        return { status: response.statusCode, headers: response.headers, json };
      }),
    ).finally(() => pool.close());
    const statuses = new Map<number, number>();
    for (const r of replies) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    const allowed = replies.filter((r) => r.status === 200);
    const odd = allowed.filter((r) => r.json.result === undefined).slice(0, 3);
    expect(
      odd.map((r) => r.json),
      "allowed calls that did not return a result",
    ).toEqual([]);
    expect(Object.fromEntries(statuses)).toEqual({ 200: 100, 429: 900 });
    expect(world.ocr.calls("tools/call").length - before).toBe(100);
    for (const r of replies.filter((x) => x.status === 429)) {
      expect((r.json.error as { code: number }).code).toBe(-32015);
      expect(Number(r.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    }
  });

  it("Z07: an HTTP tool over its per-operator limit answers 429 rate_limited with Retry-After in the REST envelope", async () => {
    const invoke = async (token: string) => {
      const response = await fetch(`${world.base}/tools/text_tool/invoke`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: "{}",
      });
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as Record<string, any>,
      };
    };
    // Without the per-agent limit the expense agent spent above.
    await world.publish(
      withRateLimits(world.resources, { tools: { text_tool: { limit: 1, windowSeconds: 60, per: "operator" } } }),
    );
    const carol = (sub: string) => world.token({ sub, agent: AGENT });
    // The first call is counted (its upstream is unreachable in this world: 502), the second is refused.
    expect((await invoke(await carol("dave@company.com"))).status).toBe(502);
    const refused = await invoke(await carol("dave@company.com"));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused.body.error).toMatchObject({
      code: "rate_limited",
      scope: "tool_per_operator",
      limit: 1,
      window_seconds: 60,
      requestId: expect.any(String),
    });
    // Another operator has a counter of its own.
    expect((await invoke(await carol("erin@company.com"))).status).toBe(502);
  });

  it("a malformed rateLimits setting makes the node refuse the snapshot and keep serving the previous one", async () => {
    const served = world.node.config.current()?.version;
    const offer = world.cp.publish(withRateLimits(world.resources, { agent: { limit: "lots", windowSeconds: 60 } }));
    const nack = await waitFor("the NACK", () =>
      world.cp
        .events("nack")
        .find((e) => (e.message as { rejectedVersion: string }).rejectedVersion === String(offer.version)),
    );
    expect((nack.message as { errors: string[] }).errors).toContain(
      "settings.rateLimits.agent.limit: expected an integer from 1 to 100000",
    );
    expect(world.node.config.current()?.version).toBe(served);
  });
});

describe("quota store unreachable", () => {
  let world: McpWorld;
  beforeAll(async () => {
    world = await McpWorld.start({ env: { REDIS_URL: "redis://127.0.0.1:9" } });
    await world.publish(withRateLimits(world.resources, { agent: { limit: 100, windowSeconds: 60 } }));
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });

  it("fails closed: 503 with JSON-RPC error -32016 quota_unavailable, nothing forwarded", async () => {
    const token = await world.token();
    const reply = await world.post(token, lookup(1), await world.openSession(token));
    expect(reply.status).toBe(503);
    expect(reply.json).toEqual({
      jsonrpc: "2.0",
      id: 1,
      error: {
        code: -32016,
        message: "the quota store is unavailable: the call was not counted, so it was not executed; retry later",
        data: { reason_code: "quota_unavailable" },
      },
    });
    expect(world.ocr.calls("tools/call")).toHaveLength(0);
  });
});
