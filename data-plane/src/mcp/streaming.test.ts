// Streaming through /mcp/{server}: progress notifications of a long-running upstream tools/call relayed to the
// client as they arrive (SSE), the final result as the stream's last event, and an upstream that cuts its SSE
// answer mid-stream (R13): the client gets a JSON-RPC error, never a hang or a partial success.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import type { SnapshotPolicy, SnapshotResources } from "@portcullis/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT } from "../../test/http-tools-fixture.ts";
import { McpWorld } from "../../test/mcp-fixture.ts";
import { toolDefinitionHash } from "./tool-pins.ts";

/** An MCP upstream that answers initialize, then starts an SSE answer to tools/call and cuts the connection. */
async function cuttingUpstream(): Promise<{ url: string; server: Server; toolCalls: () => number }> {
  let toolCalls = 0;
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (d) => {
      text += d;
    });
    req.on("end", () => {
      const message = text ? (JSON.parse(text) as { id?: number; method?: string; params?: { _meta?: unknown } }) : {};
      if (message.method === "initialize") {
        res.writeHead(200, { "content-type": "application/json", "mcp-session-id": "cut-1" });
        res.end(
          JSON.stringify({
            jsonrpc: "2.0",
            id: message.id,
            result: {
              protocolVersion: "2025-11-25",
              capabilities: { tools: {} },
              serverInfo: { name: "cut", version: "1" },
            },
          }),
        );
        return;
      }
      if (message.method === "tools/list") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ jsonrpc: "2.0", id: message.id, result: { tools: [CUT_DEFINITION] } }));
        return;
      }
      if (message.method !== "tools/call") {
        res.writeHead(202).end();
        return;
      }
      toolCalls += 1;
      res.writeHead(200, { "content-type": "text/event-stream" });
      const token = (message.params?._meta as { progressToken?: unknown } | undefined)?.progressToken;
      res.write(
        `event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: token, progress: 1, total: 2 } })}\n\n`,
      );
      setTimeout(() => res.destroy(), 50);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, server, toolCalls: () => toolCalls };
}

const CUT_DEFINITION = { name: "cut_tool", description: "cuts its answer", inputSchema: { type: "object" } };

const CUT_POLICY: SnapshotPolicy = {
  id: "streaming-cut",
  version: 1,
  name: "streaming-cut",
  description: "the expense agent may call the cutting upstream's tool",
  target: { agents: [AGENT.name], tools: ["cut_tool"] },
  effect: "allow",
  condition: "",
  mode: "enforce",
  priority: 0,
  approvers: "",
};

describe("streaming through /mcp/{server}", () => {
  let world: McpWorld;
  let cut: Awaited<ReturnType<typeof cuttingUpstream>>;
  beforeAll(async () => {
    world = await McpWorld.start();
    cut = await cuttingUpstream();
    const r: SnapshotResources = world.resources;
    await world.publish({
      ...r,
      settings: { virtualServers: { ...(r.settings.virtualServers as object), cutting: ["cut"] } },
      upstreams: [
        ...r.upstreams,
        { id: "up-cut", name: "cut", kind: "mcp", url: cut.url, labels: {}, settings: {}, credential: null },
      ],
      tools: [
        ...r.tools,
        {
          id: "m-cut",
          upstreamId: "up-cut",
          name: "cut_tool",
          description: "cuts its answer",
          inputSchema: { type: "object" },
          annotations: {},
          labels: {},
          http: null,
          sensitive: false,
          status: "active",
          pinnedHash: toolDefinitionHash(CUT_DEFINITION),
        },
      ],
      policies: [...r.policies, CUT_POLICY],
    });
  }, 60_000);
  afterAll(async () => {
    await world?.close();
    await new Promise((resolve) => cut?.server.close(resolve));
  });

  async function connect(server = "default") {
    const transport = new StreamableHTTPClientTransport(new URL(world.url(server)), {
      requestInit: { headers: { authorization: `Bearer ${await world.token()}` } },
    });
    const client = new Client({ name: "streaming-agent", version: "1.0.0" });
    await client.connect(transport);
    return client;
  }

  it("relays the upstream's progress notifications as they come, then the result; the upstream sees only the progress token", async () => {
    const client = await connect();
    try {
      const progress: Progress[] = [];
      const args = { q: "long report" };
      const result = await client.callTool({ name: "ocr__lookup", arguments: args }, undefined, {
        onprogress: (p) => progress.push(p),
      });
      expect(progress).toEqual([
        { progress: 1, total: 3, message: "step 1" },
        { progress: 2, total: 3, message: "step 2" },
        { progress: 3, total: 3, message: "step 3" },
      ]);
      expect(result.isError).toBeFalsy();
      const text = (result.content as { text: string }[])[0]?.text ?? "";
      expect(JSON.parse(text)).toEqual({ upstream: "ocr", tool: "lookup", args });
      const [call] = world.ocr.calls("tools/call").slice(-1);
      const params = call?.body?.params as { arguments: unknown; _meta: Record<string, unknown> };
      expect(params.arguments).toEqual(args);
      expect(Object.keys(params._meta)).toEqual(["progressToken"]);
      const records = await world.auditWhere((r) => r.tool === "lookup" && r.outcome === "ok");
      expect(records.length).toBeGreaterThanOrEqual(1);
    } finally {
      await client.close();
    }
  });

  it("R13: an upstream that cuts its SSE answer mid-stream gives the client a JSON-RPC error, audited upstream_error", async () => {
    const client = await connect("cutting");
    try {
      const progress: Progress[] = [];
      const call = client.callTool({ name: "cut_tool", arguments: {} }, undefined, {
        onprogress: (p) => progress.push(p),
      });
      await expect(call).rejects.toThrow(/-32011|upstream failed/);
      expect(progress).toEqual([{ progress: 1, total: 2 }]);
      expect(cut.toolCalls()).toBe(1); // never retried
      const [record] = await world.auditWhere((r) => r.tool === "cut_tool");
      expect(record).toMatchObject({ outcome: "upstream_error" });
    } finally {
      await client.close();
    }
  });

  it("without a progress token the answer stays a single JSON response", async () => {
    const token = await world.token();
    const session = await world.openSession(token);
    const reply = await world.post(
      token,
      { jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "ocr__lookup", arguments: { q: "x" } } },
      session,
    );
    expect(reply.headers.get("content-type")).toBe("application/json");
    expect(reply.json.id).toBe(5);
  });
});
