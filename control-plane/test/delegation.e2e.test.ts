// Delegation chains across the two planes as real processes: a control plane with its database, a data-plane node
// as a child process, a real MCP upstream (official SDK) and a real HTTP API, and the official MCP client as the
// agent. Alice starts a session for expense-report-v1, which delegates to ocr-helper-v2 by RFC 8693 token exchange
// (its session token as subject_token, the helper's credential as actor_token). The expense-report scenario's
// delegation paths, the refusals at the token endpoint (delegate not allowed, cycle, depth, scope widening, a
// forged nested act), the expiry cap, delegator_denied at the node, and an agent disabled mid-chain.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { expenseReportPolicies } from "@portcullis/policy/scenarios/expense-report";
import { eq } from "drizzle-orm";
import { createLocalJWKSet, decodeJwt, generateKeyPair, type JWK, jwtVerify, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listedTool, TestMcpUpstream } from "../../data-plane/test/test-mcp-upstream.ts";
import { auditEvents } from "../src/db/schema.ts";
import { LocalIssuer } from "./local-issuer.ts";
import { until } from "./processes.ts";
import { type Json, type Planes, startPlanes } from "./support/planes.ts";

const EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";
const JWT = "urn:ietf:params:oauth:token-type:jwt";
const ALICE = "alice@company.com";

let planes: Planes;
let issuer: LocalIssuer;
let ocr: TestMcpUpstream;
const agents: Record<string, { id: string; clientId: string; clientSecret: string }> = {};
const clients: Client[] = [];

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await planes?.close();
  await ocr?.close();
  await issuer?.close();
});

/** Alice's session for `agent` (token exchange with her IdP token), optionally with a scope. */
async function startSession(agent: string, extra: Record<string, string> = {}, claims: Json = {}) {
  const a = agents[agent] as (typeof agents)[string];
  const res = await planes.token({
    grant_type: EXCHANGE,
    subject_token: await issuer.token(ALICE, { email: ALICE, ...claims }),
    subject_token_type: JWT,
    client_id: a.clientId,
    client_secret: a.clientSecret,
    ...extra,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.access_token as string;
}

/** `delegate` acting for the holder of `sessionToken`: the delegation exchange, as the delegate's client. */
function delegate(sessionToken: string, to: string, extra: Record<string, string> = {}) {
  const a = agents[to] as (typeof agents)[string];
  return planes.token({
    grant_type: EXCHANGE,
    subject_token: sessionToken,
    subject_token_type: ACCESS_TOKEN,
    client_id: a.clientId,
    client_secret: a.clientSecret,
    ...extra,
  });
}

async function delegated(sessionToken: string, to: string): Promise<string> {
  const res = await delegate(sessionToken, to);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.access_token as string;
}

async function mcp(token: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${planes.dpUrl}/mcp/default`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: "delegation-e2e", version: "1.0.0" });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const toolNames = async (client: Client) => (await client.listTools()).tools.map((t) => t.name).sort();
const claimsOf = (token: string) => decodeJwt(token) as Json;

beforeAll(async () => {
  issuer = await (await LocalIssuer.create("https://idp.company.test", "ES256")).serve();
  ocr = await TestMcpUpstream.start("ocr", ["receipt_ocr", "get_employee_cost_center"]);
  planes = await startPlanes();
  const { api } = planes;
  await api("POST", "/api/v1/trusted-issuers", {
    name: "company-idp",
    issuer: issuer.issuer,
    staticJwks: issuer.jwks(),
  });
  await api("POST", "/api/v1/operators", {
    subject: ALICE,
    email: ALICE,
    department: "engineering",
    manager: "bob@company.com",
    costCenter: "eng-team-001",
    attributes: { delegation_limit: 500 },
  });
  const create = async (name: string, trust: "first_party" | "third_party", owner: string) => {
    const agent = await api("POST", "/api/v1/agents", { name, trust, owner });
    const credential = await api("POST", `/api/v1/agents/${agent.id}/credentials`, {});
    agents[name] = { id: agent.id, clientId: credential.clientId, clientSecret: credential.clientSecret };
  };
  await create("expense-report-v1", "first_party", "finance-platform");
  await create("ocr-helper-v2", "third_party", "ocr-vendor");
  for (let i = 0; i <= 6; i++) await create(`hop-${i}`, "first_party", "platform");
  const id = (name: string) => (agents[name] as { id: string }).id;
  const allow = (from: string, to: string[]) =>
    api("PATCH", `/api/v1/agents/${id(from)}`, { allowedDelegates: to.map(id) });
  await allow("expense-report-v1", ["ocr-helper-v2"]);
  for (let i = 0; i < 6; i++) await allow(`hop-${i}`, [`hop-${i + 1}`]);
  await allow("hop-1", ["hop-0", "hop-2"]); // hop-0 → hop-1 → hop-0 would be a cycle

  const upstream = await api("POST", "/api/v1/upstreams", { name: "ocr", kind: "mcp", url: ocr.url });
  for (const name of ["receipt_ocr", "get_employee_cost_center"]) {
    // Registered with the definition the upstream lists: the node checks upstream definitions against their pins (T08).
    await api("POST", "/api/v1/tools", { upstreamId: upstream.id, ...listedTool(name) });
  }
  for (const { id: _id, ...policy } of expenseReportPolicies) await api("POST", "/api/v1/policies", policy);
  // The hop agents: all may run receipt_ocr; hop-1 and hop-3 may also look up cost centres, hop-0 only dave's.
  await api("POST", "/api/v1/policies", {
    name: "hops-ocr",
    target: { agents: ["hop-0", "hop-1", "hop-2", "hop-3", "hop-4", "hop-5", "hop-6"], tools: ["receipt_ocr"] },
    effect: "allow",
  });
  await api("POST", "/api/v1/policies", {
    name: "hop-1-3-lookup",
    target: { agents: ["hop-1", "hop-3"], tools: ["get_employee_cost_center"] },
    effect: "allow",
  });
  await api("POST", "/api/v1/policies", {
    name: "hop-0-lookup-dave",
    target: { agents: ["hop-0"], tools: ["get_employee_cost_center"] },
    effect: "allow",
    condition: 'args.employee_id == "dave@company.com"',
  });
  await planes.synced();
}, 180_000);

describe("delegation chains through both planes", () => {
  it("allowed delegation: ocr-helper-v2 for expense-report-v1 for alice may call receipt_ocr and nothing else; the upstream's assertion carries alice → expense-report-v1 → ocr-helper-v2; the session and audit record the chain", {
    timeout: 120_000,
  }, async () => {
    const parentToken = await startSession("expense-report-v1");
    const helperToken = await delegated(parentToken, "ocr-helper-v2");
    const parent = claimsOf(parentToken);
    const helper = claimsOf(helperToken);
    expect(helper).toMatchObject({
      sub: ALICE,
      parent_sid: parent.sid,
      act: {
        sub: agents["ocr-helper-v2"]?.id,
        name: "ocr-helper-v2",
        act: { sub: agents["expense-report-v1"]?.id, name: "expense-report-v1" },
      },
    });
    expect(helper.act.act.act).toBeUndefined();
    expect(helper.sid).not.toBe(parent.sid);

    // tools/list shows only what the whole chain may call.
    const client = await mcp(helperToken);
    expect(await toolNames(client)).toEqual(["receipt_ocr"]);
    expect(await toolNames(await mcp(parentToken))).toEqual(["get_employee_cost_center", "receipt_ocr"]);

    ocr.reset();
    const ok = await client.callTool({ name: "receipt_ocr", arguments: { image: "receipt-1.png" } });
    expect(ok.isError).toBeFalsy();
    // Hidden from the delegate, so a call answers exactly like an unknown tool.
    await expect(
      client.callTool({ name: "get_employee_cost_center", arguments: { employee_id: ALICE } }),
    ).rejects.toThrow("MCP error -32602: Unknown tool: get_employee_cost_center");
    const [forwarded] = ocr.calls("tools/call");
    expect(ocr.calls("tools/call")).toHaveLength(1);
    const jwks = (await (await fetch(`${planes.cp.url}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
    const { payload } = await jwtVerify(forwarded?.headers["portcullis-assertion"] as string, createLocalJWKSet(jwks), {
      algorithms: ["EdDSA"],
    });
    expect(payload).toMatchObject({
      sub: ALICE,
      sid: helper.sid,
      tool: "receipt_ocr",
      act: {
        sub: agents["ocr-helper-v2"]?.id,
        name: "ocr-helper-v2",
        act: { sub: agents["expense-report-v1"]?.id, name: "expense-report-v1" },
      },
    });

    const session = await planes.api("GET", `/api/v1/sessions/${helper.sid}`);
    expect(session).toMatchObject({
      id: helper.sid,
      parentSessionId: parent.sid,
      agentName: "ocr-helper-v2",
      delegation: {
        depth: 1,
        origin: "human",
        chain: [
          { agent: "expense-report-v1", trust: "first_party", owner: "finance-platform" },
          { agent: "ocr-helper-v2", trust: "third_party", owner: "ocr-vendor" },
        ],
      },
    });

    const records = await until("the delegated call's audit event", async () => {
      const rows = await planes.cp.database.db.select().from(auditEvents).where(eq(auditEvents.sessionId, helper.sid));
      const parsed = rows.map((r) => JSON.parse(r.record) as Json);
      return parsed.some((r) => r.tool === "receipt_ocr") ? parsed : undefined;
    });
    expect(records.find((r) => r.tool === "receipt_ocr")).toMatchObject({
      decision: "allow",
      delegation_chain: [agents["expense-report-v1"]?.id, agents["ocr-helper-v2"]?.id],
      parent_session_id: parent.sid,
    });
  });

  it("a delegate the delegating agent does not allow is refused (invalid_grant)", async () => {
    const res = await delegate(await startSession("expense-report-v1"), "hop-1");
    expect(res).toMatchObject({
      status: 400,
      body: { error: "invalid_grant", error_description: "agent expense-report-v1 does not allow hop-1 to act for it" },
    });
  });

  it("a cycle in the chain is refused", async () => {
    const hop1 = await delegated(await startSession("hop-0"), "hop-1");
    const res = await delegate(hop1, "hop-0");
    expect(res).toMatchObject({
      status: 400,
      body: { error: "invalid_grant", error_description: "delegation cycle: agent hop-0 is already in the chain" },
    });
  });

  it("depth 5 is allowed, depth 6 is refused (PORTCULLIS_DELEGATION_MAX_DEPTH defaults to 5)", {
    timeout: 60_000,
  }, async () => {
    let token = await startSession("hop-0");
    for (let i = 1; i <= 5; i++) token = await delegated(token, `hop-${i}`);
    let depth = 0;
    for (let act = claimsOf(token).act; act.act; act = act.act) depth++;
    expect(depth).toBe(5);
    expect(await toolNames(await mcp(token))).toEqual(["receipt_ocr"]);
    const res = await delegate(token, "hop-6");
    expect(res).toMatchObject({
      status: 400,
      body: { error: "invalid_grant", error_description: "the delegation chain would be 6 deep; the limit is 5" },
    });
  });

  it("a delegate never gets a wider scope than its delegator (invalid_scope); a narrower one or the same is fine", async () => {
    const scoped = await startSession("expense-report-v1", { scope: "receipts:read" });
    expect(claimsOf(scoped).scope).toBe("receipts:read");
    const wider = await delegate(scoped, "ocr-helper-v2", { scope: "receipts:read reports:write" });
    expect(wider).toMatchObject({ status: 400, body: { error: "invalid_scope" } });
    expect(wider.body.error_description).toContain("reports:write");
    const same = await delegate(scoped, "ocr-helper-v2", { scope: "receipts:read" });
    expect(same.status).toBe(200);
    expect(claimsOf(same.body.access_token).scope).toBe("receipts:read");
    const inherited = await delegate(scoped, "ocr-helper-v2");
    expect(claimsOf(inherited.body.access_token).scope).toBe("receipts:read");
  });

  it("the delegate's token expires no later than the delegator's", async () => {
    const parentToken = await startSession("expense-report-v1");
    const parent = claimsOf(parentToken);
    // Let a whole second pass, so an uncapped token would outlive the parent's.
    await until("the next second", async () => (Date.now() / 1000 >= parent.iat + 1 ? true : undefined));
    const res = await delegate(parentToken, "ocr-helper-v2");
    const child = claimsOf(res.body.access_token);
    expect(child.iat).toBeGreaterThan(parent.iat);
    expect(child.exp).toBe(parent.exp);
    expect(res.body.expires_in).toBe(child.exp - child.iat);
    const session = await planes.api("GET", `/api/v1/sessions/${child.sid}`);
    expect(new Date(session.expiresAt).getTime()).toBe(parent.exp * 1000);
  });

  it("tools/list for a delegate shows only the tools every agent of the chain may call", {
    timeout: 60_000,
  }, async () => {
    expect(await toolNames(await mcp(await startSession("hop-3")))).toEqual([
      "get_employee_cost_center",
      "receipt_ocr",
    ]);
    const hop3 = await delegated(await startSession("hop-2"), "hop-3");
    expect(await toolNames(await mcp(hop3))).toEqual(["receipt_ocr"]);
  });

  it("delegator_denied: a call the delegate may make but a delegator may not is denied at the node", {
    timeout: 60_000,
  }, async () => {
    const hop1 = await delegated(await startSession("hop-0"), "hop-1");
    const client = await mcp(hop1);
    // hop-0 may look up some employees (it depends on the arguments), so the tool is listed.
    expect(await toolNames(client)).toEqual(["get_employee_cost_center", "receipt_ocr"]);
    ocr.reset();
    const denied = await client.callTool({ name: "get_employee_cost_center", arguments: { employee_id: ALICE } });
    expect(denied.isError).toBe(true);
    expect((denied.content as { text: string }[])[0]?.text).toMatch(
      /^denied: delegator 'hop-0' may not call 'get_employee_cost_center' itself/,
    );
    expect(denied._meta?.["portcullis/decision"]).toMatchObject({ outcome: "deny", code: "delegator_denied" });
    expect(ocr.calls("tools/call")).toHaveLength(0);
    const sid = claimsOf(hop1).sid as string;
    const record = await until("the denied call's audit event", async () => {
      const rows = await planes.cp.database.db.select().from(auditEvents).where(eq(auditEvents.sessionId, sid));
      return rows.map((r) => JSON.parse(r.record) as Json).find((r) => r.tool === "get_employee_cost_center");
    });
    expect(record).toMatchObject({
      decision: "deny",
      outcome: "denied",
      code: "delegator_denied",
      delegation_chain: [agents["hop-0"]?.id, agents["hop-1"]?.id],
    });
  });

  it("nested act claims the gateway did not mint never delegate: an IdP token's act is dropped, a forged session token is refused", async () => {
    const forgedAct = { sub: agents["hop-0"]?.id, act: { sub: agents["expense-report-v1"]?.id } };
    const plain = claimsOf(await startSession("ocr-helper-v2", {}, { act: forgedAct }));
    expect(plain.act).toEqual({ sub: agents["ocr-helper-v2"]?.id, name: "ocr-helper-v2", trust: "third_party" });
    expect(plain.parent_sid).toBeUndefined();

    const { privateKey } = await generateKeyPair("EdDSA");
    const forged = await new SignJWT({
      sub: ALICE,
      sid: "sess_forgedforgedforged0",
      act: { sub: agents["expense-report-v1"]?.id, name: "expense-report-v1" },
    })
      .setProtectedHeader({ alg: "EdDSA", kid: "not-ours", typ: "at+jwt" })
      .setIssuer(planes.cp.deps.tokens?.issuer as string)
      .setAudience("portcullis-gateway")
      .setIssuedAt()
      .setExpirationTime("5m")
      .setJti("forged")
      .sign(privateKey);
    const res = await delegate(forged, "ocr-helper-v2");
    expect(res).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    const call = await fetch(`${planes.dpUrl}/mcp/default`, {
      method: "POST",
      headers: { authorization: `Bearer ${forged}`, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(call.status).toBe(401);
  });

  it("an agent disabled mid-chain: the delegate's calls are refused on the next snapshot, and it cannot delegate further", {
    timeout: 120_000,
  }, async () => {
    const hop2Token = await delegated(await delegated(await startSession("hop-0"), "hop-1"), "hop-2");
    const client = await mcp(hop2Token);
    expect((await client.callTool({ name: "receipt_ocr", arguments: {} })).isError).toBeFalsy();

    await planes.api("PATCH", `/api/v1/agents/${agents["hop-1"]?.id}`, { disabled: true });
    const refused = await until("the node to refuse the chain", async () => {
      const res = await fetch(`${planes.dpUrl}/mcp/default`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${hop2Token}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-protocol-version": "2025-11-25",
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
        }),
      });
      return res.status === 403 ? ((await res.json()) as Json) : undefined;
    });
    expect(refused.error.message).toBe("an agent of the delegation chain is unknown to this gateway or disabled");
    const further = await delegate(hop2Token, "hop-3");
    expect(further).toMatchObject({
      status: 400,
      body: { error: "invalid_grant", error_description: "agent hop-1 in the delegation chain is disabled or unknown" },
    });
    await planes.api("PATCH", `/api/v1/agents/${agents["hop-1"]?.id}`, { disabled: false });
  });
});
