// POST /tools/{tool}/invoke end to end: a real DP (runDataPlane) enrolled with the test control plane, serving the
// expense-report snapshot, forwarding to a real recording upstream. Every answer past authentication is checked
// against the one audit event the control plane received for it.
import { request as httpRequest } from "node:http";
import { canonicalJson, sha256Hex } from "@portcullis/proto";
import { importJWK, jwtVerify, SignJWT } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  AGENT,
  ALICE,
  CAROL,
  DISABLED,
  HttpToolsWorld,
  type InvokeResult,
  newSessionId,
  UPSTREAM_IDS,
} from "../../test/http-tools-fixture.ts";
import { ASSERTION_TYP } from "../assertions/mint-assertion.ts";

/** Sends a request with node:http (any headers, any body, chunked or not) and reads whatever comes back. */
function rawRequest(
  url: string,
  options: { headers: Record<string, string>; body?: Buffer; chunks?: { size: number; count: number } },
): Promise<{ status: number; body: string; headers: Record<string, unknown> } | { error: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { method: "POST", headers: options.headers });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }),
      );
      res.on("error", (e) => resolve({ error: e.message }));
    });
    req.on("error", (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    const chunks = options.chunks;
    if (chunks) {
      const chunk = Buffer.alloc(chunks.size, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < chunks.count) {
          sent += 1;
          if (req.destroyed) return;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        req.end();
      };
      pump();
    } else {
      req.end(options.body);
    }
  });
}

describe("POST /tools/{tool}/invoke", () => {
  let world: HttpToolsWorld;
  beforeAll(async () => {
    world = await HttpToolsWorld.start();
  });
  afterAll(async () => {
    await world?.close();
  });
  beforeEach(() => world.upstream.reset());

  const report = (amount: number, extra: Record<string, unknown> = {}) => ({
    employee_id: ALICE,
    amount,
    cost_center: "eng-team-001",
    receipt_text: "Taxi, 127.50 EUR",
    ...extra,
  });

  it("happy path: the upstream gets exactly the arguments, its credential and a verifiable assertion; one audit event", async () => {
    const sid = newSessionId();
    const token = await world.token({ sid });
    const args = report(127.5);
    const result = await world.invoke("create_expense_report", args, { token });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ ok: true, method: "POST", url: "/api/reports", received: args });
    expect(result.decisionId).toMatch(/^[0-9a-f-]{36}$/);

    const [received] = world.upstream.received;
    expect(world.upstream.received).toHaveLength(1);
    expect(received?.body).toBe(JSON.stringify(args));
    expect(received?.headers.authorization).toBe("Bearer accounting-secret");
    expect(received?.headers["content-type"]).toBe("application/json");

    const node = world.node;
    const key = await importJWK(node.identity.assertion.publicJwk, "EdDSA");
    const { payload, protectedHeader } = await jwtVerify(String(received?.headers["portcullis-assertion"]), key, {
      algorithms: ["EdDSA"],
      issuer: node.identity.issuer,
      audience: UPSTREAM_IDS.accounting,
      typ: ASSERTION_TYP,
    });
    expect(protectedHeader.kid).toBe(node.identity.assertion.kid);
    expect(payload).toMatchObject({
      sub: ALICE,
      act: { sub: AGENT.id, name: AGENT.name },
      sid,
      tool: "create_expense_report",
      args_sha256: sha256Hex(canonicalJson(args)),
      decision_id: result.decisionId,
      config_version: 1,
    });
    expect((payload.exp as number) - (payload.iat as number)).toBe(60);

    const record = await world.auditOf(result.decisionId);
    expect(record).toMatchObject({
      type: "decision",
      session_id: sid,
      agent_id: AGENT.name,
      operator: ALICE,
      tool: "create_expense_report",
      decision: "allow",
      outcome: "ok",
      code: "allowed",
      policies: ["expense-agent-tools"],
      args_sha256: sha256Hex(canonicalJson(args)),
      upstream_status: 200,
      config_version: 1,
    });
    expect(record.evaluated).toBeGreaterThan(0);
    expect(record.latency_us).toBeGreaterThan(0);
  });

  it("the scenario's happy path: four tools in one session, each with the right credential and placement", async () => {
    const token = await world.token();
    const ocr = await world.invoke("receipt_ocr", { image: "data:image/png;base64,AAAA" }, { token });
    const cc = await world.invoke("get_employee_cost_center", { employee_id: ALICE }, { token });
    const create = await world.invoke("create_expense_report", report(127.5), { token });
    const notify = await world.invoke(
      "send_notification",
      { recipient: "bob@company.com", message: "filed" },
      { token },
    );
    expect([ocr.status, cc.status, create.status, notify.status]).toEqual([200, 200, 200, 200]);

    const [toOcr, toDirectory] = world.upstream.received;
    // An upstream without a credential of its own gets the assertion as its bearer token too.
    expect(toOcr?.url).toBe("/ocr-svc/read");
    expect(toOcr?.headers.authorization).toBe(`Bearer ${toOcr?.headers["portcullis-assertion"]}`);
    // GET: path placeholder URL-encoded, no body; a header credential, and no Authorization at all.
    expect(toDirectory?.method).toBe("GET");
    expect(toDirectory?.url).toBe("/dir/employees/alice%40company.com/cost-center");
    expect(toDirectory?.body).toBe("");
    expect(toDirectory?.headers["x-api-key"]).toBe("directory-key");
    expect(toDirectory?.headers.authorization).toBeUndefined();
    for (const r of world.upstream.received) expect(r.headers["portcullis-assertion"]).toBeTruthy();
  });

  it("deny: a clear reason and code, nothing forwarded, audited as denied", async () => {
    const token = await world.token();
    const result = await world.invoke("get_employee_cost_center", { employee_id: "bob@company.com" }, { token });
    expect(result.status).toBe(403);
    expect(result.body).toEqual({
      error: {
        code: "denied",
        message: expect.stringContaining("cost-center-self-only"),
        reason_code: "denied_by_policy",
        adaptable: expect.any(Boolean),
        requestId: result.decisionId,
      },
    });
    expect(world.upstream.received).toHaveLength(0);
    expect(await world.auditOf(result.decisionId)).toMatchObject({
      decision: "deny",
      outcome: "denied",
      code: "denied_by_policy",
      policies: ["cost-center-self-only"],
      matched: expect.arrayContaining(["cost-center-self-only"]),
    });
  });

  it("the scenario's unhappy paths: over the hard cap denied, over the limit held (not executed), a second report denied", async () => {
    const token = await world.token();
    const cap = await world.invoke("create_expense_report", report(7000), { token });
    expect(cap).toMatchObject({
      status: 403,
      body: { error: { code: "denied", message: expect.stringContaining("$5000") } },
    });
    // This world's control plane serves no ApprovalService: the held call fails closed (R15).
    const held = await world.invoke("create_expense_report", report(1200), { token });
    expect(held.status).toBe(503);
    expect(held.body.error).toMatchObject({
      code: "approval_unavailable",
      message: expect.stringMatching(/approval service.*not executed/),
      reason_code: "approval_required",
    });
    expect(await world.auditOf(held.decisionId)).toMatchObject({
      decision: "require_approval",
      outcome: "approval_unavailable",
    });
    expect((await world.invoke("create_expense_report", report(100), { token })).status).toBe(200);
    const second = await world.invoke("create_expense_report", report(50), { token });
    expect(second.body.error).toMatchObject({ code: "denied", message: expect.stringContaining("once per session") });
    expect(world.upstream.requestsTo("/api/reports")).toHaveLength(1);
    // Carol (from the directory: sales-002) may not charge Alice's cost centre; her session has its own history.
    const carol = await world.token({ sub: CAROL, op: { email: CAROL } });
    expect((await world.invoke("receipt_ocr", {}, { token: carol })).status).toBe(200);
    const wrongCc = await world.invoke("create_expense_report", report(10, { employee_id: CAROL }), { token: carol });
    expect(wrongCc.body.error).toMatchObject({ code: "denied", message: expect.stringContaining("cost centre") });
  });

  it("operator attributes: token claims win, the directory fills what the token lacks", async () => {
    // The token says nothing about the cost centre: the directory's eng-team-001 applies.
    const fromDirectory = await world.token({ op: {} });
    expect((await world.invoke("create_expense_report", report(10), { token: fromDirectory })).status).toBe(200);
    // The token's own claim wins over the directory.
    const fromToken = await world.token({ op: { email: ALICE, cost_center: "other-cc" } });
    const denied = await world.invoke("create_expense_report", report(10), { token: fromToken });
    expect(denied.body.error).toMatchObject({ code: "denied", message: expect.stringContaining("cost centre") });
  });

  it("once per session under concurrency: 50 simultaneous calls → exactly one allowed and forwarded", async () => {
    const token = await world.token();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => world.invoke("receipt_ocr", { n: 1 }, { token })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const denied = results.filter((r) => r.status === 403);
    expect(denied).toHaveLength(49);
    for (const d of denied)
      expect(d.body.error).toMatchObject({ code: "denied", message: expect.stringContaining("ocr-once-per-session") });
    expect(world.upstream.requestsTo("/ocr-svc")).toHaveLength(1);
    const ids = results.map((r) => r.decisionId as string);
    expect(new Set(ids).size).toBe(50);
    const records = (await world.auditRecords(ids)).filter((r) => ids.includes(r.id));
    expect(records).toHaveLength(50);
    expect(records.filter((r) => r.outcome === "ok")).toHaveLength(1);
    expect(records.filter((r) => r.outcome === "denied")).toHaveLength(49);
  });

  it("T12: unknown, hidden (no allow; destructive), quarantined and non-HTTP tools all answer the same 404", async () => {
    const token = await world.token();
    const names = ["no_such_tool", "admin_reset", "delete_expense_reports", "quarantined_tool", "mcp_only_tool"];
    const results: InvokeResult[] = [];
    for (const name of names) results.push(await world.invoke(name, {}, { token }));
    const headerNames = (h: Headers) => [...h.keys()].filter((k) => k !== "date").sort();
    results.forEach((result, i) => {
      expect(result.status, names[i]).toBe(404);
      expect(result.body, names[i]).toEqual({
        error: { code: "unknown_tool", message: `Unknown tool: ${names[i]}`, requestId: result.decisionId },
      });
      expect(headerNames(result.headers), names[i]).toEqual(headerNames(results[0]?.headers as Headers));
    });
    expect(world.upstream.received).toHaveLength(0);
    for (const result of results)
      expect(await world.auditOf(result.decisionId)).toMatchObject({ outcome: "unknown_tool" });
  });

  it("an unknown or disabled agent is refused with 403", async () => {
    for (const agent of [DISABLED, { id: "agt-unknown", name: "ghost" }]) {
      const result = await world.invoke("receipt_ocr", {}, { token: await world.token({ agent }) });
      expect(result.status).toBe(403);
      expect(result.body.error).toMatchObject({ code: "agent_not_allowed" });
      expect(await world.auditOf(result.decisionId)).toMatchObject({ outcome: "agent_not_allowed" });
    }
    expect(world.upstream.received).toHaveLength(0);
  });

  describe("authentication on this endpoint (J01, J02, J04, J07)", () => {
    const payload = async () => {
      const now = Math.floor(Date.now() / 1000);
      return {
        sub: ALICE,
        act: { sub: AGENT.id, name: AGENT.name },
        sid: newSessionId(),
        iss: world.cp.issuer,
        aud: "portcullis-gateway",
        iat: now,
        exp: now + 600,
      };
    };
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

    const expect401 = async (token: string | null, description: RegExp) => {
      const result = await world.invoke("receipt_ocr", {}, { token });
      expect(result.status).toBe(401);
      expect(result.decisionId).toBeNull();
      const challenge = result.headers.get("www-authenticate") ?? "";
      if (token === null) {
        expect(challenge).toBe('Bearer realm="portcullis"');
        expect(result.body.error).toMatchObject({ code: "unauthenticated" });
      } else {
        expect(challenge).toMatch(/^Bearer realm="portcullis", error="invalid_token", error_description="[^"]+"$/);
        expect(result.body.error).toMatchObject({ message: expect.stringMatching(description) });
      }
      expect(result.body.error?.requestId).toEqual(expect.any(String));
    };

    it("no token; J01 alg none; J02 HS256 with the public key; unknown key", async () => {
      await expect401(null, /bearer token is required/);
      const p = await payload();
      await expect401(`${b64({ alg: "none", typ: "at+jwt" })}.${b64(p)}.`, /not a compact JWS/);
      const pem = world.cp.key.publicKey.export({ format: "pem", type: "spki" }) as string;
      const hs = await new SignJWT(p)
        .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: world.cp.key.kid })
        .sign(Buffer.from(pem));
      await expect401(hs, /alg is not allowed/);
      const { generateSigningKeyPair } = await import("@portcullis/proto");
      await expect401(
        await world.token({ key: generateSigningKeyPair() }),
        /not signed by a trusted control-plane key/,
      );
      expect(world.upstream.received).toHaveLength(0);
    });

    it("J04: expired → 401; inside the leeway → accepted", async () => {
      const now = Math.floor(Date.now() / 1000);
      await expect401(await world.token({ iat: now - 600, exp: now - 300 }), /expired/);
      // Expired 10 s ago, inside the 30 s leeway. (Issued "now": a session issued before this node started is
      // refused as session_expired, because its history may have been lost with the previous process.)
      const leeway = await world.invoke("receipt_ocr", {}, { token: await world.token({ iat: now, exp: now - 10 }) });
      expect(leeway.status).toBe(200);
    });

    it("J07: a 64 KiB Authorization header → 431 from the listener; a 9 KiB token → 401; malformed → 401", async () => {
      const huge = await rawRequest(`${world.base}/tools/receipt_ocr/invoke`, {
        headers: { "content-type": "application/json", authorization: `Bearer ${"A".repeat(64 * 1024)}` },
        body: Buffer.from("{}"),
      });
      expect("status" in huge ? huge.status : huge.error).toBe(431);
      expect("status" in huge && JSON.parse(huge.body).error).toMatchObject({ code: "header_too_large" });
      const valid = await world.token();
      await expect401(`${valid}${"A".repeat(9 * 1024)}`, /larger than 8 KiB/);
      const [h, p, s] = valid.split(".");
      await expect401(`${h}.${p}`, /not a compact JWS/);
      await expect401(`${h}.${p}.${s}.${s}`, /not a compact JWS/);
      await expect401(`${h}.${p}.${s}*`, /not a compact JWS/);
      await expect401(`${Buffer.from([0xff, 0xfe]).toString("base64url")}.${p}.${s}`, /malformed/);
      expect(world.node.status().ready).toBe(true);
      expect(world.upstream.received).toHaveLength(0);
    });

    it("an agent-only token (no session) is refused: sessions are required", async () => {
      const result = await world.invoke("receipt_ocr", {}, { token: await world.token({ session: false }) });
      expect(result.status).toBe(401);
      expect(result.body.error).toMatchObject({ code: "session_required", message: expect.stringMatching(/session/) });
    });
  });

  it("T02: the caller's Authorization, cookies and other headers never reach the upstream", async () => {
    const token = await world.token();
    const result = await rawRequest(`${world.base}/tools/send_notification/invoke`, {
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${token}`,
        cookie: "session=victim",
        "mcp-session-id": "abc",
        "proxy-authorization": "Basic eA==",
        "x-forwarded-for": "10.0.0.1",
        "x-secret": "caller-secret",
        "keep-alive": "timeout=5",
        connection: "keep-alive, x-secret",
      },
      body: Buffer.from(JSON.stringify({ recipient: "bob@company.com", message: "hi" })),
    });
    expect("status" in result && result.status).toBe(200);
    const [received] = world.upstream.received;
    expect(received?.rawHeaderNames.sort()).toEqual(
      [
        "accept",
        "authorization",
        "connection",
        "content-length",
        "content-type",
        "host",
        "portcullis-assertion",
        "user-agent",
      ].sort(),
    );
    expect(received?.headers.authorization).toBe("Bearer accounting-secret");
    expect(JSON.stringify(received?.headers)).not.toContain(token);
    expect(JSON.stringify(received?.headers)).not.toContain("victim");
    expect(received?.headers["portcullis-assertion"]).toBeTruthy();
  });

  it("R06: an upstream that never answers → 504 upstream_timeout, the upstream request aborted, audited", async () => {
    const result = await world.invoke("slow_tool", { x: 1 });
    expect(result.status).toBe(504);
    expect(result.body.error).toMatchObject({ code: "upstream_timeout", message: expect.stringContaining("1500 ms") });
    expect(await world.auditOf(result.decisionId)).toMatchObject({ decision: "allow", outcome: "upstream_timeout" });
    const { waitFor } = await import("../../test/fixtures.ts");
    await waitFor("upstream request aborted", () => world.upstream.received[0]?.aborted);
  });

  it("cancellation propagates: a client that goes away aborts the upstream request; audited as cancelled", async () => {
    const { waitFor } = await import("../../test/fixtures.ts");
    const sid = newSessionId();
    const abort = new AbortController();
    const call = fetch(`${world.base}/tools/slow_tool/invoke`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await world.token({ sid })}` },
      body: "{}",
      signal: abort.signal,
    }).catch(() => "aborted");
    await waitFor("upstream reached", () => world.upstream.received.length === 1);
    abort.abort();
    expect(await call).toBe("aborted");
    await waitFor("upstream request aborted", () => world.upstream.received[0]?.aborted);
    const record = await waitFor("cancelled event", () =>
      world.cp.records(world.node.spool.streamId).find((r) => r.session_id === sid),
    );
    expect(record).toMatchObject({ tool: "slow_tool", decision: "allow", outcome: "cancelled" });
  });

  it("R07: HTML error pages, invalid JSON and oversized answers → 502 upstream_error; text is wrapped; JSON errors relayed", async () => {
    const token = await world.token();
    for (const name of ["html_tool", "badjson_tool", "big_tool"]) {
      const result = await world.invoke(name, {}, { token });
      expect(result.status, name).toBe(502);
      expect(result.body.error, name).toMatchObject({ code: "upstream_error" });
      expect(await world.auditOf(result.decisionId)).toMatchObject({
        outcome: "upstream_error",
        upstream_error: expect.any(String),
      });
    }
    const text = await world.invoke("text_tool", {}, { token });
    expect(text).toMatchObject({ status: 200, body: { content_type: "text/plain", text: "plain hello" } });
    const missing = await world.invoke("missing_tool", { id: "x" }, { token });
    expect(missing).toMatchObject({ status: 404, body: { error: "no such record" } });
    expect(await world.auditOf(missing.decisionId)).toMatchObject({ outcome: "ok", upstream_status: 404 });
    expect(world.upstream.requestsTo("/bad/missing?id=x")).toHaveLength(1);
  });

  it("R10: a 10 MB body (declared, or chunked) → 413 before it is buffered; nothing forwarded", async () => {
    const token = await world.token();
    const url = `${world.base}/tools/send_notification/invoke`;
    const declared = await rawRequest(url, {
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${token}`,
        "content-length": String(10 * 1024 * 1024),
      },
      chunks: { size: 64 * 1024, count: 160 },
    });
    expect("status" in declared ? declared.status : declared.error).toBe(413);
    const chunked = await rawRequest(url, {
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      chunks: { size: 64 * 1024, count: 160 },
    });
    expect("status" in chunked ? chunked.status : chunked.error).toBe(413);
    if ("status" in chunked) {
      expect(JSON.parse(chunked.body).error).toMatchObject({ code: "payload_too_large" });
      const id = chunked.headers["portcullis-decision-id"] as string;
      expect(await world.auditOf(id)).toMatchObject({ outcome: "invalid_request", code: "payload_too_large" });
    }
    expect(world.upstream.received).toHaveLength(0);
  });

  it("R11: malformed JSON, duplicate keys, 100k-deep nesting and non-object bodies → 400; wrong media type → 415", async () => {
    const token = await world.token();
    const cases = [
      "{not json",
      '{"recipient":"bob@company.com","recipient":"mallory@evil.example"}',
      `{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
      "[1,2]",
      '{"s":"\\ud800"}',
    ];
    for (const raw of cases) {
      const result = await world.invoke("send_notification", null, { token, raw });
      expect(result.status, raw.slice(0, 30)).toBe(400);
      expect(result.body.error?.code).toBe("invalid_json");
      expect(await world.auditOf(result.decisionId)).toMatchObject({
        outcome: "invalid_request",
        code: "invalid_json",
      });
    }
    const dup = await world.invoke("send_notification", null, { token, raw: cases[1] });
    expect(dup.body.error?.message).toMatch(/duplicate key "recipient"/);
    const media = await world.invoke("send_notification", {}, { token, headers: { "content-type": "text/plain" } });
    expect(media).toMatchObject({ status: 415, body: { error: { code: "unsupported_media_type" } } });
    expect(world.upstream.received).toHaveLength(0);
    expect(world.node.status().ready).toBe(true);
  });

  it("other methods → 405; other paths → 404", async () => {
    const get = await fetch(`${world.base}/tools/receipt_ocr/invoke`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    const other = await fetch(`${world.base}/tools/receipt_ocr`, { method: "POST" });
    expect(other.status).toBe(404);
  });

  it("invalid arguments for the tool's HTTP mapping → 400 invalid_arguments, nothing forwarded", async () => {
    const result = await world.invoke("get_employee_cost_center", { employee_id: { nested: true } });
    expect(result).toMatchObject({ status: 400, body: { error: { code: "invalid_arguments" } } });
    expect(world.upstream.received).toHaveLength(0);
  });

  it("every answer that carried a decision id has exactly one audit event", async () => {
    const ids = [...world.decisionIds];
    expect(ids.length).toBeGreaterThan(80);
    const records = await world.auditRecords(ids);
    const decisions = records.filter((r) => r.type === "decision");
    const counts = new Map<string, number>();
    for (const r of decisions) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
    for (const id of ids) expect(counts.get(id), id).toBe(1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });
});
