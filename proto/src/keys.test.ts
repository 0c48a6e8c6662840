import { generateKeyPairSync } from "node:crypto";
import { calculateJwkThumbprint, importJWK } from "jose";
import { describe, expect, it } from "vitest";
import {
  exportJwks,
  exportPrivateKeyPem,
  exportPublicJwk,
  generateSigningKeyPair,
  importPrivateKeyPem,
  importPublicJwk,
  jwkThumbprint,
  KeyFormatError,
  trustedKeys,
  trustedKeysFromJwks,
} from "./keys.ts";

describe("Ed25519 keys", () => {
  it("uses the RFC 7638 thumbprint as kid, as jose computes it", async () => {
    const pair = generateSigningKeyPair();
    expect(pair.kid).toBe(await calculateJwkThumbprint(pair.publicJwk, "sha256"));
    expect(jwkThumbprint(pair.privateKey)).toBe(pair.kid);
    expect(pair.publicJwk).toEqual({
      kty: "OKP",
      crv: "Ed25519",
      x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      kid: pair.kid,
      alg: "EdDSA",
      use: "sig",
    });
    await expect(importJWK(pair.publicJwk, "EdDSA")).resolves.toBeDefined();
  });

  it("matches the RFC 8037 Appendix A.3 thumbprint example", () => {
    const { kid } = importPublicJwk({ kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" });
    expect(kid).toBe("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
  });

  it("round-trips a public JWK through its JSON text (as sent in EnrollRequest)", () => {
    const pair = generateSigningKeyPair();
    const imported = importPublicJwk(JSON.stringify(pair.publicJwk));
    expect(imported.kid).toBe(pair.kid);
    expect(imported.publicKey.equals(pair.publicKey)).toBe(true);
  });

  it("refuses private material, other key types, a foreign kid and bad encodings", () => {
    const pair = generateSigningKeyPair();
    const privateJwk = pair.privateKey.export({ format: "jwk" });
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "jwk" });
    const x25519 = generateKeyPairSync("x25519").publicKey.export({ format: "jwk" });
    const bad: unknown[] = [
      privateJwk,
      rsa,
      x25519,
      { ...pair.publicJwk, kid: "someone-else" },
      { ...pair.publicJwk, alg: "HS256" },
      { ...pair.publicJwk, use: "enc" },
      { ...pair.publicJwk, key_ops: ["sign"] },
      { ...pair.publicJwk, x: `${pair.publicJwk.x}A` },
      { ...pair.publicJwk, x: pair.publicJwk.x.slice(0, 42) },
      { ...pair.publicJwk, x: `${pair.publicJwk.x.slice(0, 42)}=` },
      { kty: "OKP", crv: "Ed25519" },
      "{not json",
      null,
      [],
    ];
    for (const jwk of bad) {
      expect(() => importPublicJwk(jwk), JSON.stringify(jwk)).toThrow(KeyFormatError);
    }
  });

  it("persists a private key as PKCS#8 PEM and reads it back", () => {
    const pair = generateSigningKeyPair();
    const pem = exportPrivateKeyPem(pair.privateKey);
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const restored = importPrivateKeyPem(pem);
    expect(restored.kid).toBe(pair.kid);
    expect(restored.publicKey.equals(pair.publicKey)).toBe(true);
    expect(() => exportPrivateKeyPem(pair.publicKey)).toThrow(KeyFormatError);
    const rsaPem = generateKeyPairSync("rsa", { modulusLength: 1024 })
      .privateKey.export({ format: "pem", type: "pkcs8" })
      .toString();
    expect(() => importPrivateKeyPem(rsaPem)).toThrow(KeyFormatError);
    expect(() => importPrivateKeyPem("not a pem")).toThrow(KeyFormatError);
  });

  it("builds trusted key sets from a JWK Set and from key objects", () => {
    const a = generateSigningKeyPair();
    const b = generateSigningKeyPair();
    const fromJwks = trustedKeysFromJwks(JSON.stringify(exportJwks([a.publicKey, b.privateKey])));
    expect([...fromJwks.keys()].sort()).toEqual([a.kid, b.kid].sort());
    expect(fromJwks.get(b.kid)?.type).toBe("public");
    const fromObjects = trustedKeys([a.privateKey, b.publicKey]);
    expect(fromObjects.get(a.kid)?.equals(a.publicKey)).toBe(true);
    expect(fromObjects.get(a.kid)?.type).toBe("public");
    expect(() =>
      trustedKeysFromJwks({ keys: [exportPublicJwk(a.publicKey), a.privateKey.export({ format: "jwk" })] }),
    ).toThrow(KeyFormatError);
    expect(() => trustedKeysFromJwks("[]")).toThrow(KeyFormatError);
  });
});
