// MCP 2026-07-28 at /mcp/{server}, tested at the protocol level: raw HTTP requests written from the specification
// (Streamable HTTP "Request Metadata", "Server Validation", "Backward Compatibility"; basic/index `_meta` and
// error codes; server/discover; MRTR), since the official SDK client speaks 2025-11-25 only. A real DP, the test
// control plane and two real upstream MCP servers (SDK, 2025-era) — the same world as mcp-endpoint.test.ts.
// Security catalogue cells: T07 (both eras on one URL), R11 (malformed requests) in the modern era, T02/T12 there.
import { randomBytes } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { canonicalJson, type SnapshotResources, sha256Hex } from "@portcullis/proto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AGENT, ALICE, DISABLED, newSessionId } from "../../test/http-tools-fixture.ts";
import { MCP_UPSTREAMS, McpWorld } from "../../test/mcp-fixture.ts";
import { toolDefinitionHash } from "./tool-pins.ts";

const PV = "2026-07-28";
const SUPPORTED = ["2026-07-28", "2025-11-25", "2025-06-18"];
const SERVER_INFO = { name: "portcullis", title: "Portcullis gateway (default)" };

/** The per-request `_meta` a 2026-07-28 client sends (basic/index "Per-request protocol fields"). */
const meta = (extra: Record<string, unknown> = {}) => ({
  "io.modelcontextprotocol/protocolVersion": PV,
  "io.modelcontextprotocol/clientInfo": { name: "raw-modern", version: "1.0.0" },
  "io.modelcontextprotocol/clientCapabilities": {},
  ...extra,
});

/** A 2026-07-28 JSON-RPC request with the required `_meta`. */
const request = (id: number | string, method: string, params: Record<string, unknown> = {}) => ({
  jsonrpc: "2.0",
  id,
  method,
  params: { ...params, _meta: meta(isRecord(params._meta) ? params._meta : {}) },
});

/** The JSON-RPC params an upstream received, or the result of a reply ({} when absent). */
const paramsOf = (r: { body?: Record<string, unknown> | undefined } | undefined) =>
  (r?.body?.params ?? {}) as Record<string, unknown>;
const resultOf = (reply: { json?: Record<string, unknown> | undefined }) =>
  (reply.json?.result ?? {}) as Record<string, unknown>;

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown> | undefined;
}

describe("MCP 2026-07-28 at /mcp/{server} (protocol level)", () => {
  let world: McpWorld;
  beforeAll(async () => {
    world = await McpWorld.start();
  });
  afterAll(async () => {
    await world?.close();
  });
  beforeEach(() => world.resetUpstreams());

  /**
   * A raw POST as a 2026-07-28 client sends it: MCP-Protocol-Version, Mcp-Method (from the body) and Mcp-Name (for
   * tools/call) set from the body unless `headers` overrides them (undefined removes one).
   */
  async function post(
    body: unknown,
    options: {
      token?: string | null;
      headers?: Record<string, string | undefined>;
      method?: string;
      server?: string;
    } = {},
  ): Promise<Reply> {
    const token = options.token === undefined ? await world.token() : options.token;
    const message = isRecord(body) ? body : {};
    const params = isRecord(message.params) ? message.params : {};
    const headers: Record<string, string | undefined> = {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": PV,
      ...(typeof message.method === "string" ? { "mcp-method": message.method } : {}),
      ...(message.method === "tools/call" && typeof params.name === "string" ? { "mcp-name": params.name } : {}),
      ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
      ...options.headers,
    };
    const sent: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) if (v !== undefined) sent[k] = v;
    const method = options.method ?? "POST";
    const response = await fetch(world.url(options.server), {
      method,
      headers: sent,
      ...(method === "POST" ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: response.status, headers: response.headers, text, json };
  }

  const upstreamRequests = () => world.ocr.received.length + world.directory.received.length;
  const toolCalls = () => world.ocr.calls("tools/call").length + world.directory.calls("tools/call").length;
  const errorOf = (reply: Reply) => reply.json?.error as { code: number; message: string; data?: unknown };

  it("server/discover: supportedVersions (both eras), tools capability, serverInfo in _meta, cacheable; no session", async () => {
    const reply = await post(request(1, "server/discover"));
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
    expect(reply.headers.get("mcp-session-id")).toBeNull();
    expect(reply.json).toEqual({
      jsonrpc: "2.0",
      id: 1,
      result: {
        resultType: "complete",
        supportedVersions: SUPPORTED,
        capabilities: { tools: { listChanged: false } },
        ttlMs: 300_000,
        cacheScope: "private",
        _meta: { "io.modelcontextprotocol/serverInfo": { ...SERVER_INFO, version: expect.any(String) } },
      },
    });
    expect(upstreamRequests()).toBe(0);
  });

  it("T10/T12: tools/list is the list phase of policy, as pinned, with resultType and cache hints; nothing upstream", async () => {
    const reply = await post(request("list-1", "tools/list"));
    expect(reply.status).toBe(200);
    const result = reply.json?.result as Record<string, unknown>;
    expect(result).toMatchObject({ resultType: "complete", ttlMs: 60_000, cacheScope: "private" });
    expect(result._meta).toEqual({ "io.modelcontextprotocol/serverInfo": expect.objectContaining(SERVER_INFO) });
    const tools = result.tools as { name: string }[];
    expect(tools.map((t) => t.name).sort()).toEqual([
      "create_expense_report",
      "directory__lookup",
      "get_employee_cost_center",
      "ocr__lookup",
      "receipt_ocr",
    ]);
    expect(tools.find((t) => t.name === "receipt_ocr")).toEqual({
      name: "receipt_ocr",
      description: "receipt_ocr (pinned description)",
      inputSchema: { type: "object", properties: { q: { type: "string" } } },
      annotations: { readOnlyHint: true },
    });
    // Deterministic order (tools.mdx SHOULD): the same list twice.
    const again = await post(request("list-2", "tools/list"));
    expect(resultOf(again).tools).toEqual(tools);
    expect(upstreamRequests()).toBe(0);
  });

  it("T02: an allowed call reaches its upstream with the minted assertion, never the caller's token; audited with era 2026-07-28; the gateway session's history spans calls and eras", async () => {
    const sid = newSessionId();
    const token = await world.token({ sid });
    const args = { image: "receipt-9.png", note: { amount: 42, nested: [1, "two"] } };
    const reply = await post(request(10, "tools/call", { name: "receipt_ocr", arguments: args }), { token });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("mcp-session-id")).toBeNull();
    const result = reply.json?.result as Record<string, unknown>;
    expect(result.resultType).toBe("complete");
    expect(result.isError).toBeUndefined();
    expect(JSON.parse((result.content as { text: string }[])[0]?.text ?? "")).toEqual({
      upstream: "ocr",
      tool: "receipt_ocr",
      args,
    });
    expect(result._meta).toEqual({ "io.modelcontextprotocol/serverInfo": expect.objectContaining(SERVER_INFO) });

    // The upstream (a 2025-era MCP server) got initialize + tools/call with the assertion, nothing of the caller's.
    const [call] = world.ocr.calls("tools/call");
    expect(paramsOf(call).arguments).toEqual(args);
    expect(paramsOf(call)._meta).toBeUndefined();
    const assertion = String(call?.headers["portcullis-assertion"]);
    expect(call?.headers.authorization).toBe(`Bearer ${assertion}`);
    expect(call?.headers["mcp-protocol-version"]).toBe("2025-11-25");
    for (const r of world.ocr.received) {
      const all = JSON.stringify(r.headers);
      expect(all).not.toContain(token);
      expect(all).not.toContain("mcp-method");
      expect(all).not.toContain("raw-modern");
    }
    const payload = await world.verifyAssertion(assertion, MCP_UPSTREAMS.ocr);
    expect(payload).toMatchObject({
      sub: ALICE,
      act: { sub: AGENT.id, name: AGENT.name },
      sid,
      tool: "receipt_ocr",
      args_sha256: sha256Hex(canonicalJson(args)),
    });
    expect(reply.headers.get("portcullis-decision-id")).toBe(payload.decision_id);
    const [record] = await world.auditWhere((r) => r.id === payload.decision_id);
    expect(record).toMatchObject({
      type: "decision",
      protocol: "mcp",
      era: PV,
      session_id: sid,
      tool: "receipt_ocr",
      decision: "allow",
      outcome: "ok",
    });

    // The same gateway session (token sid): once per session, so the second receipt_ocr is denied — a tool result.
    const denied = await post(request(11, "tools/call", { name: "receipt_ocr", arguments: { image: "again.png" } }), {
      token,
    });
    expect(denied.status).toBe(200);
    const deniedResult = denied.json?.result as Record<string, unknown>;
    expect(deniedResult).toMatchObject({ resultType: "complete", isError: true });
    expect((deniedResult.content as { text: string }[])[0]?.text).toContain("once per session");
    const decision = (deniedResult._meta as Record<string, { decision_id: string; outcome: string }>)[
      "portcullis/decision"
    ];
    expect(decision?.outcome).toBe("deny");
    expect(deniedResult._meta).toHaveProperty(["io.modelcontextprotocol/serverInfo"]);
    const [deniedRecord] = await world.auditWhere((r) => r.id === decision?.decision_id);
    expect(deniedRecord).toMatchObject({ era: PV, decision: "deny", outcome: "denied" });

    // One upstream MCP session per gateway session: a further modern call reuses it (one initialize in all).
    const lookup = await post(request(12, "tools/call", { name: "ocr__lookup", arguments: { q: "x" } }), { token });
    expect(lookup.status).toBe(200);
    expect(world.ocr.calls("initialize")).toHaveLength(1);
    expect(world.ocr.calls("tools/call")).toHaveLength(2);
    expect(new Set(world.ocr.calls("tools/call").map((r) => r.headers["mcp-session-id"])).size).toBe(1);

    // The ledger is the token session's, whatever the era: a 2025-11-25 client with the same token is denied too,
    // and its audit event names its era.
    const transport = new StreamableHTTPClientTransport(new URL(world.url()), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    });
    const client = new Client({ name: "legacy-agent", version: "1.0.0" });
    await client.connect(transport);
    try {
      const legacy = await client.callTool({ name: "receipt_ocr", arguments: { image: "legacy.png" } });
      expect(legacy.isError).toBe(true);
      expect((legacy as Record<string, unknown>).resultType).toBeUndefined();
      const legacyId = (legacy._meta as Record<string, { decision_id: string }>)["portcullis/decision"]?.decision_id;
      const [legacyRecord] = await world.auditWhere((r) => r.id === legacyId);
      expect(legacyRecord).toMatchObject({ era: "2025-11-25", outcome: "denied" });
    } finally {
      await client.close();
    }
    expect(world.ocr.calls("tools/call")).toHaveLength(2);
  });

  it("T12: hidden, destructive, quarantined and unknown tools answer the identical -32602 error; nothing is forwarded", async () => {
    const shapes = new Set<string>();
    for (const name of ["admin_reset", "delete_expense_reports", "quarantined_tool", "no_such_tool"]) {
      const reply = await post(request(7, "tools/call", { name, arguments: {} }));
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({ jsonrpc: "2.0", id: 7, error: { code: -32602, message: `Unknown tool: ${name}` } });
      shapes.add(reply.text.replace(name, "<name>"));
    }
    expect(shapes.size).toBe(1);
    expect(toolCalls()).toBe(0);
  });

  it("T07: GET and DELETE in 2026-07-28 → 405 (Allow: POST), even with an Mcp-Session-Id", async () => {
    const token = await world.token();
    const session = await world.openSession(token);
    for (const method of ["GET", "DELETE"]) {
      const reply = await post(undefined, { token, method, headers: { "mcp-session-id": session } });
      expect(reply.status).toBe(405);
      expect(reply.headers.get("allow")).toBe("POST");
      expect(reply.headers.get("mcp-session-id")).toBeNull();
      expect(reply.json).toMatchObject({ jsonrpc: "2.0", error: { code: -32600 } });
      expect(reply.json).not.toHaveProperty("id"); // 2026-07-28: no id when it could not be read, never null
    }
    // The legacy session survived the modern DELETE.
    const still = await world.post(token, { jsonrpc: "2.0", id: 2, method: "tools/list" }, session);
    expect(still.status).toBe(200);
  });

  it("T07: an unsupported MCP-Protocol-Version (1999-01-01) → 400 + -32022 listing the supported versions", async () => {
    const body = {
      jsonrpc: "2.0",
      id: 3,
      method: "tools/list",
      params: { _meta: meta({ "io.modelcontextprotocol/protocolVersion": "1999-01-01" }) },
    };
    const reply = await post(body, { headers: { "mcp-protocol-version": "1999-01-01" } });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({
      jsonrpc: "2.0",
      id: 3,
      error: {
        code: -32022,
        message: "Unsupported protocol version",
        data: { supported: SUPPORTED, requested: "1999-01-01" },
      },
    });
    // The header alone (a request without the modern _meta, with or without a session) gets the same answer.
    const token = await world.token();
    const session = await world.openSession(token);
    const headerOnly = await post(
      { jsonrpc: "2.0", id: 4, method: "tools/list" },
      { token, headers: { "mcp-protocol-version": "1999-01-01", "mcp-session-id": session } },
    );
    expect(headerOnly.status).toBe(400);
    expect(errorOf(headerOnly)).toEqual({
      code: -32022,
      message: "Unsupported protocol version",
      data: { supported: SUPPORTED, requested: "1999-01-01" },
    });
    expect(upstreamRequests()).toBe(0);
  });

  it("T07: MCP-Protocol-Version header vs _meta protocolVersion mismatch, or a missing header → 400 + -32020", async () => {
    const call = (version: string) => ({
      jsonrpc: "2.0",
      id: 5,
      method: "tools/call",
      params: {
        name: "ocr__lookup",
        arguments: {},
        _meta: meta({ "io.modelcontextprotocol/protocolVersion": version }),
      },
    });
    const cases: { body: unknown; header: string | undefined }[] = [
      { body: call("2025-11-25"), header: PV },
      { body: call(PV), header: "2025-11-25" },
      { body: call(PV), header: undefined },
      { body: call("1999-01-01"), header: PV },
    ];
    for (const { body, header } of cases) {
      const reply = await post(body, { headers: { "mcp-protocol-version": header } });
      expect(reply.status).toBe(400);
      expect(reply.json).toMatchObject({ jsonrpc: "2.0", id: 5, error: { code: -32020 } });
      expect(errorOf(reply).message).toMatch(/^Header mismatch: /);
    }
    const exact = await post(call("2025-11-25"), { headers: { "mcp-protocol-version": PV } });
    expect(errorOf(exact).message).toBe(
      "Header mismatch: MCP-Protocol-Version header value '2026-07-28' does not match body value '2025-11-25'",
    );
    expect(toolCalls()).toBe(0);
  });

  it("T07: Mcp-Session-Id and Last-Event-ID on a 2026-07-28 request are ignored and never echoed", async () => {
    const token = await world.token();
    const other = await world.openSession(await world.token()); // another caller's live session
    for (const session of [other, randomBytes(32).toString("base64url"), "not-a-session"]) {
      const reply = await post(request(6, "tools/call", { name: "ocr__lookup", arguments: { q: "s" } }), {
        token,
        headers: { "mcp-session-id": session, "last-event-id": "42" },
      });
      expect(reply.status).toBe(200);
      expect(reply.headers.get("mcp-session-id")).toBeNull();
      expect(reply.text).not.toContain(session);
      expect(resultOf(reply).resultType).toBe("complete");
    }
    // Another caller's session id was not taken for a replay (no session_binding_violation), nor forwarded.
    expect(world.ocr.calls("tools/call")).toHaveLength(3);
    for (const r of world.ocr.received) expect(JSON.stringify(r.headers)).not.toContain(other);
  });

  it("-32020: Mcp-Method and Mcp-Name missing, mismatched or malformed; Base64 sentinel values decoded; nothing forwarded", async () => {
    const call = request(8, "tools/call", { name: "ocr__lookup", arguments: { q: "h" } });
    const b64 = (s: string) => `=?base64?${Buffer.from(s, "utf8").toString("base64")}?=`;
    const refused: [Record<string, string | undefined>, string][] = [
      [{ "mcp-method": undefined }, "Header mismatch: the Mcp-Method header is required"],
      [
        { "mcp-method": "tools/list" },
        "Header mismatch: Mcp-Method header value 'tools/list' does not match body value 'tools/call'",
      ],
      [
        { "mcp-method": "TOOLS/CALL" },
        "Header mismatch: Mcp-Method header value 'TOOLS/CALL' does not match body value 'tools/call'",
      ],
      [{ "mcp-name": undefined }, "Header mismatch: the Mcp-Name header is required for tools/call"],
      [
        { "mcp-name": "receipt_ocr" },
        "Header mismatch: Mcp-Name header value 'receipt_ocr' does not match body value 'ocr__lookup'",
      ],
      [
        { "mcp-name": b64("receipt_ocr") },
        "Header mismatch: Mcp-Name header value 'receipt_ocr' does not match body value 'ocr__lookup'",
      ],
      [{ "mcp-name": "=?base64?b2NyX19sb29rdXA?=" }, "Header mismatch: the Mcp-Name header value is not valid Base64"],
      [{ "mcp-name": "=?base64?/w==?=" }, "Header mismatch: the Mcp-Name header value is not Base64 of UTF-8"],
      [
        { "mcp-name": "=?BASE64?b2NyX19sb29rdXA=?=" },
        "Header mismatch: Mcp-Name header value '=?BASE64?b2NyX19sb29rdXA=?=' does not match body value 'ocr__lookup'",
      ],
    ];
    for (const [headers, message] of refused) {
      const reply = await post(call, { headers });
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual({ jsonrpc: "2.0", id: 8, error: { code: -32020, message } });
    }
    // A non-ASCII byte in the header value (sent raw; fetch would refuse it) is an invalid character.
    const invalid = await rawHttp(call, { "mcp-name": Buffer.from("ocr__lookup\xe9", "latin1") });
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({
      error: { code: -32020, message: "Header mismatch: the Mcp-Name header value contains invalid characters" },
    });
    // Optional whitespace around a field value is not part of it (RFC 9110 §5.5): a padded name matches.
    const padded = await rawHttp(call, { "mcp-name": Buffer.from("  ocr__lookup\t ") });
    expect(padded.status).toBe(200);
    expect(resultOf(padded).resultType).toBe("complete");
    // A tool name only encodable as Base64 (non-ASCII) goes through the sentinel and reaches routing.
    const accented = await post(request(9, "tools/call", { name: "café", arguments: {} }), {
      headers: { "mcp-name": b64("café") },
    });
    expect(accented.json).toEqual({ jsonrpc: "2.0", id: 9, error: { code: -32602, message: "Unknown tool: café" } });
    // The encoded form of the right name passes.
    const encoded = await post(call, { headers: { "mcp-name": b64("ocr__lookup") } });
    expect(encoded.status).toBe(200);
    expect(world.ocr.calls("tools/call")).toHaveLength(2);
    // Mcp-Method is required on every request, not only tools/call.
    const list = await post(request(10, "tools/list"), { headers: { "mcp-method": undefined } });
    expect(list.status).toBe(400);
    expect(errorOf(list).code).toBe(-32020);
  });

  /** A POST over a raw socket, for header bytes fetch() refuses to send. */
  async function rawHttp(body: unknown, extra: Record<string, Buffer>): Promise<Reply> {
    const { connect } = await import("node:net");
    const token = await world.token();
    const url = new URL(world.url());
    const payload = Buffer.from(JSON.stringify(body));
    const lines = [
      `POST ${url.pathname} HTTP/1.1`,
      `host: ${url.host}`,
      "content-type: application/json",
      "accept: application/json, text/event-stream",
      `authorization: Bearer ${token}`,
      `mcp-protocol-version: ${PV}`,
      `mcp-method: ${(body as { method: string }).method}`,
      `content-length: ${payload.length}`,
      "connection: close",
    ];
    const head = Buffer.concat([
      Buffer.from(`${lines.join("\r\n")}\r\n`),
      ...Object.entries(extra).map(([k, v]) => Buffer.concat([Buffer.from(`${k}: `), v, Buffer.from("\r\n")])),
      Buffer.from("\r\n"),
    ]);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => socket.write(Buffer.concat([head, payload])));
      const chunks: Buffer[] = [];
      socket.on("data", (c: Buffer) => chunks.push(c));
      socket.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      socket.on("error", reject);
    });
    const status = Number(raw.split(" ")[1]);
    const text = raw.slice(raw.indexOf("\r\n\r\n") + 4);
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status, headers: new Headers(), text, json };
  }

  it("required _meta fields: a request without protocolVersion or clientCapabilities → 400 + -32602", async () => {
    const noCapabilities = {
      jsonrpc: "2.0",
      id: 11,
      method: "tools/list",
      params: { _meta: { "io.modelcontextprotocol/protocolVersion": PV } },
    };
    const a = await post(noCapabilities);
    expect(a.status).toBe(400);
    expect(a.json).toEqual({
      jsonrpc: "2.0",
      id: 11,
      error: {
        code: -32602,
        message:
          'Invalid params: _meta["io.modelcontextprotocol/clientCapabilities"] is required in protocol version 2026-07-28',
      },
    });
    for (const params of [{}, { _meta: { "io.modelcontextprotocol/clientCapabilities": {} } }, undefined]) {
      const b = await post({ jsonrpc: "2.0", id: 12, method: "server/discover", ...(params ? { params } : {}) });
      expect(b.status).toBe(400);
      expect(errorOf(b)).toMatchObject({ code: -32602 });
      expect(errorOf(b).message).toContain("io.modelcontextprotocol/protocolVersion");
    }
  });

  it("_meta is per request: each carries its own; a progressToken streams the upstream's progress as SSE, the upstream seeing only the token", async () => {
    const token = await world.token();
    const reply = await post(
      request(13, "tools/call", {
        name: "ocr__lookup",
        arguments: { q: "slow" },
        _meta: { progressToken: "p-1", "com.example/trace": "x" },
      }),
      { token },
    );
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toBe("text/event-stream");
    expect(reply.headers.get("x-accel-buffering")).toBe("no");
    expect(reply.headers.get("mcp-session-id")).toBeNull();
    const events = reply.text
      .split("\n\n")
      .filter((block) => block.includes("data: "))
      .map((block) => JSON.parse(block.slice(block.indexOf("data: ") + 6)) as Record<string, unknown>);
    expect(events.map((e) => e.method ?? "result")).toEqual([
      "notifications/progress",
      "notifications/progress",
      "notifications/progress",
      "result",
    ]);
    expect(events[0]).toEqual({
      jsonrpc: "2.0",
      method: "notifications/progress",
      params: { progressToken: "p-1", progress: 1, total: 3, message: "step 1" },
    });
    expect(events[3]).toMatchObject({ jsonrpc: "2.0", id: 13, result: { resultType: "complete" } });
    const [call] = world.ocr.calls("tools/call");
    expect(paramsOf(call)._meta).toEqual({ progressToken: "p-1" });

    // The next request of the same caller without a progress token (and another clientInfo) is plain JSON:
    // nothing of the previous request's _meta carries over.
    const next = await post(
      {
        jsonrpc: "2.0",
        id: 14,
        method: "tools/call",
        params: {
          name: "ocr__lookup",
          arguments: { q: "fast" },
          _meta: meta({ "io.modelcontextprotocol/clientInfo": { name: "other", version: "2" } }),
        },
      },
      { token },
    );
    expect(next.headers.get("content-type")).toMatch(/^application\/json/);
    expect(paramsOf(world.ocr.calls("tools/call")[1])._meta).toBeUndefined();
  });

  it("R11 (2026-07-28): malformed JSON → 400 -32700; method 1 → 400 -32600; foo/bar → 404 -32601; notification → 202; a client response → 400; batch → 400; deep nesting refused", async () => {
    const malformed = await post('{"jsonrpc":"2.0",');
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({ jsonrpc: "2.0", error: { code: -32700 } });
    expect(malformed.json).not.toHaveProperty("id"); // 2026-07-28: no id when it could not be read, never null

    const badMethod = await post({ jsonrpc: "2.0", method: 1 }, { headers: { "mcp-method": "1" } });
    expect(badMethod.status).toBe(400);
    expect(badMethod.json).toMatchObject({ jsonrpc: "2.0", error: { code: -32600 } });
    expect(badMethod.json).not.toHaveProperty("id"); // 2026-07-28: no id when it could not be read, never null
    const nullId = await post({ ...request(1, "tools/list"), id: null });
    expect(nullId.status).toBe(400);
    expect(nullId.json).toMatchObject({ error: { code: -32600 } });

    const unknown = await post(request(9, "foo/bar"));
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({
      jsonrpc: "2.0",
      id: 9,
      error: { code: -32601, message: "Method not found: foo/bar" },
    });
    // initialize and ping are not methods of this revision.
    for (const method of ["initialize", "ping"]) {
      const reply = await post(request(10, method));
      expect(reply.status).toBe(404);
      expect(errorOf(reply).code).toBe(-32601);
      expect(errorOf(reply).message).toContain("2025-11-25");
      expect(errorOf(reply).data).toEqual({ supported: SUPPORTED });
      expect(reply.headers.get("mcp-session-id")).toBeNull();
    }

    const notification = await post({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 1 } });
    expect(notification.status).toBe(202);
    expect(notification.text).toBe("");
    // A notification without Mcp-Method is accepted (the revision defines no header for notifications)...
    const bare = await post({ jsonrpc: "2.0", method: "notifications/x" }, { headers: { "mcp-method": undefined } });
    expect(bare.status).toBe(202);
    // ...but one it carries must match.
    const mismatched = await post({ jsonrpc: "2.0", method: "notifications/x" }, { headers: { "mcp-method": "y" } });
    expect(mismatched.status).toBe(400);
    expect(errorOf(mismatched).code).toBe(-32020);

    for (const response of [
      { jsonrpc: "2.0", id: 4, result: { resultType: "complete" } },
      { jsonrpc: "2.0", id: 4, error: { code: 1, message: "x" } },
    ]) {
      const reply = await post(response);
      expect(reply.status).toBe(400);
      expect(reply.json).toMatchObject({ error: { code: -32600 } });
    }

    const batch = await post([request(1, "tools/list"), request(2, "server/discover")], {
      headers: { "mcp-method": "tools/list" },
    });
    expect(batch.status).toBe(400);
    expect(batch.json).toMatchObject({ jsonrpc: "2.0", error: { code: -32600 } });
    expect(batch.json).not.toHaveProperty("id"); // 2026-07-28: no id when it could not be read, never null

    const deep = await post(`${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    expect(deep.status).toBe(400);
    expect(deep.json).toMatchObject({ error: { code: -32700 } });
    // Still serving.
    expect((await post(request(5, "server/discover"))).status).toBe(200);
    expect(upstreamRequests()).toBe(0);
  });

  it("MRTR: the gateway never answers input_required; a requestState it did not issue → 400 -32602; inputResponses are not forwarded", async () => {
    const forged = await post(
      request(15, "tools/call", { name: "ocr__lookup", arguments: {}, requestState: "eyJhZG1pbiI6dHJ1ZX0" }),
    );
    expect(forged.status).toBe(400);
    expect(forged.json).toMatchObject({ id: 15, error: { code: -32602 } });
    expect(errorOf(forged).message).toContain("requestState was not issued by this server");
    expect(toolCalls()).toBe(0);
    const withResponses = await post(
      request(16, "tools/call", {
        name: "ocr__lookup",
        arguments: { q: "r" },
        inputResponses: { login: { action: "accept", content: { name: "octocat" } } },
      }),
    );
    expect(withResponses.status).toBe(200);
    expect(resultOf(withResponses).resultType).toBe("complete");
    const [call] = world.ocr.calls("tools/call");
    expect(call?.body?.params).toEqual({ name: "lookup", arguments: { q: "r" } });
  });

  it("renumbered codes: agent not allowed → 403 -31002; approval unavailable → -31032 (not -32002 / -32032, which 2026-07-28 forbids)", async () => {
    const disabled = await post(request(17, "tools/list"), { token: await world.token({ agent: DISABLED }) });
    expect(disabled.status).toBe(403);
    expect(errorOf(disabled).code).toBe(-31002);
    // The same agent over 2025-11-25 keeps the code it always had.
    const legacy = await post(
      { jsonrpc: "2.0", id: 1, method: "tools/list" },
      { token: await world.token({ agent: DISABLED }), headers: { "mcp-protocol-version": undefined } },
    );
    expect(legacy.status).toBe(403);
    expect(errorOf(legacy).code).toBe(-32002);

    const report = { employee_id: ALICE, amount: 600, cost_center: "eng-team-001", receipt_text: "Hotel" };
    const held = await post(request(18, "tools/call", { name: "create_expense_report", arguments: report }));
    expect(held.status).toBe(200);
    expect(errorOf(held)).toMatchObject({ code: -31032, data: { reason_code: "approval_unavailable" } });
    expect(world.directory.calls("tools/call")).toHaveLength(0);
    const decisionId = (errorOf(held).data as { decision_id: string }).decision_id;
    const [record] = await world.auditWhere((r) => r.id === decisionId);
    expect(record).toMatchObject({ era: PV, outcome: "approval_unavailable" });
  });

  it("unauthenticated 2026-07-28 requests → 401 with the resource metadata challenge, before anything is parsed", async () => {
    const reply = await post(request(19, "server/discover"), { token: null });
    expect(reply.status).toBe(401);
    expect(reply.headers.get("www-authenticate")).toContain("resource_metadata=");
    expect(errorOf(reply).code).toBe(-32000);
  });

  it("policy sees request.era: a deny policy on era 2026-07-28 denies the modern call, not the 2025-11-25 one", async () => {
    const original = world.resources;
    await world.publish({
      ...original,
      policies: [
        ...original.policies,
        {
          id: "modern-lookup-deny",
          version: 1,
          name: "modern-lookup-deny",
          description: "no directory lookups from 2026-07-28 clients",
          target: { agents: [AGENT.name], tools: ["lookup"] },
          effect: "deny",
          condition: 'request.era == "2026-07-28" && tool.upstream == "directory"',
          mode: "enforce",
          priority: 10,
          approvers: "",
        },
      ],
    });
    try {
      const token = await world.token();
      const modern = await post(request(21, "tools/call", { name: "directory__lookup", arguments: { q: "m" } }), {
        token,
      });
      const result = resultOf(modern);
      expect(result).toMatchObject({ resultType: "complete", isError: true });
      const decision = (result._meta as Record<string, { decision_id: string }>)["portcullis/decision"];
      const [record] = await world.auditWhere((r) => r.id === decision?.decision_id);
      expect(record).toMatchObject({ era: PV, decision: "deny", policies: ["modern-lookup-deny"] });
      const session = await world.openSession(token);
      const legacy = await world.post(
        token,
        { jsonrpc: "2.0", id: 22, method: "tools/call", params: { name: "directory__lookup", arguments: { q: "l" } } },
        session,
      );
      expect((legacy.json.result as Record<string, unknown>).isError).toBeUndefined();
      expect(world.directory.calls("tools/call")).toHaveLength(1);
    } finally {
      await world.publish(original);
    }
  });

  // Last: it changes the `lookup` definition of the ocr upstream and its pin.
  it("Mcp-Param-{name}: a tool parameter annotated x-mcp-header must be mirrored, decoded and equal; absent/null values need no header", async () => {
    const definition = {
      name: "lookup",
      description: "lookup (pinned description)",
      inputSchema: {
        type: "object" as const,
        properties: {
          q: { type: "string" },
          region: { type: "string", "x-mcp-header": "Region" },
          options: { type: "object", properties: { limit: { type: "integer", "x-mcp-header": "Limit" } } },
        },
      },
    };
    await world.ocr.redefine("lookup", definition);
    const resources: SnapshotResources = {
      ...world.resources,
      tools: world.resources.tools.map((t) =>
        t.id === "m-ocr-lookup"
          ? { ...t, inputSchema: definition.inputSchema, pinnedHash: toolDefinitionHash(definition) }
          : t,
      ),
    };
    await world.publish(resources);
    const call = (args: Record<string, unknown>) => request(20, "tools/call", { name: "ocr__lookup", arguments: args });
    const ok = [
      [
        { q: "a", region: "us-west1", options: { limit: 42 } },
        { "mcp-param-region": "us-west1", "mcp-param-limit": "42" },
      ],
      [{ region: "Hello, 世界" }, { "mcp-param-region": "=?base64?SGVsbG8sIOS4lueVjA==?=" }],
      [
        { region: "r", options: { limit: 42 } },
        { "mcp-param-region": "r", "mcp-param-limit": "42.0" },
      ],
      [{ q: "no annotated values" }, {}],
      [{ region: null }, {}],
    ] as const;
    for (const [args, headers] of ok) {
      const reply = await post(call(args), { headers });
      expect(reply.status, JSON.stringify(args)).toBe(200);
      expect(resultOf(reply).resultType).toBe("complete");
    }
    expect(world.ocr.calls("tools/call")).toHaveLength(ok.length);
    const refused = [
      [
        { region: "us-west1" },
        {},
        "Header mismatch: the Mcp-Param-Region header is required (its parameter has a value)",
      ],
      [
        { region: "us-west1" },
        { "mcp-param-region": "eu-west1" },
        "Header mismatch: Mcp-Param-Region header value 'eu-west1' does not match the body's value",
      ],
      [
        { options: { limit: 7 } },
        { "mcp-param-limit": "8" },
        "Header mismatch: Mcp-Param-Limit header value '8' does not match the body's value",
      ],
      [
        { q: "x" },
        { "mcp-param-region": "us-west1" },
        "Header mismatch: the Mcp-Param-Region header has no value in the body to match",
      ],
      [
        { region: "x" },
        { "mcp-param-region": "=?base64?!!?=" },
        "Header mismatch: the Mcp-Param-Region header value is not valid Base64",
      ],
    ] as const;
    for (const [args, headers, message] of refused) {
      const reply = await post(call(args), { headers });
      expect(reply.status, JSON.stringify(args)).toBe(400);
      expect(reply.json).toMatchObject({ jsonrpc: "2.0", id: 20, error: { code: -32020, message } });
    }
    expect(world.ocr.calls("tools/call")).toHaveLength(ok.length);
    const [record] = await world.auditWhere((r) => r.code === "header_mismatch");
    expect(record).toMatchObject({ era: PV, outcome: "invalid_request", tool: "lookup" });
  });
});
