// Key resolution per trusted issuer, in-process with jose's default cooldown (30 s): J09 and J10 measured
// exactly on a local JWKS server, and the guarded fetch refusing what it must.
import { randomUUID } from "node:crypto";
import { jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalIssuer } from "../../test/local-issuer.ts";
import { createIssuerKeys, type TrustedIssuerRow } from "./issuer-keys.ts";

let idp: LocalIssuer;
beforeAll(async () => {
  idp = await (await LocalIssuer.create("https://idp.example.test", "RS256")).serve();
});
afterAll(() => idp.close());

function row(overrides: Partial<TrustedIssuerRow> = {}): TrustedIssuerRow {
  const now = new Date();
  return {
    id: randomUUID(),
    name: "idp",
    issuer: idp.issuer,
    jwksUrl: idp.jwksUrl,
    staticJwks: null,
    audience: null,
    claimMapping: {},
    revokedKids: [],
    enabled: true,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

const verify = (resolve: ReturnType<ReturnType<typeof createIssuerKeys>["resolverFor"]>, token: string) =>
  jwtVerify(token, resolve, { algorithms: ["RS256"] }).then(
    () => "ok",
    () => "refused",
  );

describe("issuer keys", () => {
  it("J10 1,000 tokens with unknown kids cause no fetch beyond the first within the cooldown", async () => {
    const resolve = createIssuerKeys({ cooldownMs: 30_000, production: false }).resolverFor(row());
    const before = idp.jwksFetches;
    expect(await verify(resolve, await idp.token("alice"))).toBe("ok");
    const forged = await Promise.all(Array.from({ length: 1000 }, () => idp.token("alice", {}, { kid: randomUUID() })));
    const results = await Promise.all(forged.map((t) => verify(resolve, t)));
    expect(results.every((r) => r === "refused")).toBe(true);
    expect(idp.jwksFetches - before).toBe(1);
    expect(await verify(resolve, await idp.token("alice"))).toBe("ok");
  });

  it("J09 a new kid triggers exactly one refetch once the cooldown has passed, then none", async () => {
    const resolve = createIssuerKeys({ cooldownMs: 0, production: false }).resolverFor(row());
    const before = idp.jwksFetches;
    expect(await verify(resolve, await idp.token("alice"))).toBe("ok");
    expect(idp.jwksFetches - before).toBe(1);
    await idp.rotate(`kid-${randomUUID()}`);
    expect(await verify(resolve, await idp.token("alice"))).toBe("ok");
    expect(idp.jwksFetches - before).toBe(2);
    for (let i = 0; i < 5; i++) expect(await verify(resolve, await idp.token("alice"))).toBe("ok");
    expect(idp.jwksFetches - before).toBe(2);
  });

  it("verifies with a static JWK Set without any fetch, and rebuilds the resolver when the row changes", async () => {
    const keys = createIssuerKeys({ cooldownMs: 30_000, production: false });
    const staticRow = row({ jwksUrl: null, staticJwks: idp.jwks() as { keys: Record<string, unknown>[] } });
    const before = idp.jwksFetches;
    expect(await verify(keys.resolverFor(staticRow), await idp.token("alice"))).toBe("ok");
    expect(idp.jwksFetches).toBe(before);
    expect(keys.resolverFor(staticRow)).toBe(keys.resolverFor(staticRow));
    const changed = { ...staticRow, staticJwks: { keys: [] } };
    expect(keys.resolverFor(changed)).not.toBe(keys.resolverFor(staticRow));
  });

  it("never fetches from a metadata address, even when the row says so", async () => {
    const resolve = createIssuerKeys({ cooldownMs: 30_000, production: false, fetchTimeoutMs: 1_000 }).resolverFor(
      row({ jwksUrl: "http://169.254.169.254/latest/meta-data/jwks" }),
    );
    await expect(jwtVerify(await idp.token("alice"), resolve)).rejects.toThrow(/refused/);
  });

  it("refuses loopback JWKS hosts in production", async () => {
    const url = idp.jwksUrl.replace("127.0.0.1", "localhost");
    const before = idp.jwksFetches;
    const production = createIssuerKeys({ cooldownMs: 30_000, production: true, fetchTimeoutMs: 1_000 });
    await expect(jwtVerify(await idp.token("alice"), production.resolverFor(row({ jwksUrl: url })))).rejects.toThrow();
    expect(idp.jwksFetches).toBe(before);
  });
});
