// The demo's tool servers, on one loopback HTTP listener: four MCP servers (official SDK, Streamable HTTP,
// stateless) at /{ocr,directory,notify,accounting-admin}/mcp and the plain HTTP accounting API at /accounting.
// Each is its own upstream at the gateway with its own audience, and each refuses any request that does not
// carry a valid gateway assertion for it (see verify-assertion.ts). GET /_demo/log shows what reached them.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, type CallToolResult, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { personByEmail, receiptText } from "./directory-data.ts";
import { type DemoServerName, demoServerPath, demoTools } from "./tool-definitions.ts";
import {
  ASSERTION_HEADER,
  AssertionError,
  type AssertionVerifier,
  createAssertionVerifier,
  describeCaller,
  type VerifiedCaller,
} from "./verify-assertion.ts";

/** What the servers need to know: where the control plane is and who they are at the gateway. */
export interface DemoServersConfig {
  /** HOST:PORT to listen on (port 0 picks one). */
  listen: string;
  /** The control plane's issuer (its URL) and JWKS. */
  issuer: string;
  jwksUrl: string;
  /** Each server's upstream id at the gateway: the audience its assertions must name. */
  audiences: Record<DemoServerName, string>;
}

export interface LogEntry {
  at: string;
  server: DemoServerName;
  method: string;
  tool?: string;
  accepted: boolean;
  /** "alice@company.com, via expense-report-v1" when accepted. */
  caller?: string;
  operator?: string;
  chain?: string[];
  session?: string;
  decisionId?: string;
  /** Why it was refused. */
  code?: string;
  reason?: string;
  /** True when the caller's own token (an Authorization header that is not the assertion) reached the server. */
  foreignAuthorization?: boolean;
}

export interface ExpenseReport {
  report_id: string;
  employee_id: string;
  amount: number;
  cost_center: string;
  receipt_text: string;
  filed_by: string;
  decision_id: string;
}

export interface RunningDemoServers {
  /** http://HOST:PORT */
  url: string;
  urlOf(server: DemoServerName): string;
  log: LogEntry[];
  reports: ExpenseReport[];
  notifications: { recipient: string; message: string; sender: string }[];
  close(): Promise<void>;
}

const MAX_BODY = 256 * 1024;
const MAX_LOG = 1000;

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error("body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

const text = (value: string, isError = false): CallToolResult => ({
  content: [{ type: "text", text: value }],
  ...(isError ? { isError: true } : {}),
});

export async function startDemoServers(config: DemoServersConfig): Promise<RunningDemoServers> {
  const verifiers = Object.fromEntries(
    Object.entries(config.audiences).map(([name, audience]) => [
      name,
      createAssertionVerifier({ jwksUrl: config.jwksUrl, issuer: config.issuer, audience }),
    ]),
  ) as Record<DemoServerName, AssertionVerifier>;
  const log: LogEntry[] = [];
  const reports: ExpenseReport[] = [];
  const notifications: RunningDemoServers["notifications"] = [];
  const record = (entry: Omit<LogEntry, "at">) => {
    log.push({ at: new Date().toISOString(), ...entry });
    if (log.length > MAX_LOG) log.shift();
  };
  const callerFields = (caller: VerifiedCaller) => ({
    caller: describeCaller(caller),
    operator: caller.operator,
    chain: caller.chain.map((a) => a.name ?? a.sub),
    session: caller.session,
    decisionId: caller.decisionId,
  });
  const foreignAuthorization = (req: IncomingMessage) => {
    const auth = req.headers.authorization;
    return auth !== undefined && auth !== `Bearer ${req.headers[ASSERTION_HEADER]}`;
  };

  /** The tools of one MCP server, run for a verified caller. */
  function runTool(server: DemoServerName, name: string, args: Record<string, unknown>, caller: VerifiedCaller) {
    switch (name) {
      case "receipt_ocr":
        return text(receiptText);
      case "get_employee_cost_center": {
        const person = personByEmail(String(args.employee_id ?? ""));
        if (!person) return text(`no employee ${String(args.employee_id)}`, true);
        return text(
          JSON.stringify({
            employee_id: person.email,
            department: person.department,
            cost_center: person.costCenter,
            manager: person.manager,
          }),
        );
      }
      case "send_notification": {
        const recipient = String(args.recipient ?? "");
        notifications.push({ recipient, message: String(args.message ?? ""), sender: describeCaller(caller) });
        return text(`sent to ${recipient}`);
      }
      case "delete_expense_reports": {
        const before = reports.length;
        for (let i = reports.length - 1; i >= 0; i--) {
          if (reports[i]?.employee_id === args.employee_id) reports.splice(i, 1);
        }
        return text(`deleted ${before - reports.length} reports`);
      }
      default:
        return text(`unknown tool ${name} on ${server}`, true);
    }
  }

  async function handleMcp(server: DemoServerName, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") {
      // Stateless: no GET stream and no session to delete.
      res.writeHead(405, { allow: "POST" }).end();
      return;
    }
    const raw = await readBody(req);
    let message: { id?: unknown; method?: unknown; params?: { name?: unknown; arguments?: unknown } };
    try {
      message = JSON.parse(raw);
    } catch {
      sendJson(res, 400, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
      return;
    }
    const method = typeof message.method === "string" ? message.method : "";
    const tool = method === "tools/call" && typeof message.params?.name === "string" ? message.params.name : undefined;
    let caller: VerifiedCaller;
    try {
      caller = await verifiers[server].verify(
        req.headers[ASSERTION_HEADER],
        tool !== undefined ? { tool, args: message.params?.arguments ?? {} } : undefined,
      );
    } catch (error) {
      const e = error instanceof AssertionError ? error : new AssertionError("assertion_invalid", "not verified");
      record({ server, method, ...(tool ? { tool } : {}), accepted: false, code: e.code, reason: e.message });
      sendJson(res, 401, { jsonrpc: "2.0", id: message.id ?? null, error: { code: -32001, message: e.message } });
      return;
    }
    record({
      server,
      method,
      ...(tool ? { tool } : {}),
      accepted: true,
      ...callerFields(caller),
      foreignAuthorization: foreignAuthorization(req),
    });
    const mcp = new Server({ name: `demo-${server}`, version: "1.0.0" }, { capabilities: { tools: {} } });
    const mine = demoTools.filter((t) => t.server === server);
    mcp.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: mine.map(({ name, description, inputSchema, annotations }) => ({
        name,
        description,
        inputSchema,
        annotations,
      })),
    }));
    mcp.setRequestHandler(CallToolRequestSchema, async (request) => {
      const name = request.params.name;
      if (!mine.some((t) => t.name === name)) return text(`unknown tool ${name}`, true);
      return runTool(server, name, request.params.arguments ?? {}, caller);
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res, message);
  }

  async function handleAccounting(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.method !== "POST" || path !== "/reports") {
      sendJson(res, 404, { error: { code: "not_found", message: "POST /reports files an expense report" } });
      return;
    }
    const raw = await readBody(req);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
      if (body === null || typeof body !== "object" || Array.isArray(body)) throw new Error("not an object");
    } catch {
      sendJson(res, 400, { error: { code: "invalid_json", message: "expected a JSON object" } });
      return;
    }
    let caller: VerifiedCaller;
    try {
      caller = await verifiers.accounting.verify(req.headers[ASSERTION_HEADER], {
        tool: "create_expense_report",
        args: body,
      });
    } catch (error) {
      const e = error instanceof AssertionError ? error : new AssertionError("assertion_invalid", "not verified");
      record({ server: "accounting", method: "POST /reports", accepted: false, code: e.code, reason: e.message });
      sendJson(res, 401, { error: { code: e.code, message: e.message } });
      return;
    }
    record({
      server: "accounting",
      method: "POST /reports",
      tool: "create_expense_report",
      accepted: true,
      ...callerFields(caller),
      foreignAuthorization: foreignAuthorization(req),
    });
    const amount = Number(body.amount);
    if (typeof body.employee_id !== "string" || !Number.isFinite(amount) || typeof body.cost_center !== "string") {
      sendJson(res, 422, { error: { code: "invalid_report", message: "employee_id, amount and cost_center" } });
      return;
    }
    const report: ExpenseReport = {
      report_id: `rep_${randomUUID().slice(0, 8)}`,
      employee_id: body.employee_id,
      amount,
      cost_center: body.cost_center,
      receipt_text: typeof body.receipt_text === "string" ? body.receipt_text : "",
      filed_by: describeCaller(caller),
      decision_id: caller.decisionId,
    };
    reports.push(report);
    sendJson(res, 201, { report_id: report.report_id, status: "filed", filed_by: report.filed_by });
  }

  const mcpServers = new Map<string, DemoServerName>(
    (["ocr", "directory", "notify", "accounting-admin"] as const).map((s) => [demoServerPath(s), s]),
  );
  const http = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const handle = async () => {
      const mcp = mcpServers.get(path);
      if (mcp) return handleMcp(mcp, req, res);
      if (path === "/accounting" || path.startsWith("/accounting/")) {
        return handleAccounting(req, res, path.slice("/accounting".length));
      }
      if (req.method === "GET" && path === "/_demo/log") return sendJson(res, 200, { log, reports, notifications });
      if (req.method === "GET" && path === "/healthz") return sendJson(res, 200, { status: "ok" });
      sendJson(res, 404, { error: { code: "not_found", message: "no such demo server" } });
    };
    handle().catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: { code: "internal_error", message: "internal error" } });
      else res.destroy();
    });
  });
  const i = config.listen.lastIndexOf(":");
  const host = config.listen.slice(0, i);
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(Number(config.listen.slice(i + 1)), host, () => resolve());
  });
  const url = `http://${host}:${(http.address() as AddressInfo).port}`;
  return {
    url,
    urlOf: (server) => `${url}${demoServerPath(server)}`,
    log,
    reports,
    notifications,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
