// J12 (SECURITY-TESTS.md): mTLS client certificates as an agent identity, with real processes and sockets. A
// control plane with its mTLS token endpoint (PORTCULLIS_CP_TOKEN_MTLS) and a data-plane node with its mTLS
// listener (PORTCULLIS_DP_HTTPS), both trusting a test CA made by openssl; a real MCP upstream (official SDK) and
// the official MCP client over https with a client certificate. Certificates: the agent's (SAN URI
// spiffe://portcullis.test/agent/expense-report), a second one with the same SAN and another key, one whose SAN no
// agent lists, an expired one, and one from another CA.
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect } from "node:tls";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { createLocalJWKSet, decodeJwt, type JWK, jwtVerify } from "jose";
import { Agent, fetch as undiciFetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listedTool, TestMcpUpstream } from "../../data-plane/test/test-mcp-upstream.ts";
import { LocalIssuer } from "./local-issuer.ts";
import { freePort } from "./processes.ts";
import { clientExt, createTestCa, SERVER_EXT } from "./support/pki.ts";
import { type Json, type Planes, startPlanes } from "./support/planes.ts";

const EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT = "urn:ietf:params:oauth:token-type:jwt";
const ALICE = "alice@company.com";
const AGENT_SPIFFE = "spiffe://portcullis.test/agent/expense-report";
const OTHER_SPIFFE = "spiffe://portcullis.test/agent/intruder";

const root = mkdtempSync(path.join(tmpdir(), "pc-mtls-"));
const ca = createTestCa(path.join(root, "ca"), "agents");
const foreignCa = createTestCa(path.join(root, "foreign"), "foreign");
ca.issue("server", SERVER_EXT);
const certs = {
  agent: ca.issue("agent", clientExt(`URI:${AGENT_SPIFFE}`)),
  agentTwin: ca.issue("agent-twin", clientExt(`URI:${AGENT_SPIFFE}`)),
  intruder: ca.issue("intruder", clientExt(`URI:${OTHER_SPIFFE}`)),
  expired: ca.issue("expired", clientExt(`URI:${AGENT_SPIFFE}`), 0),
  foreign: foreignCa.issue("foreign", clientExt(`URI:${AGENT_SPIFFE}`)),
};
type CertName = keyof typeof certs;

let planes: Planes;
let issuer: LocalIssuer;
let crm: TestMcpUpstream;
let dpsUrl: string;
let agent: { id: string; clientId: string; clientSecret: string };
const dispatchers: Agent[] = [];
const clients: Client[] = [];

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  for (const d of dispatchers) await d.close().catch(() => {});
  await planes?.close();
  await crm?.close();
  await issuer?.close();
  rmSync(root, { recursive: true, force: true });
});

/** An https client that trusts the test CA and presents `cert` (undici, as the MCP SDK's custom fetch). */
function tlsFetch(cert: CertName): FetchLike {
  const dispatcher = new Agent({
    connect: {
      ca: readFileSync(ca.file("ca.pem")),
      cert: readFileSync(certs[cert].cert),
      key: readFileSync(certs[cert].key),
    },
  });
  dispatchers.push(dispatcher);
  return ((url: string | URL, init?: RequestInit) =>
    undiciFetch(url, { ...(init as object), dispatcher })) as unknown as FetchLike;
}

/** RFC 8705 x5t#S256 of a PEM certificate, computed here independently of the gateway. */
function thumbprintOf(cert: CertName): string {
  const der = new X509Certificate(readFileSync(certs[cert].cert)).raw;
  return createHash("sha256").update(der).digest("base64url");
}

interface RoundTrip {
  /** The client finished its side of the handshake. */
  secure: boolean;
  /** The HTTP answer's first line, "" when none came. */
  answer: string;
  error?: string;
}

/**
 * A TLS connection to `hostPort` presenting `cert` that sends `GET /healthz`. A refused client certificate ends
 * the handshake on the server's side: with TLS 1.2 the client never completes it; with TLS 1.3 (where the client
 * finishes first) the server closes the connection before reading anything, so no HTTP answer ever comes.
 */
function tlsRoundTrip(
  hostPort: string,
  cert: CertName | undefined,
  maxVersion: "TLSv1.2" | "TLSv1.3",
): Promise<RoundTrip> {
  const cut = hostPort.lastIndexOf(":");
  const [host, port] = [hostPort.slice(0, cut), Number(hostPort.slice(cut + 1))];
  return new Promise((resolve) => {
    const socket = connect({
      host,
      port,
      maxVersion,
      ca: readFileSync(ca.file("ca.pem")),
      ...(cert ? { cert: readFileSync(certs[cert].cert), key: readFileSync(certs[cert].key) } : {}),
    });
    const result: RoundTrip = { secure: false, answer: "" };
    let received = "";
    socket.on("secureConnect", () => {
      result.secure = true;
      socket.write(`GET /healthz HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n\r\n`);
    });
    socket.on("data", (d: Buffer) => {
      received += d.toString();
    });
    socket.on("error", (e: Error & { code?: string }) => {
      result.error = e.code ?? e.message;
    });
    socket.on("close", () => resolve({ ...result, answer: received.split("\r\n")[0] ?? "" }));
  });
}

/** Expects the server to refuse `cert` in the TLS handshake, over TLS 1.2 and TLS 1.3. */
async function expectHandshakeRefused(hostPort: string, cert: CertName | undefined) {
  expect(await tlsRoundTrip(hostPort, cert, "TLSv1.2")).toMatchObject({
    secure: false,
    answer: "",
    error: expect.any(String),
  });
  expect(await tlsRoundTrip(hostPort, cert, "TLSv1.3")).toMatchObject({ answer: "" });
}

/** Alice's session token from a token exchange: over the mTLS token endpoint with `cert`, or with the secret. */
async function sessionToken(via: { cert: CertName } | "secret"): Promise<string> {
  const res = await exchange(via);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.access_token as string;
}

async function exchange(via: { cert: CertName } | "secret", extra: Record<string, string> = {}) {
  const params: Record<string, string> = {
    grant_type: EXCHANGE,
    subject_token: await issuer.token(ALICE, { email: ALICE }),
    subject_token_type: JWT,
    ...(via === "secret" ? { client_id: agent.clientId, client_secret: agent.clientSecret } : {}),
    ...extra,
  };
  if (via === "secret") return planes.token(params);
  const res = await tlsFetch(via.cert)(`${planes.cp.tokenMtlsUrl}/oauth/token`, {
    method: "POST",
    body: new URLSearchParams(params),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

async function mcpOverTls(cert: CertName, token: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${dpsUrl}/mcp/default`), {
    fetch: tlsFetch(cert),
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: "mtls-e2e", version: "1.0.0" });
  await client.connect(transport);
  clients.push(client);
  return client;
}

/** A raw MCP initialize: the status and JSON-RPC error of the gateway's answer. */
async function initialize(fetchImpl: FetchLike, url: string, token: string) {
  const res = await fetchImpl(url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    }),
  });
  const text = await res.text();
  let body: Json = {};
  try {
    body = JSON.parse(text) as Json;
  } catch {}
  return { status: res.status, error: body.error as { code: number; message: string } | undefined, res };
}

beforeAll(async () => {
  issuer = await (await LocalIssuer.create("https://idp.company.test", "ES256")).serve();
  crm = await TestMcpUpstream.start("crm", ["lookup_customer"]);
  const dpHttps = `127.0.0.1:${await freePort()}`;
  planes = await startPlanes({
    cpEnv: {
      PORTCULLIS_CP_TOKEN_MTLS: "127.0.0.1:0",
      PORTCULLIS_CP_TOKEN_TLS_CERT: ca.file("server.pem"),
      PORTCULLIS_CP_TOKEN_TLS_KEY: ca.file("server.key"),
      PORTCULLIS_CP_TOKEN_TLS_CLIENT_CA: ca.file("ca.pem"),
    },
    dpEnv: {
      PORTCULLIS_DP_HTTPS: dpHttps,
      PORTCULLIS_DP_TLS_CERT: ca.file("server.pem"),
      PORTCULLIS_DP_TLS_KEY: ca.file("server.key"),
      PORTCULLIS_DP_TLS_CLIENT_CA: ca.file("ca.pem"),
    },
  });
  dpsUrl = `https://${dpHttps}`;
  const { api } = planes;
  await api("POST", "/api/v1/trusted-issuers", {
    name: "company-idp",
    issuer: issuer.issuer,
    staticJwks: issuer.jwks(),
  });
  await api("POST", "/api/v1/operators", { subject: ALICE, email: ALICE });
  const created = await api("POST", "/api/v1/agents", {
    name: "expense-report",
    trust: "first_party",
    owner: "finance-platform",
    mtlsSubjects: [AGENT_SPIFFE],
  });
  const credential = await api("POST", `/api/v1/agents/${created.id}/credentials`, {});
  agent = { id: created.id, clientId: credential.clientId, clientSecret: credential.clientSecret };
  // Another agent, so the intruder's certificate identifies someone (and a token exchange with it is not this agent).
  await api("POST", "/api/v1/agents", {
    name: "intruder",
    trust: "third_party",
    owner: "elsewhere",
    mtlsSubjects: [OTHER_SPIFFE],
  });
  const upstream = await api("POST", "/api/v1/upstreams", { name: "crm", kind: "mcp", url: crm.url });
  await api("POST", "/api/v1/tools", { upstreamId: upstream.id, ...listedTool("lookup_customer") });
  await api("POST", "/api/v1/policies", {
    name: "expense-report-crm",
    target: { agents: ["expense-report", "intruder"], tools: ["lookup_customer"] },
    effect: "allow",
  });
  await planes.synced();
}, 180_000);

describe("J12: mTLS client certificates as an agent identity", () => {
  it("J12: the agent's certificate identities are stored, validated and unique", { timeout: 60_000 }, async () => {
    const stored = await planes.api("GET", `/api/v1/agents/${agent.id}`);
    expect(stored.mtlsSubjects).toEqual([AGENT_SPIFFE]);
    const bad = await planes.api(
      "POST",
      "/api/v1/agents",
      { name: "bad-subject", trust: "first_party", owner: "x", mtlsSubjects: ["*.example.com"] },
      400,
    );
    expect(bad.error.code).toBe("validation_failed");
    const taken = await planes.api(
      "POST",
      "/api/v1/agents",
      { name: "taken-subject", trust: "first_party", owner: "x", mtlsSubjects: [AGENT_SPIFFE] },
      409,
    );
    expect(taken.error.code).toBe("conflict");
  });

  it("J12: (a) a certificate from an untrusted CA, or none, fails the TLS handshake at the node and the control plane", {
    timeout: 60_000,
  }, async () => {
    const dpHostPort = dpsUrl.slice("https://".length);
    const cpHostPort = (planes.cp.tokenMtlsUrl as string).slice("https://".length);
    for (const version of ["TLSv1.2", "TLSv1.3"] as const) {
      expect(await tlsRoundTrip(dpHostPort, "agent", version)).toEqual({ secure: true, answer: "HTTP/1.1 200 OK" });
    }
    for (const hostPort of [dpHostPort, cpHostPort]) {
      await expectHandshakeRefused(hostPort, "foreign");
      await expectHandshakeRefused(hostPort, undefined);
    }
    // The same through an HTTP client: the request fails before any HTTP answer.
    const token = await sessionToken("secret");
    await expect(initialize(tlsFetch("foreign"), `${dpsUrl}/mcp/default`, token)).rejects.toThrow();
  });

  it("J12: (b) an expired certificate fails the TLS handshake at the node and the control plane", {
    timeout: 60_000,
  }, async () => {
    expect(new Date(new X509Certificate(readFileSync(certs.expired.cert)).validTo).getTime()).toBeLessThan(Date.now());
    for (const hostPort of [dpsUrl.slice(8), (planes.cp.tokenMtlsUrl as string).slice(8)]) {
      await expectHandshakeRefused(hostPort, "expired");
    }
    await expect(exchange({ cert: "expired" })).rejects.toThrow();
  });

  it("J12: a token exchange over the mTLS token endpoint answers a session token bound to the certificate (cnf.x5t#S256)", {
    timeout: 60_000,
  }, async () => {
    const token = await sessionToken({ cert: "agent" });
    const claims = decodeJwt(token) as Json;
    expect(claims.cnf).toEqual({ "x5t#S256": thumbprintOf("agent") });
    expect(claims.act).toMatchObject({ sub: agent.id, name: "expense-report" });
    expect(claims.client_id).toBe(agent.id);
    // The certificate and the agent's secret together: the same agent, still bound.
    const both = await exchange({ cert: "agent" }, { client_id: agent.clientId, client_secret: agent.clientSecret });
    expect(both.status, JSON.stringify(both.body)).toBe(200);
    expect((decodeJwt(both.body.access_token) as Json).cnf).toEqual({ "x5t#S256": thumbprintOf("agent") });
    // A token from the plain token endpoint is not bound.
    expect((decodeJwt(await sessionToken("secret")) as Json).cnf).toBeUndefined();
    // Metadata advertises the mTLS endpoint (RFC 8705 §5).
    const metadata = (await (await fetch(`${planes.cp.url}/.well-known/oauth-authorization-server`)).json()) as Json;
    expect(metadata.mtls_endpoint_aliases).toEqual({ token_endpoint: `${planes.cp.tokenMtlsUrl}/oauth/token` });
    expect(metadata.tls_client_certificate_bound_access_tokens).toBe(true);
  });

  it("J12: the mTLS token endpoint refuses a certificate of another agent than the client authentication, and serves nothing but the token service", {
    timeout: 60_000,
  }, async () => {
    const mixed = await exchange(
      { cert: "intruder" },
      { client_id: agent.clientId, client_secret: agent.clientSecret },
    );
    expect(mixed.status).toBe(401);
    expect(mixed.body.error).toBe("invalid_client");
    expect(mixed.body.error_description).toBe(
      "the client certificate and the client authentication name different agents",
    );
    const wrongId = await exchange({ cert: "agent" }, { client_id: "someone-else" });
    expect(wrongId.status).toBe(401);
    expect(wrongId.body.error).toBe("invalid_client");
    const api = await tlsFetch("agent")(`${planes.cp.tokenMtlsUrl}/api/v1/agents`);
    expect(api.status).toBe(404);
  });

  it("J12: (d) a valid certificate of the agent: an MCP tools/call over https with the official SDK client is allowed and the upstream sees the minted assertion", {
    timeout: 120_000,
  }, async () => {
    const token = await sessionToken({ cert: "agent" });
    const client = await mcpOverTls("agent", token);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["lookup_customer"]);
    crm.reset();
    const result = await client.callTool({ name: "lookup_customer", arguments: { q: "acme" } });
    expect(result.isError).toBeFalsy();
    const [forwarded] = crm.calls("tools/call");
    expect(crm.calls("tools/call")).toHaveLength(1);
    const jwks = (await (await fetch(`${planes.cp.url}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
    const { payload } = await jwtVerify(forwarded?.headers["portcullis-assertion"] as string, createLocalJWKSet(jwks), {
      algorithms: ["EdDSA"],
    });
    expect(payload).toMatchObject({
      sub: ALICE,
      sid: (decodeJwt(token) as Json).sid,
      tool: "lookup_customer",
      act: { sub: agent.id, name: "expense-report" },
    });
    // The caller's token never reaches the upstream.
    expect(JSON.stringify(forwarded?.headers)).not.toContain(token);

    // An unbound session token of the agent is accepted over the mTLS listener too: the certificate is its.
    const unbound = await initialize(tlsFetch("agent"), `${dpsUrl}/mcp/default`, await sessionToken("secret"));
    expect(unbound.status).toBe(200);
  });

  it("J12: (c) a valid certificate whose SAN the token's agent does not list → 403 agent_not_allowed", {
    timeout: 60_000,
  }, async () => {
    const token = await sessionToken("secret");
    const refused = await initialize(tlsFetch("intruder"), `${dpsUrl}/mcp/default`, token);
    expect(refused.status).toBe(403);
    expect(refused.error).toEqual({
      code: -32002,
      message: `the client certificate (${OTHER_SPIFFE}) is not one of agent expense-report's certificate identities`,
    });
    // The same token over the plain listener is fine: the certificate, not the token, was refused.
    const plain = await initialize(fetch as FetchLike, `${planes.dpUrl}/mcp/default`, token);
    expect(plain.status).toBe(200);
  });

  it("J12: a certificate-bound token presented over a different certificate → 401, even one with the same SAN", {
    timeout: 60_000,
  }, async () => {
    const token = await sessionToken({ cert: "agent" });
    const twin = await initialize(tlsFetch("agentTwin"), `${dpsUrl}/mcp/default`, token);
    expect(twin.status).toBe(401);
    expect(twin.error?.message).toBe("the token is bound to a different client certificate");
    expect(twin.res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    const other = await initialize(tlsFetch("intruder"), `${dpsUrl}/mcp/default`, token);
    expect(other.status).toBe(401);
    // With its own certificate the same token is accepted.
    expect((await initialize(tlsFetch("agent"), `${dpsUrl}/mcp/default`, token)).status).toBe(200);
  });

  it("J12: a certificate-bound token on the plain listener → 401", { timeout: 60_000 }, async () => {
    const token = await sessionToken({ cert: "agent" });
    const plain = await initialize(fetch as FetchLike, `${planes.dpUrl}/mcp/default`, token);
    expect(plain.status).toBe(401);
    expect(plain.error?.message).toBe(
      "the token is bound to a client certificate: call over the gateway's mTLS listener with that certificate",
    );
  });

  it("J12: a certificate-bound agent token is refused as actor_token (the certificate is the actor)", {
    timeout: 60_000,
  }, async () => {
    const res = await tlsFetch("agent")(`${planes.cp.tokenMtlsUrl}/oauth/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "client_credentials" }),
    });
    expect(res.status).toBe(200);
    const agentToken = ((await res.json()) as Json).access_token as string;
    expect((decodeJwt(agentToken) as Json).cnf).toEqual({ "x5t#S256": thumbprintOf("agent") });
    const exchanged = await planes.token({
      grant_type: EXCHANGE,
      subject_token: await issuer.token(ALICE, { email: ALICE }),
      subject_token_type: JWT,
      actor_token: agentToken,
      actor_token_type: "urn:ietf:params:oauth:token-type:access_token",
    });
    expect(exchanged.status).toBe(400);
    expect(exchanged.body.error).toBe("invalid_grant");
  });
});
