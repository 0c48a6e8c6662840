// A real upstream MCP server for the MCP tests, built with the official SDK (low-level Server +
// StreamableHTTPServerTransport, stateful, SSE answers as the SDK sends them by default) on node:http. It records
// every HTTP request it gets (method, headers, JSON-RPC body) and answers tools/call with what it received, so
// tests can prove what the gateway forwarded: the arguments, the assertion, and never the caller's token.
import { randomUUID } from "node:crypto";
import { createServer, type Server as HttpServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

export interface McpReceived {
  method: string;
  headers: IncomingHttpHeaders;
  /** The JSON-RPC message (POST) or undefined. */
  body: Record<string, unknown> | undefined;
}

/** A tool as the upstream lists it. */
export interface ListedTool {
  name: string;
  description?: string;
  inputSchema: { type: "object"; properties?: Record<string, unknown> };
  annotations?: Record<string, unknown>;
}

/** The definition the test upstreams list for a tool name (and the MCP fixture pins). */
export function listedTool(name: string): ListedTool {
  return {
    name,
    description: `${name} (pinned description)`,
    inputSchema: { type: "object", properties: { q: { type: "string" } } },
    ...(name === "receipt_ocr" ? { annotations: { readOnlyHint: true } } : {}),
    ...(name === "delete_expense_reports" ? { annotations: { destructiveHint: true } } : {}),
  };
}

export class TestMcpUpstream {
  readonly name: string;
  readonly tools: string[];
  /** What tools/list answers, by name; tests change a definition with `redefine`. */
  readonly definitions = new Map<string, ListedTool>();
  readonly #servers = new Set<Server>();
  readonly received: McpReceived[] = [];
  readonly #http: HttpServer;
  readonly #transports = new Map<string, StreamableHTTPServerTransport>();
  port = 0;

  private constructor(name: string, tools: string[], http: HttpServer) {
    this.name = name;
    this.tools = tools;
    for (const tool of tools) this.definitions.set(tool, listedTool(tool));
    this.#http = http;
  }

  static async start(name: string, tools: string[]): Promise<TestMcpUpstream> {
    const http = createServer();
    const upstream = new TestMcpUpstream(name, tools, http);
    http.on("request", (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: Record<string, unknown> | undefined;
        try {
          body = text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>);
        } catch {}
        upstream.received.push({ method: req.method ?? "", headers: req.headers, body });
        void upstream.#handle(req, res, body);
      });
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    upstream.port = (http.address() as AddressInfo).port;
    return upstream;
  }

  async #handle(
    req: import("node:http").IncomingMessage,
    res: import("node:http").ServerResponse,
    body: unknown,
  ): Promise<void> {
    const sessionId = req.headers["mcp-session-id"];
    let transport = typeof sessionId === "string" ? this.#transports.get(sessionId) : undefined;
    if (!transport) {
      if (typeof sessionId === "string" || req.method !== "POST") {
        res.writeHead(404).end();
        return;
      }
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          this.#transports.set(id, created);
        },
        onsessionclosed: (id) => {
          this.#transports.delete(id);
        },
      });
      const server = new Server(
        { name: this.name, version: "1.0.0" },
        { capabilities: { tools: { listChanged: true } } },
      );
      this.#servers.add(server);
      server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [...this.definitions.values()] }));
      server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
        // With a progress token, three progress notifications on the call's SSE stream before the result.
        const progressToken = request.params._meta?.progressToken;
        if (progressToken !== undefined) {
          for (let progress = 1; progress <= 3; progress += 1) {
            await extra.sendNotification({
              method: "notifications/progress",
              params: { progressToken, progress, total: 3, message: `step ${progress}` },
            });
          }
        }
        return {
          content: [
            {
              type: "text" as const,
              text: JSON.stringify({ upstream: this.name, tool: request.params.name, args: request.params.arguments }),
            },
          ],
        };
      });
      await server.connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res, body);
  }

  /** Sessions the upstream holds open (initialized and not yet ended by a DELETE). */
  get openSessions(): number {
    return this.#transports.size;
  }

  /** Changes what tools/list says of a tool (a "rug pull") and tells connected sessions the list changed. */
  async redefine(name: string, patch: Partial<ListedTool>): Promise<void> {
    const current = this.definitions.get(name) ?? listedTool(name);
    this.definitions.set(name, { ...current, ...patch });
    for (const server of this.#servers) await server.sendToolListChanged().catch(() => {});
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/mcp`;
  }

  /** The JSON-RPC requests (with a method) it received, by method. */
  calls(method: string): McpReceived[] {
    return this.received.filter((r) => r.body?.method === method);
  }

  reset(): void {
    this.received.length = 0;
  }

  async close(): Promise<void> {
    for (const t of this.#transports.values()) await t.close().catch(() => {});
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }
}
