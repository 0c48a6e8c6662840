// The token service over real HTTP against a control plane started in this test: JWKS and metadata, the
// client_credentials grant (secrets and private_key_jwt), RFC 8693 token exchange with operator tokens from
// small local issuers (a served JWKS and a static one), the J group of SECURITY-TESTS, and key rotation.
import { createHmac, createPublicKey, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JWK,
  jwtVerify,
  SignJWT,
} from "jose";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../test/harness.ts";
import { LocalIssuer, unsignedToken } from "../../test/local-issuer.ts";
import { parseConfig } from "../config.ts";
import { dpNodes, gatewayGroups, gatewaySessions, nodeKeys } from "../db/schema.ts";
import { loadKeyRing } from "../keys/control-plane-keys.ts";
import { uuidv7 } from "../lib/ids.ts";
import { type RunningControlPlane, startControlPlane } from "../main.ts";
import { createApiToken } from "../services/api-tokens.ts";
import { CLIENT_ASSERTION_TYPE, GATEWAY_AUDIENCE, GRANT_TYPE, TOKEN_TYPE } from "./settings.ts";

let cp: RunningControlPlane;
let admin: string;
let idpA: LocalIssuer; // JWKS served over HTTP, RS256, requires aud "portcullis"
let idpB: LocalIssuer; // static JWKS, ES256, with a claim mapping
let agent: { id: string; name: string };
let secret: { clientId: string; clientSecret: string };

const IDP_A = "https://idp-a.example.test/";
const IDP_B = "https://idp-b.example.test";

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${cp.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function tokenRequest(params: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${cp.url}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(params).toString(),
  });
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  const body: any = await res.json();
  return { status: res.status, body, headers: res.headers };
}

const basic = (id: string, pw: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(pw)}`).toString("base64")}`;

async function agentToken(cred = secret): Promise<string> {
  const res = await tokenRequest(
    { grant_type: "client_credentials" },
    { authorization: basic(cred.clientId, cred.clientSecret) },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.access_token;
}

/** Token exchange with the agent's access token as actor. */
async function exchange(subjectToken: string, extra: Record<string, string> = {}) {
  return tokenRequest({
    grant_type: GRANT_TYPE.tokenExchange,
    subject_token: subjectToken,
    subject_token_type: TOKEN_TYPE.jwt,
    actor_token: await agentToken(),
    actor_token_type: TOKEN_TYPE.accessToken,
    ...extra,
  });
}

async function cpJwks() {
  const res = await fetch(`${cp.url}/.well-known/jwks.json`);
  return { res, jwks: (await res.json()) as { keys: JWK[] } };
}

async function verifyWithCpJwks(token: string) {
  const { jwks } = await cpJwks();
  return jwtVerify(token, createLocalJWKSet(jwks), {
    issuer: cp.url,
    audience: GATEWAY_AUDIENCE,
    typ: "at+jwt",
    algorithms: ["EdDSA"],
  });
}

async function createAgent(name: string, trust = "first_party") {
  const res = await api("POST", "/api/v1/agents", { name, owner: "finance-platform", trust });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string };
}

async function createSecret(agentId: string) {
  const res = await api("POST", `/api/v1/agents/${agentId}/credentials`, {});
  expect(res.status).toBe(201);
  return res.body as { id: string; clientId: string; clientSecret: string };
}

beforeAll(async () => {
  const database = await openTestDatabase();
  cp = await startControlPlane(
    parseConfig({
      PORTCULLIS_CP_HTTP: "127.0.0.1:0",
      PORTCULLIS_CP_GRPC: "127.0.0.1:0",
      PORTCULLIS_SECRET_KEY: Buffer.alloc(32, 9).toString("base64"),
      PORTCULLIS_ADMIN_PASSWORD: "correct-horse-battery",
      // Short, so J09 can wait out one cooldown; J10 is bounded by it.
      PORTCULLIS_JWKS_COOLDOWN_SECONDS: "1",
    }),
    { database, logger: pino({ level: process.env.PORTCULLIS_TEST_LOG ?? "silent" }) },
  );
  const ctx = {
    ...cp.deps,
    actor: { type: "system" as const, id: "t", name: "t", role: "admin" as const },
    requestId: "t",
  };
  admin = (await createApiToken({ ctx, input: { name: "test", role: "admin" } })).token;

  idpA = await (await LocalIssuer.create(IDP_A, "RS256")).serve();
  idpB = await LocalIssuer.create(IDP_B, "ES256", "b1");
  expect(
    (
      await api("POST", "/api/v1/trusted-issuers", {
        name: "idp-a",
        issuer: IDP_A,
        jwksUrl: idpA.jwksUrl,
        audience: "portcullis",
      })
    ).status,
  ).toBe(201);
  expect(
    (
      await api("POST", "/api/v1/trusted-issuers", {
        name: "idp-b",
        issuer: IDP_B,
        staticJwks: idpB.jwks(),
        claimMapping: { department: "dept", cost_center: "cc", groups: "roles" },
      })
    ).status,
  ).toBe(201);
  await api("POST", "/api/v1/operators", {
    subject: "alice@company.com",
    email: "alice@company.com",
    department: "engineering",
    manager: "bob@company.com",
    costCenter: "eng-team-001",
    groups: ["engineering"],
    attributes: { delegation_limit: 500 },
  });
  agent = await createAgent("expense-report-v1");
  secret = await createSecret(agent.id);
});

afterAll(async () => {
  await cp.close();
  await cp.database.close();
  await idpA.close();
});

describe("JWKS and metadata", () => {
  it("publishes the control plane's keys and unrevoked nodes' assertion keys, cacheable for 5 minutes", async () => {
    const db = cp.database.db;
    const [group] = await db.select().from(gatewayGroups).where(eq(gatewayGroups.name, "default"));
    const live = uuidv7();
    const revoked = uuidv7();
    const now = new Date();
    await db.insert(dpNodes).values([
      { id: live, groupId: group?.id as string, name: "live" },
      { id: revoked, groupId: group?.id as string, name: "gone", revokedAt: now },
    ]);
    const nodeKey = async (nodeId: string, use: string, kid: string) => {
      const { publicKey } = await generateKeyPair("EdDSA", { extractable: true });
      await db.insert(nodeKeys).values({ kid, nodeId, use, publicJwk: { ...(await exportJWK(publicKey)), kid } });
    };
    await nodeKey(live, "assertion", "node-live-assertion");
    await nodeKey(live, "signing", "node-live-signing");
    await nodeKey(revoked, "assertion", "node-revoked-assertion");
    await cp.deps.reloadKeys?.(); // a fresh key ring also refreshes the (briefly cached) document

    const { res, jwks } = await cpJwks();
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toContain("max-age=300");
    const kids = jwks.keys.map((k) => k.kid);
    expect(kids).toContain(cp.deps.keys?.().active.kid);
    expect(kids).toContain("node-live-assertion");
    expect(kids).not.toContain("node-live-signing");
    expect(kids).not.toContain("node-revoked-assertion");
    for (const k of jwks.keys) {
      expect(k).not.toHaveProperty("d");
      expect(k).toMatchObject({ kty: "OKP", crv: "Ed25519", use: "sig", alg: "EdDSA" });
    }
  });

  it("describes itself as an RFC 8414 authorization server", async () => {
    const res = await fetch(`${cp.url}/.well-known/oauth-authorization-server`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      issuer: cp.url,
      token_endpoint: `${cp.url}/oauth/token`,
      jwks_uri: `${cp.url}/.well-known/jwks.json`,
      grant_types_supported: ["client_credentials", GRANT_TYPE.tokenExchange],
      token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic", "private_key_jwt"],
      subject_token_types_supported: [TOKEN_TYPE.jwt, TOKEN_TYPE.idToken, TOKEN_TYPE.accessToken],
    });
  });
});

describe("client_credentials", () => {
  it("issues an agent access token for client_secret_basic, verifiable with the JWKS", async () => {
    const res = await tokenRequest(
      { grant_type: "client_credentials" },
      { authorization: basic(secret.clientId, secret.clientSecret) },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    const { payload, protectedHeader } = await verifyWithCpJwks(res.body.access_token);
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", typ: "at+jwt", kid: cp.deps.keys?.().active.kid });
    expect(payload).toMatchObject({ iss: cp.url, aud: GATEWAY_AUDIENCE, sub: agent.id, client_id: secret.clientId });
    expect(payload.act).toBeUndefined();
    expect(payload.sid).toBeUndefined();
    expect((payload.exp as number) - (payload.iat as number)).toBeLessThanOrEqual(900);
    expect(payload.jti).toEqual(expect.any(String));
  });

  it("accepts client_secret_post", async () => {
    const res = await tokenRequest({
      grant_type: "client_credentials",
      client_id: secret.clientId,
      client_secret: secret.clientSecret,
    });
    expect(res.status).toBe(200);
  });

  it("refuses a wrong secret and an unknown client alike, without saying which part was wrong", async () => {
    const wrong = await tokenRequest(
      { grant_type: "client_credentials" },
      { authorization: basic(secret.clientId, `${secret.clientSecret}x`) },
    );
    const unknown = await tokenRequest(
      { grant_type: "client_credentials" },
      { authorization: basic("pc_ci_nobody", secret.clientSecret) },
    );
    const post = await tokenRequest({
      grant_type: "client_credentials",
      client_id: secret.clientId,
      client_secret: "nope",
    });
    for (const r of [wrong, unknown, post]) {
      expect(r.status).toBe(401);
      expect(r.headers.get("cache-control")).toBe("no-store");
      expect(r.headers.get("www-authenticate")).toMatch(/^Basic/);
      expect(r.body).toEqual({ error: "invalid_client", error_description: "client authentication failed" });
    }
    const none = await tokenRequest({ grant_type: "client_credentials" });
    expect(none.status).toBe(401);
    expect(none.body.error).toBe("invalid_client");
  });

  it("refuses a revoked credential and a disabled agent", async () => {
    const other = await createAgent("revocation-agent");
    const cred = await createSecret(other.id);
    await agentToken(cred);
    expect((await api("DELETE", `/api/v1/agents/${other.id}/credentials/${cred.id}`)).status).toBe(204);
    const revoked = await tokenRequest(
      { grant_type: "client_credentials" },
      { authorization: basic(cred.clientId, cred.clientSecret) },
    );
    expect(revoked.status).toBe(401);
    expect(revoked.body.error).toBe("invalid_client");

    const disabledAgent = await createAgent("disabled-agent");
    const cred2 = await createSecret(disabledAgent.id);
    await api("PATCH", `/api/v1/agents/${disabledAgent.id}`, { disabled: true });
    const disabled = await tokenRequest(
      { grant_type: "client_credentials" },
      { authorization: basic(cred2.clientId, cred2.clientSecret) },
    );
    expect(disabled.status).toBe(401);
    expect(disabled.body.error).toBe("invalid_client");
  });

  it("authenticates private_key_jwt once per assertion and refuses its replay", async () => {
    const keyAgent = await createAgent("key-agent");
    const { privateKey, publicKey } = await generateKeyPair("EdDSA", { extractable: true });
    const created = await api("POST", `/api/v1/agents/${keyAgent.id}/credentials`, {
      publicJwk: await exportJWK(publicKey),
    });
    expect(created.status).toBe(201);
    expect(created.body.kind).toBe("private_key_jwt");
    expect(created.body.clientSecret).toBeUndefined();
    const clientId = created.body.clientId as string;
    const assertion = ({ exp = "2m", aud = `${cp.url}/oauth/token` } = {}) =>
      new SignJWT({ jti: randomUUID() })
        .setProtectedHeader({ alg: "EdDSA" })
        .setIssuer(clientId)
        .setSubject(clientId)
        .setAudience(aud)
        .setIssuedAt()
        .setExpirationTime(exp)
        .sign(privateKey);
    const withAssertion = (a: string) =>
      tokenRequest({
        grant_type: "client_credentials",
        client_assertion_type: CLIENT_ASSERTION_TYPE,
        client_assertion: a,
      });

    const one = await assertion();
    const ok = await withAssertion(one);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const { payload } = await verifyWithCpJwks(ok.body.access_token);
    expect(payload).toMatchObject({ sub: keyAgent.id, client_id: clientId });

    const replay = await withAssertion(one);
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe("invalid_client");

    expect((await withAssertion(await assertion({ exp: "1h" }))).status).toBe(401); // longer than 5 minutes
    expect((await withAssertion(await assertion({ aud: "https://elsewhere" }))).status).toBe(401);
    expect((await withAssertion(await assertion({ aud: cp.url }))).status).toBe(200); // the issuer is fine too
    const stranger = await generateKeyPair("EdDSA");
    const forged = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: "EdDSA" })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(cp.url)
      .setIssuedAt()
      .setExpirationTime("2m")
      .sign(stranger.privateKey);
    expect((await withAssertion(forged)).status).toBe(401);
  });

  it("answers malformed requests with RFC 6749 errors", async () => {
    const unsupported = await tokenRequest({ grant_type: "password", username: "a", password: "b" });
    expect(unsupported).toMatchObject({ status: 400, body: { error: "unsupported_grant_type" } });
    expect((await tokenRequest({})).body.error).toBe("invalid_request");
    const json = await fetch(`${cp.url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "client_credentials" }),
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe("invalid_request");
    const repeated = await fetch(`${cp.url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials&grant_type=client_credentials",
    });
    expect(((await repeated.json()) as { error: string }).error).toBe("invalid_request");
    const twoMethods = await tokenRequest(
      { grant_type: "client_credentials", client_id: secret.clientId, client_secret: secret.clientSecret },
      { authorization: basic(secret.clientId, secret.clientSecret) },
    );
    expect(twoMethods.body.error).toBe("invalid_request");
  });
});

describe("token exchange", () => {
  it("opens a session for alice via expense-report-v1 and answers a session token", async () => {
    const subject = await idpA.token("alice@company.com", {
      aud: ["portcullis", "other"],
      email: "alice@company.com",
      // A nested act in the subject token is informational only and must not appear or widen anything.
      act: { sub: "someone-else", act: { sub: "mallory" } },
    });
    const res = await exchange(subject);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body).toMatchObject({
      issued_token_type: TOKEN_TYPE.accessToken,
      token_type: "Bearer",
      expires_in: 900,
    });
    const { payload, protectedHeader } = await verifyWithCpJwks(res.body.access_token);
    expect(protectedHeader.typ).toBe("at+jwt");
    expect(payload).toMatchObject({
      iss: cp.url,
      aud: GATEWAY_AUDIENCE,
      sub: "alice@company.com",
      act: { sub: agent.id, name: "expense-report-v1", trust: "first_party" },
      client_id: secret.clientId,
      op: {
        email: "alice@company.com",
        department: "engineering",
        manager: "bob@company.com",
        cost_center: "eng-team-001",
        groups: ["engineering"],
        delegation_limit: 500,
      },
    });
    expect((payload.act as Record<string, unknown>).act).toBeUndefined();
    expect(payload.sid).toMatch(/^sess_[A-Za-z0-9_-]{22}$/);
    expect((payload.exp as number) - (payload.iat as number)).toBeLessThanOrEqual(900);

    const [row] = await cp.database.db
      .select()
      .from(gatewaySessions)
      .where(eq(gatewaySessions.id, payload.sid as string));
    expect(row).toMatchObject({ operatorSub: "alice@company.com", agentId: agent.id });
    expect(row?.delegation).toEqual({
      chain: [{ agentId: agent.id, agent: "expense-report-v1", trust: "first_party", owner: "finance-platform" }],
      depth: 0,
      origin: "human",
    });
    expect(row?.expiresAt.getTime()).toBe((payload.exp as number) * 1000);

    const read = await api("GET", `/api/v1/sessions/${payload.sid}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      id: payload.sid,
      operatorSub: "alice@company.com",
      agentName: "expense-report-v1",
    });
  });

  it("takes the authenticated client as the actor, and maps claims of a static-JWKS issuer", async () => {
    const subject = await idpB.token("carol-0001", {
      email: "carol@company.com",
      dept: "sales",
      cc: "sales-002",
      roles: ["sales", "emea"],
    });
    const res = await tokenRequest(
      { grant_type: GRANT_TYPE.tokenExchange, subject_token: subject, subject_token_type: TOKEN_TYPE.idToken },
      { authorization: basic(secret.clientId, secret.clientSecret) },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { payload } = await verifyWithCpJwks(res.body.access_token);
    expect(payload).toMatchObject({
      sub: "carol-0001",
      act: { sub: agent.id, name: "expense-report-v1" },
      op: { email: "carol@company.com", department: "sales", cost_center: "sales-002", groups: ["sales", "emea"] },
    });
    expect((payload.op as Record<string, unknown>).manager).toBeUndefined();
  });

  it("refuses an exchange without an actor, or whose actor token belongs to another client", async () => {
    const subject = await idpA.token("alice@company.com", { aud: "portcullis" });
    const noActor = await tokenRequest({
      grant_type: GRANT_TYPE.tokenExchange,
      subject_token: subject,
      subject_token_type: TOKEN_TYPE.jwt,
    });
    expect(noActor).toMatchObject({ status: 400, body: { error: "invalid_request" } });

    const other = await createAgent("other-agent");
    const otherSecret = await createSecret(other.id);
    const mismatch = await tokenRequest(
      {
        grant_type: GRANT_TYPE.tokenExchange,
        subject_token: subject,
        subject_token_type: TOKEN_TYPE.jwt,
        actor_token: await agentToken(),
        actor_token_type: TOKEN_TYPE.accessToken,
      },
      { authorization: basic(otherSecret.clientId, otherSecret.clientSecret) },
    );
    expect(mismatch).toMatchObject({ status: 400, body: { error: "invalid_grant" } });

    // A session token is not an agent credential.
    const session = (await exchange(subject)).body.access_token as string;
    const sessionAsActor = await tokenRequest({
      grant_type: GRANT_TYPE.tokenExchange,
      subject_token: subject,
      subject_token_type: TOKEN_TYPE.jwt,
      actor_token: session,
      actor_token_type: TOKEN_TYPE.accessToken,
    });
    expect(sessionAsActor).toMatchObject({ status: 400, body: { error: "invalid_grant" } });

    const badType = await exchange(subject, { subject_token_type: "urn:ietf:params:oauth:token-type:saml2" });
    expect(badType.body.error).toBe("invalid_request");
    const badAudience = await exchange(subject, { audience: "somewhere-else" });
    expect(badAudience.body.error).toBe("invalid_target");
  });

  it("refuses tokens of unknown or disabled issuers", async () => {
    const stranger = await LocalIssuer.create("https://stranger.example.test");
    expect((await exchange(await stranger.token("alice@company.com"))).body.error).toBe("invalid_grant");
    const extra = await LocalIssuer.create("https://idp-disabled.example.test", "EdDSA");
    const created = await api("POST", "/api/v1/trusted-issuers", {
      name: "idp-disabled",
      issuer: extra.issuer,
      staticJwks: extra.jwks(),
      enabled: false,
    });
    expect(created.status).toBe(201);
    expect((await exchange(await extra.token("alice@company.com"))).body.error).toBe("invalid_grant");
    await api("PATCH", `/api/v1/trusted-issuers/${created.body.id}`, { enabled: true });
    expect((await exchange(await extra.token("alice@company.com"))).status).toBe(200);
  });

  it("J01 refuses alg none in every spelling", async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const alg of ["none", "None", "NONE"]) {
      const token = unsignedToken(alg, { iss: IDP_A, sub: "alice@company.com", aud: "portcullis", exp: now + 600 });
      const res = await exchange(token);
      expect(res.status, alg).toBe(400);
      expect(res.body.error).toBe("invalid_grant");
      // Even with a (meaningless) signature segment.
      expect((await exchange(`${token}c2ln`)).body.error).toBe("invalid_grant");
    }
  });

  it("J02 refuses HS256 tokens signed with the issuer's RSA public key as the secret", async () => {
    const jwk = idpA.signing.publicJwk;
    const pem = createPublicKey({ key: jwk as never, format: "jwk" }).export({ format: "pem", type: "spki" });
    const der = createPublicKey({ key: jwk as never, format: "jwk" }).export({ format: "der", type: "spki" });
    const now = Math.floor(Date.now() / 1000);
    const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    for (const secretMaterial of [pem, der, JSON.stringify(jwk)]) {
      const input = `${part({ alg: "HS256", kid: jwk.kid, typ: "JWT" })}.${part({ iss: IDP_A, sub: "alice@company.com", aud: "portcullis", exp: now + 600 })}`;
      const sig = createHmac("sha256", secretMaterial).update(input).digest("base64url");
      const res = await exchange(`${input}.${sig}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe("invalid_grant");
    }
  });

  it("J04 enforces exp (required), nbf and iat with 60 s of leeway", async () => {
    const now = Math.floor(Date.now() / 1000);
    const aud = "portcullis";
    const expired = await exchange(await idpA.token("alice@company.com", { aud, exp: now - 300, iat: now - 900 }));
    expect(expired.body).toMatchObject({ error: "invalid_grant", error_description: "subject_token has expired" });
    const withinLeeway = await exchange(await idpA.token("alice@company.com", { aud, exp: now - 30, iat: now - 600 }));
    expect(withinLeeway.status).toBe(200);
    const notYet = await exchange(await idpA.token("alice@company.com", { aud, nbf: now + 600 }));
    expect(notYet.body.error).toBe("invalid_grant");
    const noExp = await exchange(await idpA.token("alice@company.com", { aud, exp: null }));
    expect(noExp.body.error).toBe("invalid_grant");
    const future = await exchange(await idpA.token("alice@company.com", { aud, iat: now + 3600 }));
    expect(future.body.error).toBe("invalid_grant");
  });

  it("J05 refuses a token claiming issuer A signed by issuer B's key, and one not meant for our audience", async () => {
    const forged = await idpA.token("alice@company.com", { aud: "portcullis" }, { key: idpB.signing });
    expect((await exchange(forged)).body.error).toBe("invalid_grant");
    const forgedSameKid = await idpA.token(
      "alice@company.com",
      { aud: "portcullis" },
      { key: idpB.signing, kid: "kid1" },
    );
    expect((await exchange(forgedSameKid)).body.error).toBe("invalid_grant");
    const wrongAud = await exchange(await idpA.token("alice@company.com", { aud: ["https://other.example"] }));
    expect(wrongAud.body).toMatchObject({ error: "invalid_grant" });
    const noAud = await exchange(await idpA.token("alice@company.com"));
    expect(noAud.body.error).toBe("invalid_grant");
  });

  it("J07 refuses a 64 KiB token before any crypto, and malformed tokens without a 500", async () => {
    const fetchesBefore = idpA.jwksFetches;
    const huge = await idpA.token("alice@company.com", { aud: "portcullis", padding: "x".repeat(64 * 1024) });
    const res = await exchange(huge);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_request");
    const part = (v: string) => Buffer.from(v).toString("base64url");
    const valid = await idpA.token("alice@company.com", { aud: "portcullis" });
    const [h, p, s] = valid.split(".") as [string, string, string];
    for (const malformed of [
      `${h}.${p}`,
      `${h}.${p}.${s}.${s}`,
      `${h}.${p}.not*base64url`,
      `${part("\xff\xfe{not json")}.${p}.${s}`,
      `${Buffer.from([0xc3, 0x28, 0xff]).toString("base64url")}.${p}.${s}`,
      `${h}.${part("[]")}.${s}`,
      "",
    ]) {
      const r = await exchange(malformed);
      expect([400]).toContain(r.status);
      expect(["invalid_grant", "invalid_request"]).toContain(r.body.error);
    }
    expect(idpA.jwksFetches - fetchesBefore).toBe(0);
    const tooBig = await fetch(`${cp.url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=client_credentials&pad=${"x".repeat(200 * 1024)}`,
    });
    expect(tooBig.status).toBe(400);
    expect(((await tooBig.json()) as { error: string }).error).toBe("invalid_request");
  });

  it("J09 fetches the JWKS exactly once when the issuer starts signing with a new kid", async () => {
    expect((await exchange(await idpA.token("alice@company.com", { aud: "portcullis" }))).status).toBe(200);
    // Wait out the (1 s in this file) cooldown since the last fetch, as a real rotation would.
    await new Promise((r) => setTimeout(r, 1_100));
    await idpA.rotate("kid2");
    const before = idpA.jwksFetches;
    const first = await exchange(await idpA.token("alice@company.com", { aud: "portcullis" }));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(idpA.jwksFetches - before).toBe(1);
    const second = await exchange(await idpA.token("alice@company.com", { aud: "portcullis" }));
    expect(second.status).toBe(200);
    expect(idpA.jwksFetches - before).toBe(1);
  });

  it("J10 bounds JWKS fetches for a flood of unknown kids by the cooldown, and valid tokens keep working", async () => {
    const idpC = await (await LocalIssuer.create("https://idp-c.example.test", "ES256")).serve();
    try {
      expect(
        (await api("POST", "/api/v1/trusted-issuers", { name: "idp-c", issuer: idpC.issuer, jwksUrl: idpC.jwksUrl }))
          .status,
      ).toBe(201);
      const started = Date.now();
      const tokens = await Promise.all(
        Array.from({ length: 100 }, () => idpC.token("alice@company.com", {}, { kid: randomUUID() })),
      );
      const actor = await agentToken();
      const results = await Promise.all(
        tokens.map((t) =>
          tokenRequest({
            grant_type: GRANT_TYPE.tokenExchange,
            subject_token: t,
            subject_token_type: TOKEN_TYPE.jwt,
            actor_token: actor,
            actor_token_type: TOKEN_TYPE.accessToken,
          }),
        ),
      );
      const elapsed = Date.now() - started;
      expect(results.every((r) => r.status === 400 && r.body.error === "invalid_grant")).toBe(true);
      // At most the first load plus one refetch per elapsed cooldown (1 s here; 30 s by default).
      expect(idpC.jwksFetches).toBeLessThanOrEqual(1 + Math.ceil(elapsed / 1000));
      expect((await exchange(await idpC.token("alice@company.com"))).status).toBe(200);
    } finally {
      await idpC.close();
    }
  });

  it("lists sessions by operator and agent", async () => {
    const byAlice = await api("GET", `/api/v1/sessions?operator=${encodeURIComponent("alice@company.com")}&limit=2`);
    expect(byAlice.status).toBe(200);
    expect(byAlice.body.items).toHaveLength(2);
    expect(byAlice.body.items.every((s: { operatorSub: string }) => s.operatorSub === "alice@company.com")).toBe(true);
    expect(byAlice.body.nextCursor).toEqual(expect.any(String));
    const byAgent = await api("GET", `/api/v1/sessions?agent=${agent.id}`);
    expect(byAgent.body.items.length).toBeGreaterThan(2);
  });
});

describe("key rotation", () => {
  it("publishes the new key at once, keeps signing with the old one until activation, then switches", async () => {
    const oldKid = cp.deps.keys?.().active.kid as string;
    const rotated = await api("POST", "/api/v1/keys/rotate", {});
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(201);
    const newKid = rotated.body.kid as string;
    expect(newKid).not.toBe(oldKid);
    expect(new Date(rotated.body.activatesAt).getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(new Date(rotated.body.previousRetiresAt).getTime()).toBeGreaterThan(
      new Date(rotated.body.activatesAt).getTime() + 15 * 60_000,
    );

    const { jwks } = await cpJwks();
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));
    const token = await agentToken();
    expect(decodeProtectedHeader(token).kid).toBe(oldKid);

    const listed = await api("GET", "/api/v1/keys");
    expect(listed.body.items.map((k: { kid: string; status: string }) => [k.kid, k.status])).toEqual([
      [newKid, "pending"],
      [oldKid, "active"],
    ]);
    expect((await api("POST", "/api/v1/keys/rotate", {})).status).toBe(409);

    // Once the activation time has come, the ring signs with the new key and still verifies the old one.
    const later = await loadKeyRing(cp.database.db, cp.deps.secretKey, new Date(Date.now() + 11 * 60_000));
    expect(later.active.kid).toBe(newKid);
    expect(later.trusted.has(oldKid)).toBe(true);
    const afterRetirement = await loadKeyRing(cp.database.db, cp.deps.secretKey, new Date(Date.now() + 60 * 60_000));
    expect(afterRetirement.trusted.has(oldKid)).toBe(false);
  });
});
