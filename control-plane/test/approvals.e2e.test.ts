// Human approvals across real processes (SECURITY-TESTS Z08, Z10, R15): a control plane, two data-plane nodes
// (one answering "pending" at once, one holding the call open), a real HTTP accounting API, a real MCP upstream
// built with the official SDK, and the official MCP client. The expense-report path: amount 1200 is held for bob
// (alice's manager), alice cannot approve her own, someone not named cannot either, bob approves in the API, the
// same approval does not cover amount 1300, and the retried call executes exactly once. Then: replay, concurrent
// retries, rejection, expiry, a held call that completes once approved, the webhook, and the control plane down.

import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema, McpError } from "@modelcontextprotocol/sdk/types.js";
import { expenseReportPolicies } from "@portcullis/policy/scenarios/expense-report";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServerDatabase, testDbKind } from "./harness.ts";
import { LocalIssuer } from "./local-issuer.ts";
import { freePort, getJson, processGroup, until } from "./processes.ts";
import { exchangeForSession } from "./support/expense-cast.ts";

const root = mkdtempSync(path.join(tmpdir(), "pc-approvals-"));
const procs = processGroup();
const cleanups: (() => Promise<void>)[] = [];
const clients: Client[] = [];
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  procs.killAll();
  for (const f of cleanups.reverse()) await f().catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

const ALICE = "alice@company.com";
const BOB = "bob@company.com";
const EVE = "eve@company.com";
const PASSWORD = "approvals-test-password";
const WEBHOOK_SECRET = "webhook-secret-for-the-approvals-test";
// Long enough for a loaded machine to request, approve and retry; the expiry test waits it out.
const TTL_SECONDS = 20;

async function listen(handler: Parameters<typeof createServer>[1]) {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(() => new Promise((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function readBody(req: import("node:http").IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The accounting API: records every report it creates. */
async function accountingApi() {
  const received: { body: Record<string, unknown> }[] = [];
  const url = await listen(async (req, res) => {
    received.push({ body: JSON.parse(await readBody(req)) });
    res.writeHead(201, { "content-type": "application/json" });
    res.end(JSON.stringify({ report_id: `rep_${received.length}` }));
  });
  return { url, received };
}

/** A bank MCP server (official SDK, stateless) with one tool, transfer_funds; records every execution. */
async function bankMcp() {
  const executed: Record<string, unknown>[] = [];
  const url = await listen(async (req, res) => {
    const text = await readBody(req);
    const server = new Server({ name: "bank", version: "1.0.0" }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: [{ name: "transfer_funds", inputSchema: { type: "object" as const } }],
    }));
    server.setRequestHandler(CallToolRequestSchema, async (request) => {
      executed.push(request.params.arguments ?? {});
      return { content: [{ type: "text" as const, text: `transferred ${JSON.stringify(request.params.arguments)}` }] };
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, text === "" ? undefined : JSON.parse(text));
  });
  return { url, executed };
}

/** The approval webhook receiver: answers 500 to the first delivery (to prove retries), then 204. */
async function webhookReceiver() {
  const deliveries: { headers: IncomingHttpHeaders; body: string; answered: number }[] = [];
  const url = await listen(async (req, res) => {
    const body = await readBody(req);
    const answered = deliveries.length === 0 ? 500 : 204;
    deliveries.push({ headers: req.headers, body, answered });
    res.writeHead(answered).end();
  });
  return { url, deliveries };
}

/** A JSON body as the assertions read it. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field with expect().
type Json = Record<string, any>;
type Api = (method: string, p: string, body?: unknown) => Promise<{ status: number; body: Json }>;

let cpUrl = "";
let cpEnv: Record<string, string> = {};
let cp: ReturnType<typeof procs.spawn>;
let admin: Api;
let bob: Api;
let alice: Api;
let eve: Api;
let dpHttp = "";
let dpHold = "";
let newSession: (sub?: string) => Promise<string>;
let accounting: Awaited<ReturnType<typeof accountingApi>>;
let bank: Awaited<ReturnType<typeof bankMcp>>;
let webhook: Awaited<ReturnType<typeof webhookReceiver>>;

async function signIn(email: string, password: string): Promise<Api> {
  const login = await fetch(`${cpUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  expect(login.status, `login ${email}`).toBe(200);
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  return async (method, p, body) => {
    const res = await fetch(`${cpUrl}${p}`, {
      method,
      headers: { cookie, "x-csrf-token": csrfToken, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
}

const ok = async (p: Promise<{ status: number; body: Json }>) => {
  const r = await p;
  expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  return r.body;
};

const report = (amount: number) => ({
  employee_id: ALICE,
  amount,
  cost_center: "eng-team-001",
  receipt_text: `Hotel ${amount}`,
});

async function invoke(dp: string, token: string, tool: string, args: Record<string, unknown>) {
  const res = await fetch(`http://${dp}/tools/${tool}/invoke`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(args),
  });
  return {
    status: res.status,
    decisionId: res.headers.get("portcullis-decision-id"),
    body: (await res.json()) as Json,
  };
}

async function mcpClient(token: string, dp = dpHttp) {
  const transport = new StreamableHTTPClientTransport(new URL(`http://${dp}/mcp/default`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: "payments-agent", version: "1.0.0" });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const callError = (p: Promise<unknown>) =>
  p.then(
    (r) => {
      throw new Error(`expected an MCP error, got ${JSON.stringify(r)}`);
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(McpError);
      return e as McpError;
    },
  );

beforeAll(async () => {
  const issuer = await (await LocalIssuer.create("https://idp.company.test", "ES256")).serve();
  cleanups.push(() => issuer.close());
  accounting = await accountingApi();
  bank = await bankMcp();
  webhook = await webhookReceiver();
  cpEnv = {
    PORTCULLIS_DATA_DIR: path.join(root, "cp"),
    PORTCULLIS_CP_HTTP: `127.0.0.1:${await freePort()}`,
    PORTCULLIS_CP_GRPC: `127.0.0.1:${await freePort()}`,
    PORTCULLIS_ADMIN_PASSWORD: PASSWORD,
    PORTCULLIS_SECRET_KEY: Buffer.alloc(32, 9).toString("base64"),
    PORTCULLIS_APPROVAL_TTL: `${TTL_SECONDS}s`,
    PORTCULLIS_APPROVAL_WEBHOOK_URL: `${webhook.url}/hooks/approvals`,
    PORTCULLIS_APPROVAL_WEBHOOK_SECRET: WEBHOOK_SECRET,
  };
  if (testDbKind() === "postgres") {
    const db = await createServerDatabase();
    cleanups.push(db.drop);
    cpEnv.DATABASE_URL = db.url;
  }
  cpUrl = `http://${cpEnv.PORTCULLIS_CP_HTTP}`;
  cp = procs.spawn(["cp"], cpEnv);
  await until("the control plane", async () => ((await getJson(`${cpUrl}/readyz`))?.status === 200 ? true : undefined));
  admin = await signIn("admin@portcullis.local", PASSWORD);

  // People: bob (alice's manager) and alice herself are security users; eve is one too, but nobody names her.
  for (const email of [BOB, ALICE, EVE]) {
    await ok(admin("POST", "/api/v1/users", { email, role: "security", password: PASSWORD }));
  }
  [bob, alice, eve] = await Promise.all([signIn(BOB, PASSWORD), signIn(ALICE, PASSWORD), signIn(EVE, PASSWORD)]);

  await ok(
    admin("POST", "/api/v1/trusted-issuers", { name: "company-idp", issuer: issuer.issuer, staticJwks: issuer.jwks() }),
  );
  await ok(
    admin("POST", "/api/v1/operators", {
      subject: ALICE,
      email: ALICE,
      department: "engineering",
      manager: BOB,
      costCenter: "eng-team-001",
      attributes: { delegation_limit: 500 },
    }),
  );
  const agent = await ok(
    admin("POST", "/api/v1/agents", { name: "expense-report-v1", owner: "finance-platform", trust: "first_party" }),
  );
  const credential = await ok(admin("POST", `/api/v1/agents/${agent.id}/credentials`, {}));
  const accountingUp = await ok(
    admin("POST", "/api/v1/upstreams", { name: "accounting", kind: "http", url: accounting.url }),
  );
  await ok(
    admin("POST", "/api/v1/tools", {
      upstreamId: accountingUp.id,
      name: "create_expense_report",
      http: { method: "POST", path: "/reports" },
      sensitive: true,
    }),
  );
  const bankUp = await ok(admin("POST", "/api/v1/upstreams", { name: "bank", kind: "mcp", url: `${bank.url}/mcp` }));
  // Registered exactly as the bank lists it: the node checks upstream definitions against their pins (T08).
  await ok(
    admin("POST", "/api/v1/tools", { upstreamId: bankUp.id, name: "transfer_funds", inputSchema: { type: "object" } }),
  );
  for (const { id: _id, ...policy } of expenseReportPolicies) await ok(admin("POST", "/api/v1/policies", policy));
  // Z08: every transfer needs a person with the security role (by role, not by name).
  await ok(
    admin("POST", "/api/v1/policies", {
      name: "transfers-need-security-approval",
      description: "every transfer of funds needs the approval of the security team",
      target: { agents: ["*"], tools: ["transfer_funds"] },
      effect: "require_approval",
      condition: "true",
      approvers: '"role:security"',
      mode: "enforce",
      priority: 50,
    }),
  );

  // Two nodes: one answers "pending" at once, one holds approval-gated calls open for up to a minute.
  const groups = await ok(admin("GET", "/api/v1/gateway-groups"));
  const startNode = async (name: string, extra: Record<string, string>) => {
    const issued = await ok(admin("POST", `/api/v1/gateway-groups/${groups.items[0].id}/bootstrap-tokens`, {}));
    const http = `127.0.0.1:${await freePort()}`;
    procs.spawn(["dp"], {
      PORTCULLIS_CP_GRPC: cpEnv.PORTCULLIS_CP_GRPC as string,
      PORTCULLIS_DP_HTTP: http,
      PORTCULLIS_DP_DATA_DIR: path.join(root, name),
      PORTCULLIS_BOOTSTRAP_TOKEN: issued.token,
      PORTCULLIS_DP_HEARTBEAT_SECONDS: "1",
      ...extra,
    });
    await until(`node ${name} to be ready`, async () =>
      (await getJson(`http://${http}/readyz`))?.status === 200 ? true : undefined,
    );
    return http;
  };
  dpHttp = await startNode("dp", {});
  dpHold = await startNode("dp-hold", {
    PORTCULLIS_DP_APPROVAL_HOLD_MS: "90000",
    PORTCULLIS_DP_APPROVAL_TIMEOUT_MS: "120000",
  });
  await until("both nodes in sync", async () => {
    const nodes = await ok(admin("GET", "/api/v1/nodes"));
    return nodes.items.filter((n: { inSync: boolean }) => n.inSync).length >= 2 ? true : undefined;
  });

  newSession = (sub = ALICE) => exchangeForSession(cpUrl, issuer, credential, sub);
}, 240_000);

describe("approvals across real processes", () => {
  it("Z08 expense report: 1200 is held for bob; alice and eve cannot approve; bob approves; 1300 is not covered; the call executes exactly once", {
    timeout: 120_000,
  }, async () => {
    const token = await newSession();
    const held = await invoke(dpHttp, token, "create_expense_report", report(1200));
    expect(held.status).toBe(403);
    expect(held.body.error).toMatchObject({
      code: "approval_pending",
      reason_code: "approval_required",
      status: "pending",
      approval_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      approve_url: expect.stringContaining("/approvals/"),
    });
    const approvalId = held.body.error.approval_id as string;
    expect(held.body.error.approve_url).toBe(`${cpUrl}/approvals/${approvalId}`);
    expect(accounting.received).toHaveLength(0);

    // Retrying while pending finds the same approval and executes nothing.
    const again = await invoke(dpHttp, token, "create_expense_report", report(1200));
    expect(again.body.error).toMatchObject({ code: "approval_pending", approval_id: approvalId });
    expect(accounting.received).toHaveLength(0);

    // The inbox: bob sees it, bound to the exact arguments, naming him as the approver.
    const inbox = await ok(bob("GET", `/api/v1/approvals?status=pending&tool=create_expense_report&operator=${ALICE}`));
    expect(inbox.items.map((a: { id: string }) => a.id)).toContain(approvalId);
    const seen = await ok(bob("GET", `/api/v1/approvals/${approvalId}`));
    expect(seen).toMatchObject({
      status: "pending",
      tool: "create_expense_report",
      args: report(1200),
      argsSha256: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      operatorEmail: ALICE,
      agentName: "expense-report-v1",
      approvers: [BOB],
      policyId: expect.any(String),
      requestEventId: held.decisionId,
    });

    // Alice cannot approve her own call; eve is not named by the policy.
    const own = await alice("POST", `/api/v1/approvals/${approvalId}/decision`, { decision: "approve" });
    expect(own.status).toBe(403);
    expect(own.body.error).toMatchObject({ code: "forbidden", message: expect.stringContaining("your own") });
    const notNamed = await eve("POST", `/api/v1/approvals/${approvalId}/decision`, { decision: "approve" });
    expect(notNamed.status).toBe(403);
    expect(notNamed.body.error.message).toContain(BOB);

    const approved = await ok(
      bob("POST", `/api/v1/approvals/${approvalId}/decision`, { decision: "approve", comment: "conference hotel" }),
    );
    expect(approved).toMatchObject({
      status: "approved",
      decidedBy: BOB,
      approvedAs: BOB,
      comment: "conference hotel",
    });
    const twice = await bob("POST", `/api/v1/approvals/${approvalId}/decision`, { decision: "reject" });
    expect(twice.status).toBe(409);

    // The same approval does not cover 1300: that is a new request, and nothing executes.
    const changed = await invoke(dpHttp, token, "create_expense_report", report(1300));
    expect(changed.body.error).toMatchObject({ code: "approval_pending" });
    expect(changed.body.error.approval_id).not.toBe(approvalId);
    expect(accounting.received).toHaveLength(0);

    // The identical call executes, once.
    const executed = await invoke(dpHttp, token, "create_expense_report", report(1200));
    expect(executed.status, JSON.stringify(executed.body)).toBe(201);
    expect(accounting.received.map((r) => r.body)).toEqual([report(1200)]);

    // Replaying it is refused (the scenario's once-per-session rule denies it before any approval).
    const replay = await invoke(dpHttp, token, "create_expense_report", report(1200));
    expect(replay.status).toBe(403);
    expect(accounting.received).toHaveLength(1);

    const consumed = await ok(bob("GET", `/api/v1/approvals/${approvalId}`));
    expect(consumed).toMatchObject({ status: "consumed", executionEventId: executed.decisionId });

    // Audit links request → approval → execution: the approval names the decision ids (the data-plane audit
    // events) of the call that asked and of the call that executed, and its decision is in the admin audit.
    const decisions = await ok(admin("GET", "/api/v1/admin-audit?action=approval.approve"));
    expect(decisions.items.some((e: { targetId: string }) => e.targetId === approvalId)).toBe(true);
  });

  it("Z08 over MCP (official SDK): -32010 with the approval id; approved by role; concurrent retries execute exactly once; a replay needs a new approval", {
    timeout: 120_000,
  }, async () => {
    const client = await mcpClient(await newSession());
    const args = { from: "ops", to: "vendor-17", amount: 25_000 };
    const pending = await callError(client.callTool({ name: "transfer_funds", arguments: args }));
    expect(pending.code).toBe(-32010);
    expect(pending.message).toContain("pending");
    const data = pending.data as { approval_id: string; approve_url: string; decision_id: string };
    expect(data).toMatchObject({
      reason_code: "approval_pending",
      approve_url: `${cpUrl}/approvals/${data.approval_id}`,
    });
    expect(bank.executed).toHaveLength(0);

    const approved = await ok(bob("POST", `/api/v1/approvals/${data.approval_id}/decision`, { decision: "approve" }));
    expect(approved).toMatchObject({ status: "approved", approvedAs: "role:security" });

    // Five identical retries at once: exactly one executes, the others need a new approval.
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => client.callTool({ name: "transfer_funds", arguments: args })),
    );
    const fulfilled = results.filter((r) => r.status === "fulfilled");
    expect(fulfilled).toHaveLength(1);
    expect(JSON.stringify(fulfilled[0])).toContain("transferred");
    for (const r of results.filter((x) => x.status === "rejected")) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(McpError);
      expect(((r as PromiseRejectedResult).reason as McpError).code).toBe(-32010);
    }
    expect(bank.executed).toEqual([args]);

    // A later replay of the identical call is refused: a new approval, nothing executed.
    const replay = await callError(client.callTool({ name: "transfer_funds", arguments: args }));
    expect(replay.code).toBe(-32010);
    expect((replay.data as { approval_id: string }).approval_id).not.toBe(data.approval_id);
    expect(bank.executed).toHaveLength(1);
  });

  it("a rejected approval answers approval_rejected (-32030 over MCP, 403 over HTTP); nothing executes", {
    timeout: 90_000,
  }, async () => {
    const client = await mcpClient(await newSession());
    const args = { from: "ops", to: "unknown-offshore", amount: 990_000 };
    const pending = await callError(client.callTool({ name: "transfer_funds", arguments: args }));
    const id = (pending.data as { approval_id: string }).approval_id;
    await ok(bob("POST", `/api/v1/approvals/${id}/decision`, { decision: "reject", comment: "unknown payee" }));
    const rejected = await callError(client.callTool({ name: "transfer_funds", arguments: args }));
    expect(rejected.code).toBe(-32030);
    expect(rejected.message).toContain("rejected by bob@company.com (unknown payee)");
    expect(rejected.data).toMatchObject({ reason_code: "approval_rejected", approval_id: id });

    const token = await newSession();
    const held = await invoke(dpHttp, token, "create_expense_report", report(2500));
    await ok(bob("POST", `/api/v1/approvals/${held.body.error.approval_id}/decision`, { decision: "reject" }));
    const refused = await invoke(dpHttp, token, "create_expense_report", report(2500));
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: "approval_rejected", approval_id: held.body.error.approval_id });
    expect(bank.executed.filter((a) => a.to === "unknown-offshore")).toHaveLength(0);
    expect(accounting.received.filter((r) => r.body.amount === 2500)).toHaveLength(0);
  });

  it("Z08 held call: the node keeps the call open until bob approves, then executes it once and returns the result", {
    timeout: 120_000,
  }, async () => {
    const token = await newSession();
    const before = accounting.received.length;
    const call = invoke(dpHold, token, "create_expense_report", report(800));
    const approval = await until("the held call's approval", async () => {
      const page = await ok(bob("GET", `/api/v1/approvals?status=pending&tool=create_expense_report`));
      return page.items.find((a: { args: { amount: number } }) => a.args.amount === 800);
    });
    expect(accounting.received.length).toBe(before);
    await ok(bob("POST", `/api/v1/approvals/${approval.id}/decision`, { decision: "approve" }));
    const result = await call;
    expect(result.status, JSON.stringify(result.body)).toBe(201);
    expect(accounting.received.filter((r) => r.body.amount === 800)).toHaveLength(1);
    expect((await ok(bob("GET", `/api/v1/approvals/${approval.id}`))).status).toBe("consumed");
  });

  it("the webhook notified every new request, signed with HMAC-SHA256, and retried after a failure", {
    timeout: 60_000,
  }, async () => {
    await until("a successful webhook delivery", async () =>
      webhook.deliveries.some((d) => d.answered === 204) ? true : undefined,
    );
    expect(webhook.deliveries[0]?.answered).toBe(500);
    for (const d of webhook.deliveries) {
      const header = d.headers["portcullis-signature"] as string;
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header) ?? [];
      expect(v1).toBe(createHmac("sha256", WEBHOOK_SECRET).update(`${t}.${d.body}`).digest("hex"));
      const body = JSON.parse(d.body);
      expect(body).toMatchObject({ type: "approval.requested", approval: { id: expect.any(String) } });
      expect(body.approval.decideUrl).toBe(`${cpUrl}/approvals/${body.approval.id}`);
    }
    // The first request's delivery failed once and was retried: its row records the delivery.
    const firstId = JSON.parse(webhook.deliveries[0]?.body ?? "{}").approval.id as string;
    expect(webhook.deliveries.filter((d) => JSON.parse(d.body).approval.id === firstId).length).toBeGreaterThanOrEqual(
      2,
    );
    const row = await until("the delivery on the approval", async () => {
      const a = await ok(admin("GET", `/api/v1/approvals/${firstId}`));
      return a.notifiedAt ? a : undefined;
    });
    expect(row.notifiedAt).toEqual(expect.any(String));
  });

  it("Z10: an approval nobody decides expires: approval_expired, never executed, and it can no longer be approved", {
    timeout: 120_000,
  }, async () => {
    const token = await newSession();
    const held = await invoke(dpHttp, token, "create_expense_report", report(900));
    const id = held.body.error.approval_id as string;
    await until(
      "the approval to expire",
      async () => ((await ok(bob("GET", `/api/v1/approvals/${id}`))).status === "expired" ? true : undefined),
      90_000,
    );
    const expired = await invoke(dpHttp, token, "create_expense_report", report(900));
    expect(expired.status).toBe(403);
    expect(expired.body.error).toMatchObject({ code: "approval_expired", approval_id: id });
    const late = await bob("POST", `/api/v1/approvals/${id}/decision`, { decision: "approve" });
    expect(late.status).toBe(409);
    expect(accounting.received.filter((r) => r.body.amount === 900)).toHaveLength(0);
  });

  it("Z10/R15: with the control plane down, approval-gated calls fail closed with approval_unavailable (503, -32032); others still run", {
    timeout: 90_000,
  }, async () => {
    const token = await newSession();
    const client = await mcpClient(await newSession());
    cp.child.kill("SIGKILL");
    await cp.exited;
    const down = await invoke(dpHttp, token, "create_expense_report", report(1500));
    expect(down.status).toBe(503);
    expect(down.body.error).toMatchObject({ code: "approval_unavailable" });
    const mcpDown = await callError(client.callTool({ name: "transfer_funds", arguments: { to: "x", amount: 1 } }));
    expect(mcpDown.code).toBe(-32032);
    // The node holding calls open does not wait forever either.
    const heldDown = await invoke(dpHold, token, "create_expense_report", report(1600));
    expect(heldDown.status).toBe(503);
    expect(heldDown.body.error.code).toBe("approval_unavailable");
    // A call no approval gates is unaffected.
    const small = await invoke(dpHttp, token, "create_expense_report", report(50));
    expect(small.status, JSON.stringify(small.body)).toBe(201);
    expect(accounting.received.filter((r) => [1500, 1600].includes(r.body.amount as number))).toHaveLength(0);
  });
});
