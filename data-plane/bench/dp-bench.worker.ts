// The servers of `npm run bench:dp`, one role per worker thread (so the load generator, the upstream, the plain
// proxy and the gateway each have their own event loop, as separate processes would):
// - "upstream": an MCP server built with the official SDK (McpServer + stateful StreamableHTTPServerTransport, JSON
//   answers) exposing one trivial `echo` tool;
// - "proxy": a plain node:http pass-through proxy to it (streams the request up and the response back, keep-alive
//   agent), no policy, no auth, no audit;
// - "gateway": the test control plane and a real data plane (memory ledger, audit to the test control plane) with a
//   snapshot of one MCP upstream and 100 policies; it also mints session tokens for the load generator. Its
//   metrics are always collected (admin listener on, not scraped); BENCH_ACCESS_LOG=on turns its access log on,
//   written by pino to /dev/null as it would be to stdout (default off: a silent logger, as before).
import { randomUUID } from "node:crypto";
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { SnapshotPolicy, SnapshotResources, SnapshotTool } from "@portcullis/proto";
import pino from "pino";
import { z } from "zod";
import { runDataPlane } from "../src/cli-dp.ts";
import { silentLogger } from "../src/log.ts";
import { toolDefinitionHash } from "../src/mcp/tool-pins.ts";
import { FAST_BACKOFF, FAST_CHANNEL, tempDir, waitFor } from "../test/fixtures.ts";
import { AGENT, mintSessionToken, scenarioResources } from "../test/http-tools-fixture.ts";
import { TestControlPlane } from "../test/test-control-plane.ts";

type Role = "upstream" | "proxy" | "gateway";
const { role, upstreamUrl } = workerData as { role: Role; upstreamUrl?: string };
const port = parentPort;
if (!port) throw new Error("dp-bench.worker.ts runs as a worker thread");

const listen = async (server: ReturnType<typeof createServer>) => {
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
};

async function startUpstream() {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const handle = async (req: IncomingMessage, res: ServerResponse, body: unknown) => {
    const sessionId = req.headers["mcp-session-id"];
    let transport = typeof sessionId === "string" ? transports.get(sessionId) : undefined;
    if (!transport) {
      if (typeof sessionId === "string" || req.method !== "POST") {
        res.writeHead(404).end();
        return;
      }
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: true,
        onsessioninitialized: (id) => {
          transports.set(id, created);
        },
        onsessionclosed: (id) => {
          transports.delete(id);
        },
      });
      const server = new McpServer({ name: "echo", version: "1.0.0" });
      server.registerTool(
        "echo",
        { description: "echoes its text", inputSchema: { text: z.string() } },
        async ({ text }) => ({ content: [{ type: "text" as const, text }] }),
      );
      await server.connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res, body);
  };
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch {}
      handle(req, res, body).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  });
  const p = await listen(http);
  return {
    info: { url: `http://127.0.0.1:${p}/mcp`, port: p },
    close: async () => {
      for (const t of transports.values()) await t.close().catch(() => {});
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te"]);

async function startProxy(target: string) {
  const up = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const http = createServer((req, res) => {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    headers.host = up.host;
    const upstream = request(
      { host: up.hostname, port: up.port, method: req.method, path: req.url, headers, agent },
      (upRes) => {
        const out: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(upRes.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
        res.writeHead(upRes.statusCode ?? 502, out);
        upRes.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  const p = await listen(http);
  return {
    info: { url: `http://127.0.0.1:${p}/mcp` },
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      agent.destroy();
    },
  };
}

/** One upstream `echo` (MCP), the benchmarked tool, and 100 policies of which 5 apply to the call. */
export function benchResources(
  base: SnapshotResources,
  echoUrl: string,
  echo: { description?: string; inputSchema?: unknown } = {},
): SnapshotResources {
  const policy = (id: string, p: Partial<SnapshotPolicy>): SnapshotPolicy => ({
    id,
    version: 1,
    name: id,
    description: "",
    target: { agents: [AGENT.name], tools: ["echo"] },
    effect: "deny",
    condition: "",
    mode: "enforce",
    priority: 0,
    approvers: "",
    ...p,
  });
  const applicable = [
    policy("echo-allow", { effect: "allow", condition: "" }),
    policy("echo-deny-batch", { priority: 100, condition: 'has(args.mode) && args.mode == "batch"' }),
    policy("echo-deny-after-admin", { priority: 100, condition: 'session.called("admin_reset")' }),
    policy("echo-deny-destructive", { priority: 1000, condition: "tool.annotations.destructive" }),
    policy("echo-deny-third-party", {
      priority: 1000,
      condition: 'delegation.chain.exists(h, h.trust == "third_party")',
    }),
  ];
  const others: SnapshotPolicy[] = [];
  for (let i = applicable.length; i < 100; i++) {
    others.push(
      policy(`other-${i}`, {
        effect: i % 3 === 0 ? "deny" : "allow",
        priority: i % 7,
        target: {
          agents: [i % 2 === 0 ? AGENT.name : `agent-${i % 50}`],
          tools: [i % 4 === 0 ? `label:team=t${i % 20}` : `tool_${i}`],
        },
        condition: i % 5 === 0 ? 'session.called("echo")' : 'args.mode == "batch"',
      }),
    );
  }
  const echoTool: SnapshotTool = {
    id: "m-echo",
    upstreamId: "up-echo",
    name: "echo",
    description: echo.description ?? "echoes its text",
    inputSchema: (echo.inputSchema ?? {
      type: "object",
      properties: { text: { type: "string" } },
    }) as SnapshotTool["inputSchema"],
    annotations: {},
    labels: {},
    http: null,
    sensitive: false,
    status: "active",
    // Pinned to what the echo server lists, as an operator approving it would (the node checks the pin).
    pinnedHash: toolDefinitionHash({ name: "echo", ...echo }),
  };
  return {
    ...base,
    settings: { virtualServers: { default: ["echo"] } },
    upstreams: [{ id: "up-echo", name: "echo", kind: "mcp", url: echoUrl, labels: {}, settings: {}, credential: null }],
    tools: [echoTool],
    policies: [...applicable, ...others],
  };
}

const accessLog = process.env.BENCH_ACCESS_LOG === "on";

async function startGateway(echoUrl: string) {
  const cp = await TestControlPlane.start();
  const { dir, cleanup } = await tempDir();
  const dp = await runDataPlane([], {
    env: {
      PORTCULLIS_CP_GRPC: cp.address,
      PORTCULLIS_DP_DATA_DIR: dir,
      PORTCULLIS_DP_HTTP: "127.0.0.1:0",
      PORTCULLIS_DP_DRAIN_SECONDS: "1",
      PORTCULLIS_BOOTSTRAP_TOKEN: cp.issueBootstrapToken(),
      PORTCULLIS_DP_ADMIN_HTTP: "127.0.0.1:0",
      PORTCULLIS_DP_ACCESS_LOG: accessLog ? "on" : "off",
    },
    logger: accessLog ? pino({ level: "info", base: { svc: "dp" } }, pino.destination("/dev/null")) : silentLogger,
    nodeOverrides: { backoff: FAST_BACKOFF, channelOptions: FAST_CHANNEL },
  });
  const lister = new Client({ name: "bench-approver", version: "1.0.0" });
  await lister.connect(new StreamableHTTPClientTransport(new URL(echoUrl)));
  const listed = (await lister.listTools()).tools.find((t) => t.name === "echo");
  await lister.close();
  const echo = { description: listed?.description, inputSchema: listed?.inputSchema };
  cp.publish(benchResources(scenarioResources("http://127.0.0.1:9", cp.key), echoUrl, echo));
  await waitFor("DP ready", async () => (await fetch(`http://${dp.httpAddress}/readyz`)).status === 200, {
    timeoutMs: 20_000,
  });
  const auditRecords = () => {
    const node = dp.node();
    return node ? cp.records(node.spool.streamId).length : 0;
  };
  return {
    info: { url: `http://${dp.httpAddress}/mcp/default`, policies: 100 },
    tokens: (n: number) => Promise.all(Array.from({ length: n }, () => mintSessionToken(cp))),
    auditRecords,
    close: async () => {
      await dp.close();
      const records = auditRecords();
      await cp.stop();
      await cleanup();
      return records;
    },
  };
}

const started =
  role === "upstream"
    ? await startUpstream()
    : role === "proxy"
      ? await startProxy(upstreamUrl as string)
      : await startGateway(upstreamUrl as string);

port.on("message", async (msg: { id: number; cmd: string; n?: number }) => {
  try {
    if (msg.cmd === "tokens" && "tokens" in started) {
      port.postMessage({ id: msg.id, value: await started.tokens(msg.n ?? 1) });
    } else if (msg.cmd === "audit" && "auditRecords" in started) {
      port.postMessage({ id: msg.id, value: started.auditRecords() });
    } else if (msg.cmd === "cpu") {
      // This thread's own CPU time (the bench divides the difference over a phase by its calls).
      port.postMessage({ id: msg.id, value: process.threadCpuUsage() });
    } else if (msg.cmd === "close") {
      const value = await started.close();
      port.postMessage({ id: msg.id, value: value ?? null });
    } else {
      port.postMessage({ id: msg.id, error: `unknown command ${msg.cmd}` });
    }
  } catch (e) {
    port.postMessage({ id: msg.id, error: (e as Error).message });
  }
});
port.postMessage({ id: 0, value: started.info });
