// SECURITY-TESTS J11 at the token endpoint: how long a trusted issuer's keys are believed. (a) A key the issuer
// removed stops verifying once the cached JWK Set is older than PORTCULLIS_JWKS_CACHE_MAX_AGE_SECONDS (2 s here,
// 10 minutes by default). (b) While the issuer's JWKS endpoint fails or hangs, cached keys keep working up to that
// age, then the exchange fails closed with 503 temporarily_unavailable, never accepting an unverified token.
// (c) An administrator revokes a key id for an issuer: refused at the next exchange, whatever the issuer publishes.
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../test/harness.ts";
import { LocalIssuer } from "../../test/local-issuer.ts";
import { parseConfig } from "../config.ts";
import { type RunningControlPlane, startControlPlane } from "../main.ts";
import { createApiToken } from "../services/api-tokens.ts";
import { GRANT_TYPE, TOKEN_TYPE } from "./settings.ts";

const MAX_AGE_SECONDS = 2;
const pastMaxAge = () => new Promise((resolve) => setTimeout(resolve, MAX_AGE_SECONDS * 1000 + 300));

let cp: RunningControlPlane;
let close: () => Promise<void>;
let admin = "";
let credential: { clientId: string; clientSecret: string };

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${cp.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** The token exchange with this subject token; status and OAuth error code. */
async function exchange(subjectToken: string): Promise<{ status: number; error?: string }> {
  const res = await fetch(`${cp.url}/oauth/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: GRANT_TYPE.tokenExchange,
      subject_token: subjectToken,
      subject_token_type: TOKEN_TYPE.jwt,
      client_id: credential.clientId,
      client_secret: credential.clientSecret,
    }),
  });
  const body = (await res.json()) as { error?: string };
  return { status: res.status, ...(body.error ? { error: body.error } : {}) };
}

async function trustedIdp(name: string): Promise<LocalIssuer & { id: string }> {
  const idp = await (await LocalIssuer.create(`https://${name}.example.test`, "ES256", "kid1")).serve();
  const created = await api("POST", "/api/v1/trusted-issuers", { name, issuer: idp.issuer, jwksUrl: idp.jwksUrl });
  return Object.assign(idp, { id: String(created.id) });
}

beforeAll(async () => {
  const database = await openTestDatabase();
  cp = await startControlPlane(
    parseConfig({
      PORTCULLIS_CP_HTTP: "127.0.0.1:0",
      PORTCULLIS_CP_GRPC: "127.0.0.1:0",
      PORTCULLIS_SECRET_KEY: Buffer.alloc(32, 11).toString("base64"),
      PORTCULLIS_ADMIN_PASSWORD: "jwks-cache-test-password",
      PORTCULLIS_JWKS_CACHE_MAX_AGE_SECONDS: String(MAX_AGE_SECONDS),
      PORTCULLIS_JWKS_COOLDOWN_SECONDS: "0",
    }),
    { database, logger: pino({ level: "silent" }) },
  );
  close = async () => {
    await cp.close();
    await database.close();
  };
  const ctx = {
    ...cp.deps,
    actor: { type: "system" as const, id: "t", name: "t", role: "admin" as const },
    requestId: "t",
  };
  admin = (await createApiToken({ ctx, input: { name: "j11", role: "admin" } })).token;
  const agent = await api("POST", "/api/v1/agents", { name: "j11-agent", owner: "security", trust: "first_party" });
  credential = (await api("POST", `/api/v1/agents/${agent.id}/credentials`, {})) as typeof credential;
});
afterAll(async () => {
  await close?.();
});

describe("J11: trusted issuers' keys over time", () => {
  it("J11 (a): a key the issuer removed is refused once the cached JWK Set is older than its max age", async () => {
    const idp = await trustedIdp("idp-removes");
    try {
      const oldKey = idp.signing;
      expect(await exchange(await idp.token("alice@company.com"))).toEqual({ status: 200 });
      // The issuer rotates and withdraws kid1 (compromised).
      await idp.rotate("kid2");
      idp.unpublish("kid1");
      // Within the max age the cached set still verifies kid1 (documented window), and kid2 is fetched on demand.
      expect(await exchange(await idp.token("alice@company.com", {}, { key: oldKey }))).toEqual({ status: 200 });
      expect(await exchange(await idp.token("alice@company.com"))).toEqual({ status: 200 });
      await pastMaxAge();
      expect(await exchange(await idp.token("alice@company.com", {}, { key: oldKey }))).toEqual({
        status: 400,
        error: "invalid_grant",
      });
      expect(await exchange(await idp.token("alice@company.com"))).toEqual({ status: 200 });
    } finally {
      await idp.close();
    }
  });

  it("J11 (b): while the JWKS endpoint fails, cached keys serve up to the max age, then the exchange fails closed", async () => {
    const idp = await trustedIdp("idp-outage");
    try {
      expect(await exchange(await idp.token("alice@company.com"))).toEqual({ status: 200 });
      idp.outage = "error";
      expect(await exchange(await idp.token("alice@company.com"))).toEqual({ status: 200 });
      await pastMaxAge();
      expect(await exchange(await idp.token("alice@company.com"))).toEqual({
        status: 503,
        error: "temporarily_unavailable",
      });
      // A hanging endpoint: the fetch times out (5 s), and the answer is the same.
      idp.outage = "hang";
      expect(await exchange(await idp.token("alice@company.com"))).toEqual({
        status: 503,
        error: "temporarily_unavailable",
      });
      // Back up: keys are fetched again and the exchange works.
      idp.outage = undefined;
      expect(await exchange(await idp.token("alice@company.com"))).toEqual({ status: 200 });
    } finally {
      await idp.close();
    }
  });

  it("J11 (c): an administrator's revocation of a kid refuses its tokens at once, with the issuer still publishing it", async () => {
    const idp = await trustedIdp("idp-revoked");
    try {
      const kid1 = idp.signing;
      expect(await exchange(await idp.token("alice@company.com"))).toEqual({ status: 200 });
      await idp.rotate("kid2");
      const revoked = await api("PATCH", `/api/v1/trusted-issuers/${idp.id}`, { revokedKids: ["kid1", "kid1"] });
      expect(revoked.revokedKids).toEqual(["kid1"]);
      // No waiting: the cached set was fresh and the issuer still publishes kid1.
      expect(idp.jwks().keys.map((k) => k.kid)).toContain("kid1");
      expect(await exchange(await idp.token("alice@company.com", {}, { key: kid1 }))).toEqual({
        status: 400,
        error: "invalid_grant",
      });
      // A token naming no kid cannot reach the revoked key either.
      expect(
        await exchange(await idp.token("alice@company.com", {}, { key: kid1, header: { kid: undefined } })),
      ).toEqual({
        status: 400,
        error: "invalid_grant",
      });
      expect(await exchange(await idp.token("alice@company.com"))).toEqual({ status: 200 });
      // Lifting the revocation restores the key.
      await api("PATCH", `/api/v1/trusted-issuers/${idp.id}`, { revokedKids: [] });
      expect(await exchange(await idp.token("alice@company.com", {}, { key: kid1 }))).toEqual({ status: 200 });
    } finally {
      await idp.close();
    }
  });

  it("J11 (c): revocation applies to a static JWK Set too, and the API refuses a malformed list", async () => {
    const idp = await LocalIssuer.create("https://idp-static.example.test", "EdDSA", "s1");
    const created = await api("POST", "/api/v1/trusted-issuers", {
      name: "idp-static",
      issuer: idp.issuer,
      staticJwks: idp.jwks(),
    });
    expect(await exchange(await idp.token("alice@company.com"))).toEqual({ status: 200 });
    await api("PATCH", `/api/v1/trusted-issuers/${created.id}`, { revokedKids: ["s1"] });
    expect(await exchange(await idp.token("alice@company.com"))).toEqual({ status: 400, error: "invalid_grant" });
    const bad = await fetch(`${cp.url}/api/v1/trusted-issuers/${created.id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify({ revokedKids: "s1" }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { fields: { field: string }[] } }).error.fields[0]?.field).toBe(
      "body.revokedKids",
    );
  });
});
