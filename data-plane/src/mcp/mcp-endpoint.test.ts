// /mcp/{server} end to end with the official MCP SDK client against a real DP and two real upstream MCP servers
// (SDK servers): list phase, calls decided by the expense-report policies, forwarding with the assertion, session
// binding, and the security catalogue's cases (T01, T02, T04, T05, T10, T12, T18, R11).
import { randomBytes } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { canonicalJson, sha256Hex } from "@portcullis/proto";
import { importJWK, jwtVerify, SignJWT } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AGENT, ALICE, CAROL, newSessionId } from "../../test/http-tools-fixture.ts";
import { MCP_UPSTREAMS, McpWorld } from "../../test/mcp-fixture.ts";
import { ASSERTION_TYP } from "../assertions/mint-assertion.ts";

interface RawReply {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown> | undefined;
}

describe("MCP virtual server /mcp/{server}", () => {
  let world: McpWorld;
  const clients: Client[] = [];
  beforeAll(async () => {
    world = await McpWorld.start();
  });
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await world?.close();
  });
  beforeEach(() => world.resetUpstreams());

  async function connect(token: string, server = "default") {
    const transport = new StreamableHTTPClientTransport(new URL(world.url(server)), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    });
    const client = new Client({ name: "expense-agent", version: "1.0.0" });
    await client.connect(transport);
    clients.push(client);
    return { client, transport };
  }

  async function raw(
    body: string | unknown,
    options: { token?: string | null; session?: string; server?: string; method?: string } = {},
  ): Promise<RawReply> {
    const token = options.token === undefined ? await world.token() : options.token;
    const response = await fetch(world.url(options.server), {
      method: options.method ?? "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
        ...(options.session ? { "mcp-session-id": options.session } : {}),
      },
      ...((options.method ?? "POST") === "POST"
        ? { body: typeof body === "string" ? body : JSON.stringify(body) }
        : {}),
    });
    const text = await response.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: response.status, headers: response.headers, text, json };
  }

  const initialize = (token?: string, server?: string) =>
    raw(
      {
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
      },
      { ...(token ? { token } : {}), ...(server ? { server } : {}) },
    );

  const upstreamRequests = () => world.ocr.received.length + world.directory.received.length;

  it("initialize answers with the gateway's server info and tools capability; ping works", async () => {
    const { client, transport } = await connect(await world.token());
    expect(client.getServerVersion()?.name).toBe("portcullis");
    expect(client.getServerCapabilities()?.tools).toBeDefined();
    expect(transport.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect(client.ping()).resolves.toEqual({});
    expect(upstreamRequests()).toBe(0);
  });

  it("tools/list shows only the tools the list phase allows, as pinned, prefixed when two upstreams share a name (T10, T12)", async () => {
    const { client } = await connect(await world.token());
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name).sort();
    expect(names).toEqual([
      "create_expense_report",
      "directory__lookup",
      "get_employee_cost_center",
      "ocr__lookup",
      "receipt_ocr",
    ]);
    const ocr = tools.find((t) => t.name === "receipt_ocr");
    expect(ocr).toMatchObject({
      description: "receipt_ocr (pinned description)",
      inputSchema: { type: "object", properties: { q: { type: "string" } } },
      annotations: { readOnlyHint: true },
    });
    expect(upstreamRequests()).toBe(0);
  });

  it("T02: an allowed call reaches its upstream with exactly the arguments and a valid assertion, never the caller's token or session; a second receipt_ocr is denied", async () => {
    const sid = newSessionId();
    const token = await world.token({ sid });
    const { client, transport } = await connect(token);
    const args = { image: "receipt-123.png", note: { amount: 127.5, nested: [1, "two"] } };
    const result = await client.callTool({ name: "receipt_ocr", arguments: args });
    expect(result.isError).toBeFalsy();
    const text = (result.content as { type: string; text: string }[])[0]?.text ?? "";
    expect(JSON.parse(text)).toEqual({ upstream: "ocr", tool: "receipt_ocr", args });

    const calls = world.ocr.calls("tools/call");
    expect(calls).toHaveLength(1);
    const received = calls[0];
    expect((received?.body?.params as Record<string, unknown> | undefined)?.arguments).toEqual(args);
    const headers = received?.headers ?? {};
    const assertion = String(headers["portcullis-assertion"]);
    expect(headers.authorization).toBe(`Bearer ${assertion}`);
    for (const request of world.ocr.received) {
      const all = JSON.stringify(request.headers);
      expect(all).not.toContain(token);
      expect(all).not.toContain(String(transport.sessionId));
      expect(request.headers.cookie).toBeUndefined();
    }
    const node = world.node;
    const key = await importJWK(node.identity.assertion.publicJwk, "EdDSA");
    const { payload } = await jwtVerify(assertion, key, {
      algorithms: ["EdDSA"],
      issuer: node.identity.issuer,
      audience: MCP_UPSTREAMS.ocr,
      typ: ASSERTION_TYP,
    });
    expect(payload).toMatchObject({
      sub: ALICE,
      act: { sub: AGENT.id, name: AGENT.name },
      sid,
      tool: "receipt_ocr",
      args_sha256: sha256Hex(canonicalJson(args)),
    });
    const decisionId = payload.decision_id as string;
    const [record] = await world.auditWhere((r) => r.id === decisionId);
    expect(record).toMatchObject({
      type: "decision",
      protocol: "mcp",
      session_id: sid,
      tool: "receipt_ocr",
      upstream: MCP_UPSTREAMS.ocr,
      decision: "allow",
      outcome: "ok",
      args_sha256: sha256Hex(canonicalJson(args)),
    });

    // Rule 1: once per session. A policy deny is a tool result the agent can read.
    const denied = await client.callTool({ name: "receipt_ocr", arguments: { image: "again.png" } });
    expect(denied.isError).toBe(true);
    expect((denied.content as { text: string }[])[0]?.text).toContain("receipt_ocr may be called once per session");
    expect(world.ocr.calls("tools/call")).toHaveLength(1);
    const meta = (denied._meta as Record<string, { decision_id: string }>)["portcullis/decision"];
    const [deniedRecord] = await world.auditWhere((r) => r.id === meta?.decision_id);
    expect(deniedRecord).toMatchObject({ protocol: "mcp", decision: "deny", outcome: "denied", tool: "receipt_ocr" });
  });

  it("an upstream with its own credential gets it injected, plus the assertion header", async () => {
    const { client } = await connect(await world.token());
    const ok = await client.callTool({ name: "get_employee_cost_center", arguments: { employee_id: ALICE } });
    expect(ok.isError).toBeFalsy();
    const [call] = world.directory.calls("tools/call");
    expect(call?.headers["x-api-key"]).toBe("directory-key");
    expect(call?.headers["portcullis-assertion"]).toBeTruthy();
    expect(call?.headers.authorization).toBeUndefined();
    // Rule 2: someone else's cost centre is denied and never forwarded.
    const denied = await client.callTool({ name: "get_employee_cost_center", arguments: { employee_id: CAROL } });
    expect(denied.isError).toBe(true);
    expect(world.directory.calls("tools/call")).toHaveLength(1);
  });

  // This world's control plane serves no ApprovalService: approval-gated calls fail closed (the approval flow
  // itself runs against a real control plane in control-plane/test/approvals.e2e.test.ts).
  it("R15: require_approval without a reachable approval service answers -32032, not executed; a sensitive allowed call is recorded", async () => {
    const { client } = await connect(await world.token());
    const report = { employee_id: ALICE, amount: 600, cost_center: "eng-team-001", receipt_text: "Hotel" };
    const error = await client.callTool({ name: "create_expense_report", arguments: report }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32032);
    expect((error as McpError).message).toContain("not executed");
    expect((error as McpError).data).toMatchObject({ reason_code: "approval_unavailable" });
    expect(world.directory.calls("tools/call")).toHaveLength(0);
    const decisionId = ((error as McpError).data as { decision_id: string }).decision_id;
    const [record] = await world.auditWhere((r) => r.id === decisionId);
    expect(record).toMatchObject({
      protocol: "mcp",
      decision: "require_approval",
      outcome: "approval_unavailable",
      approval_status: "unavailable",
    });

    const small = await client.callTool({ name: "create_expense_report", arguments: { ...report, amount: 120 } });
    expect(small.isError).toBeFalsy();
    expect(world.directory.calls("tools/call")).toHaveLength(1);
    await world.auditWhere((r) => r.tool === "create_expense_report" && r.outcome === "ok" && r.protocol === "mcp");
  });

  it("T10: prefixed names reach only their own upstream; the bare ambiguous name is unknown", async () => {
    const { client } = await connect(await world.token());
    const viaOcr = await client.callTool({ name: "ocr__lookup", arguments: { q: "x" } });
    expect(JSON.parse((viaOcr.content as { text: string }[])[0]?.text ?? "")).toMatchObject({
      upstream: "ocr",
      tool: "lookup",
    });
    expect(world.directory.calls("tools/call")).toHaveLength(0);
    const viaDirectory = await client.callTool({ name: "directory__lookup", arguments: { q: "y" } });
    expect(JSON.parse((viaDirectory.content as { text: string }[])[0]?.text ?? "")).toMatchObject({
      upstream: "directory",
    });
    expect(world.ocr.calls("tools/call")).toHaveLength(1);
    await expect(client.callTool({ name: "lookup", arguments: {} })).rejects.toMatchObject({ code: -32602 });
    // One upstream MCP session per gateway session and upstream, opened on first use and reused.
    await client.callTool({ name: "ocr__lookup", arguments: { q: "again" } });
    expect(world.ocr.calls("initialize")).toHaveLength(1);
    expect(world.ocr.calls("tools/call")).toHaveLength(2);
    const upstreamSessions = new Set(world.ocr.calls("tools/call").map((r) => r.headers["mcp-session-id"]));
    expect(upstreamSessions.size).toBe(1);
  });

  it("T12: hidden, destructive, quarantined and unknown tools answer the identical -32602 error; nothing is forwarded", async () => {
    const token = await world.token();
    const { transport } = await connect(token);
    const session = String(transport.sessionId);
    const shapes: unknown[] = [];
    for (const name of ["admin_reset", "delete_expense_reports", "quarantined_tool", "no_such_tool"]) {
      const reply = await raw(
        { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name, arguments: {} } },
        { token, session },
      );
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({ jsonrpc: "2.0", id: 7, error: { code: -32602, message: `Unknown tool: ${name}` } });
      shapes.push(JSON.stringify(reply.json).replace(name, "<name>"));
    }
    expect(new Set(shapes).size).toBe(1);
    expect(world.ocr.calls("tools/call").length + world.directory.calls("tools/call").length).toBe(0);
    const { client } = await connect(token);
    const error = await client.callTool({ name: "admin_reset", arguments: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect(error).toMatchObject({ code: -32602 });
  });

  it("T01: no token, wrong or missing audience → 401 with resource_metadata; the metadata names the control plane; upstreams get nothing", async () => {
    const metadataUrl = `${world.base}/.well-known/oauth-protected-resource/mcp/default`;
    const none = await raw({ jsonrpc: "2.0", id: 1, method: "tools/list" }, { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${metadataUrl}"`);
    const now = Math.floor(Date.now() / 1000);
    const sign = (aud: string | undefined) => {
      const jwt = new SignJWT({
        sub: ALICE,
        act: { sub: AGENT.id, name: AGENT.name },
        sid: newSessionId(),
        op: { email: ALICE },
      })
        .setProtectedHeader({ alg: "EdDSA", kid: world.cp.key.kid, typ: "at+jwt" })
        .setIssuer(world.cp.issuer)
        .setIssuedAt(now)
        .setExpirationTime(now + 600);
      return (aud ? jwt.setAudience(aud) : jwt).sign(world.cp.key.privateKey);
    };
    for (const token of [await sign("https://other"), await sign(undefined)]) {
      const reply = await initialize(token);
      expect(reply.status).toBe(401);
      const header = reply.headers.get("www-authenticate") ?? "";
      expect(header).toContain(`resource_metadata="${metadataUrl}"`);
      expect(header).toContain('error="invalid_token"');
      await expect(connect(token)).rejects.toThrow();
    }
    expect(upstreamRequests()).toBe(0);

    const metadata = await fetch(metadataUrl);
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toEqual({
      resource: world.url("default"),
      authorization_servers: [world.cp.issuer],
      bearer_methods_supported: ["header"],
      resource_name: "Portcullis MCP virtual server default",
    });
  });

  it("T04: another caller replaying a Mcp-Session-Id, or the owner on another virtual server → 404, audited as session_binding_violation, nothing forwarded", async () => {
    const { transport } = await connect(await world.token());
    const session = String(transport.sessionId);
    const call = { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "ocr__lookup", arguments: {} } };

    const carol = await world.token({ sub: CAROL, op: { email: CAROL } });
    const replayed = await raw(call, { token: carol, session });
    expect(replayed.status).toBe(404);
    expect(replayed.json).toMatchObject({ error: { code: -32001 } });
    // Same operator and agent but another gateway session (token sid): also refused.
    const otherSid = await raw(call, { token: await world.token(), session });
    expect(otherSid.status).toBe(404);
    const records = await world.auditWhere((r) => r.code === "session_binding_violation" && r.operator === CAROL);
    expect(records[0]).toMatchObject({ protocol: "mcp", outcome: "session_refused" });

    // The owner, on another virtual server.
    const ownerToken = await world.token();
    const { transport: own } = await connect(ownerToken);
    const cross = await raw(call, { token: ownerToken, session: String(own.sessionId), server: "ocronly" });
    expect(cross.status).toBe(404);
    expect(upstreamRequests()).toBe(0);
  });

  it("T05: session ids are 256-bit random and unique; no session → 400; after DELETE → 404", async () => {
    const token = await world.token();
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const reply = await initialize(token);
      expect(reply.status).toBe(200);
      const id = reply.headers.get("mcp-session-id") ?? "";
      expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(200);
    const prefixes = new Set([...ids].map((id) => id.slice(0, 4)));
    expect(prefixes.size).toBeGreaterThan(190);

    const noSession = await raw({ jsonrpc: "2.0", id: 2, method: "tools/list" }, { token });
    expect(noSession.status).toBe(400);
    expect(noSession.json).toMatchObject({ error: { code: -32600 } });

    const session = [...ids][0] as string;
    expect((await raw({ jsonrpc: "2.0", id: 2, method: "tools/list" }, { token, session })).status).toBe(200);
    const deleted = await raw(undefined, { token, session, method: "DELETE" });
    expect(deleted.status).toBe(204);
    const after = await raw({ jsonrpc: "2.0", id: 2, method: "tools/list" }, { token, session });
    expect(after.status).toBe(404);
    const unknown = await raw(
      { jsonrpc: "2.0", id: 2, method: "tools/list" },
      { token, session: randomBytes(32).toString("base64url") },
    );
    expect(unknown.status).toBe(404);

    // The SDK client's own terminateSession.
    const { transport } = await connect(token);
    await transport.terminateSession();
    expect(transport.sessionId).toBeUndefined();
  });

  it("T18: JSON-RPC batches get one error and nothing is forwarded", async () => {
    const token = await world.token();
    const { transport } = await connect(token);
    const session = String(transport.sessionId);
    const allowed = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "ocr__lookup", arguments: {} } };
    const denied = { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "admin_reset", arguments: {} } };
    for (const batch of [[allowed, denied], [], [1]]) {
      const reply = await raw(batch, { token, session });
      expect(reply.status).toBe(400);
      expect(Array.isArray(reply.json)).toBe(false);
      expect(reply.json).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600 } });
    }
    expect(upstreamRequests()).toBe(0);
  });

  it("R11: malformed JSON → -32700, invalid requests → -32600, unknown method → -32601, notification → 202, deep nesting refused", async () => {
    const token = await world.token();
    const { transport } = await connect(token);
    const session = String(transport.sessionId);

    const malformed = await raw('{"jsonrpc":"2.0",', { token, session });
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32700 } });

    const badMethod = await raw({ jsonrpc: "2.0", id: 1, method: 1 }, { token, session });
    expect(badMethod.status).toBe(400);
    expect(badMethod.json).toMatchObject({ error: { code: -32600 } });
    for (const invalid of [{ id: 1, method: "ping" }, { jsonrpc: "2.0", id: null, method: "ping" }, '"x"', 5]) {
      const reply = await raw(invalid, { token, session });
      expect(reply.status).toBe(400);
      expect(reply.json).toMatchObject({ error: { code: -32600 } });
    }
    const duplicateKeys = await raw('{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/list"}', {
      token,
      session,
    });
    expect(duplicateKeys.json).toMatchObject({ error: { code: -32700 } });

    const unknown = await raw({ jsonrpc: "2.0", id: 9, method: "foo/bar" }, { token, session });
    expect(unknown.json).toEqual({
      jsonrpc: "2.0",
      id: 9,
      error: { code: -32601, message: "Method not found: foo/bar" },
    });

    const notification = await raw({ jsonrpc: "2.0", method: "notifications/initialized" }, { token, session });
    expect(notification.status).toBe(202);
    expect(notification.text).toBe("");

    const response = await raw({ jsonrpc: "2.0", id: 4, result: {} }, { token, session });
    expect(response.status).toBe(400);

    const deep = await raw(`${"[".repeat(100_000)}${"]".repeat(100_000)}`, { token, session });
    expect(deep.status).toBe(400);
    expect(deep.json).toMatchObject({ error: { code: -32700 } });
    // Still serving.
    expect((await raw({ jsonrpc: "2.0", id: 5, method: "ping" }, { token, session })).json).toEqual({
      jsonrpc: "2.0",
      id: 5,
      result: {},
    });
    expect(upstreamRequests()).toBe(0);
  });
});
