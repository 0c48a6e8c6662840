import { createHmac } from "node:crypto";
import { generateSigningKeyPair, type SigningKeyPair } from "@portcullis/proto";
import { type JWTPayload, SignJWT } from "jose";
import { beforeEach, describe, expect, it } from "vitest";
import { createTokenVerifier, GATEWAY_AUDIENCE, keySetIdOf, type TokenVerifier } from "./verify-token.ts";

const ISSUER = "https://cp.test";
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const nowS = Math.floor(NOW / 1000);

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("verify-token", () => {
  let key: SigningKeyPair;
  let clock: number;
  let verifier: TokenVerifier;

  beforeEach(() => {
    key = generateSigningKeyPair();
    clock = NOW;
    verifier = createTokenVerifier({ issuer: ISSUER, controlPlaneKeys: [key.publicJwk], now: () => clock });
  });

  const sessionClaims = (): JWTPayload => ({
    sub: "alice@company.com",
    act: { sub: "agent-1", name: "expense-report-v1", trust: "first_party" },
    sid: "sess_abc",
    client_id: "client-1",
    op: { email: "alice@company.com", cost_center: "eng-team-001", groups: ["eng", 7], delegation_limit: 500 },
  });

  async function mint(
    claims: JWTPayload = sessionClaims(),
    options: {
      signer?: SigningKeyPair;
      typ?: string;
      iat?: number;
      exp?: number | null;
      aud?: string | string[];
      iss?: string;
    } = {},
  ): Promise<string> {
    const signer = options.signer ?? key;
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: "EdDSA", kid: signer.kid, typ: options.typ ?? "at+jwt" })
      .setIssuer(options.iss ?? ISSUER)
      .setAudience(options.aud ?? GATEWAY_AUDIENCE)
      .setIssuedAt(options.iat ?? nowS)
      .setJti("jti-1");
    if (options.exp !== null) jwt = jwt.setExpirationTime(options.exp ?? nowS + 600);
    return jwt.sign(signer.privateKey);
  }

  const check = (token: string) => verifier.verify(`Bearer ${token}`);

  it("accepts a session token and reads sub, act, sid and op", async () => {
    const result = await check(await mint());
    expect(result).toEqual({
      ok: true,
      token: {
        subject: "alice@company.com",
        clientId: "client-1",
        session: { id: "sess_abc", agentId: "agent-1", agentName: "expense-report-v1", delegators: [] },
        operator: {
          email: "alice@company.com",
          cost_center: "eng-team-001",
          groups: ["eng"],
          delegation_limit: 500,
        },
        issuedAt: nowS,
        expiresAt: nowS + 600,
        jti: "jti-1",
      },
    });
  });

  it("accepts an agent-only token (no session) and an aud list containing the gateway", async () => {
    const result = await check(
      await mint({ sub: "agent-1", client_id: "c" }, { aud: ["https://other", GATEWAY_AUDIENCE] }),
    );
    expect(result).toMatchObject({ ok: true, token: { subject: "agent-1" } });
    expect(result.ok && result.token.session).toBeUndefined();
  });

  it("verifies a token once, then serves it from the cache until shortly before exp", async () => {
    const token = await mint(sessionClaims(), { exp: nowS + 60 });
    for (let i = 0; i < 5; i++) expect((await check(token)).ok).toBe(true);
    expect(verifier.stats).toEqual({ verifications: 1, cacheHits: 4 });
    clock = NOW + 56_000; // inside the 5 s margin: verified again (and still valid)
    expect((await check(token)).ok).toBe(true);
    expect(verifier.stats.verifications).toBe(2);
    clock = NOW + 91_000; // past exp + tolerance
    expect(await check(token)).toMatchObject({ ok: false, code: "invalid_token", message: "the token has expired" });
  });

  it("bounds the cache", async () => {
    const small = createTokenVerifier({
      issuer: ISSUER,
      controlPlaneKeys: [key.publicJwk],
      now: () => clock,
      cacheSize: 2,
    });
    const tokens = await Promise.all([1, 2, 3].map((i) => mint({ ...sessionClaims(), sid: `sess_${i}` })));
    for (const t of tokens) await small.verify(`Bearer ${t}`);
    await small.verify(`Bearer ${tokens[0]}`); // evicted: verified again
    expect(small.stats.verifications).toBe(4);
  });

  it("no Authorization header → unauthenticated; a non-Bearer scheme → invalid_token", async () => {
    expect(await verifier.verify(undefined)).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await verifier.verify("Basic YWxpY2U6c2VjcmV0")).toMatchObject({ ok: false, code: "invalid_token" });
  });

  it("J01: alg none (empty signature) and None/NONE variants → invalid_token", async () => {
    const payload = b64({ ...sessionClaims(), iss: ISSUER, aud: GATEWAY_AUDIENCE, iat: nowS, exp: nowS + 600 });
    for (const alg of ["none", "None", "NONE"]) {
      const header = b64({ alg, typ: "at+jwt", kid: key.kid });
      expect(await check(`${header}.${payload}.`), alg).toMatchObject({ ok: false, code: "invalid_token" });
      expect(await check(`${header}.${payload}.AAAA`), alg).toMatchObject({ ok: false, code: "invalid_token" });
    }
  });

  it("J02: HS256 signed with the public key (PEM text, DER, JWK JSON) → invalid_token", async () => {
    const secrets = [
      Buffer.from(key.publicKey.export({ format: "pem", type: "spki" }) as string),
      key.publicKey.export({ format: "der", type: "spki" }),
      Buffer.from(JSON.stringify(key.publicJwk)),
    ];
    const payload = b64({ ...sessionClaims(), iss: ISSUER, aud: GATEWAY_AUDIENCE, iat: nowS, exp: nowS + 600 });
    for (const secret of secrets) {
      const header = b64({ alg: "HS256", typ: "at+jwt", kid: key.kid });
      const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
      expect(await check(`${header}.${payload}.${signature}`)).toMatchObject({
        ok: false,
        code: "invalid_token",
        message: "the token's alg is not allowed (EdDSA only)",
      });
    }
  });

  it("J04: expiry, leeway, nbf, missing exp, iat in the future", async () => {
    expect(await check(await mint(sessionClaims(), { iat: nowS - 400, exp: nowS - 300 }))).toMatchObject({
      ok: false,
      message: "the token has expired",
    });
    // Expired 20 s ago: inside the 30 s clock tolerance.
    expect((await check(await mint(sessionClaims(), { iat: nowS - 300, exp: nowS - 20 }))).ok).toBe(true);
    expect(await check(await mint({ ...sessionClaims(), nbf: nowS + 600 }))).toMatchObject({
      ok: false,
      message: "the token is not valid yet",
    });
    expect(await check(await mint(sessionClaims(), { exp: null }))).toMatchObject({
      ok: false,
      message: "the token has no exp claim",
    });
    expect(await check(await mint(sessionClaims(), { iat: nowS + 3600, exp: nowS + 3700 }))).toMatchObject({
      ok: false,
      message: "the token was issued in the future",
    });
    expect(await check(await mint(sessionClaims(), { exp: nowS + 3600 }))).toMatchObject({
      ok: false,
      message: "the token lives longer than 15 minutes",
    });
  });

  it("J05: wrong iss, aud naming another resource only, a key the snapshot does not publish → invalid_token", async () => {
    expect(await check(await mint(sessionClaims(), { iss: "https://evil.example" }))).toMatchObject({
      ok: false,
      message: "the token's iss claim is not acceptable",
    });
    expect(await check(await mint(sessionClaims(), { aud: ["https://other"] }))).toMatchObject({
      ok: false,
      message: "the token's aud claim is not acceptable",
    });
    expect(await check(await mint(sessionClaims(), { signer: generateSigningKeyPair() }))).toMatchObject({
      ok: false,
      message: "the token is not signed by a trusted control-plane key",
    });
    expect(await check(await mint(sessionClaims(), { typ: "JWT" }))).toMatchObject({
      ok: false,
      message: "the token's typ is not at+jwt",
    });
  });

  it("J07: oversized and malformed tokens are refused before any crypto", async () => {
    const valid = await mint();
    const [h, p, s] = valid.split(".") as [string, string, string];
    const cases = [
      `${h}.${p}.${s}${"A".repeat(9 * 1024)}`,
      "A".repeat(64 * 1024),
      `${h}.${p}`,
      `${h}.${p}.${s}.${s}`,
      `${h}.${p}.${s}!`,
      `${h}.p+y/l=.${s}`,
    ];
    for (const token of cases) {
      expect(await check(token), token.slice(0, 40)).toMatchObject({ ok: false, code: "invalid_token" });
    }
    expect(verifier.stats.verifications).toBe(0);
    // Non-UTF-8 header bytes reach the parser but never a key: refused as malformed.
    const badHeader = Buffer.from([0xff, 0xfe, 0x7b]).toString("base64url");
    expect(await check(`${badHeader}.${p}.${s}`)).toMatchObject({ ok: false, code: "invalid_token" });
  });

  it("reads a delegated session's nested act chain (origin first) and its parent session", async () => {
    const claims = {
      ...sessionClaims(),
      act: { sub: "agent-3", name: "ocr", act: { sub: "agent-2", act: { sub: "agent-1" } } },
      parent_sid: "sess_parent",
    };
    const result = await check(await mint(claims));
    expect(result).toMatchObject({
      ok: true,
      token: { session: { agentId: "agent-3", delegators: ["agent-1", "agent-2"], parentId: "sess_parent" } },
    });
  });

  it("refuses a nested act chain that is half a delegation, cyclic, malformed or too deep", async () => {
    const refused = async (claims: JWTPayload, message: RegExp) => {
      const result = await check(await mint({ ...sessionClaims(), ...claims }));
      expect(result.ok).toBe(false);
      expect(!result.ok && result.message).toMatch(message);
    };
    await refused({ act: { sub: "agent-2", act: { sub: "agent-1" } } }, /both parent_sid and a nested act/);
    await refused({ parent_sid: "sess_parent" }, /both parent_sid and a nested act/);
    await refused(
      { act: { sub: "agent-1", act: { sub: "agent-2", act: { sub: "agent-1" } } }, parent_sid: "sess_p" },
      /names an agent twice/,
    );
    await refused({ act: { sub: "agent-2", act: "agent-1" }, parent_sid: "sess_p" }, /not an object/);
    await refused({ act: { sub: "agent-2", act: {} }, parent_sid: "sess_p" }, /no acceptable sub/);
    let deep: Record<string, unknown> = { sub: "agent-0" };
    for (let i = 1; i <= 17; i++) deep = { sub: `agent-${i}`, act: deep };
    await refused({ act: deep, parent_sid: "sess_p" }, /too deep/);
  });

  it("refuses half a session (sid without act, act without sub)", async () => {
    const { act: _act, ...noAct } = sessionClaims();
    expect(await check(await mint(noAct))).toMatchObject({
      ok: false,
      message: "a session token carries both sid and act",
    });
    expect(await check(await mint({ ...sessionClaims(), act: { name: "x" } }))).toMatchObject({
      ok: false,
      message: "the token's act claim has no acceptable sub",
    });
  });

  it("J12: reads a certificate binding (cnf.x5t#S256) and refuses a confirmation it cannot check", async () => {
    const x5t = Buffer.alloc(32, 7).toString("base64url");
    const bound = await check(await mint({ ...sessionClaims(), cnf: { "x5t#S256": x5t } }));
    expect(bound).toMatchObject({ ok: true, token: { certificateThumbprint: x5t } });
    const unbound = await check(await mint());
    expect(unbound.ok && "certificateThumbprint" in unbound.token).toBe(false);
    const message = "the token's cnf claim is not acceptable (only x5t#S256 certificate binding is supported)";
    for (const cnf of [{ jkt: x5t }, { "x5t#S256": "short" }, { "x5t#S256": x5t, jkt: x5t }, "x", null, [x5t]]) {
      expect(await check(await mint({ ...sessionClaims(), cnf }))).toEqual({
        ok: false,
        code: "invalid_token",
        message,
      });
    }
  });

  it("skips unusable keys in the snapshot, and identifies the key set by kid", () => {
    const other = generateSigningKeyPair();
    const jwks = [other.publicJwk, { kty: "RSA", n: "x", e: "AQAB" }, key.publicJwk];
    expect(keySetIdOf(jwks)).toBe([other.kid, key.kid].sort().join(","));
    expect(createTokenVerifier({ issuer: ISSUER, controlPlaneKeys: jwks }).keySetId).toBe(keySetIdOf(jwks));
  });
});
