import { CompactSign, compactVerify } from "jose";
import { describe, expect, it } from "vitest";
import { canonicalBytes } from "./canonical.ts";
import { decodeBase64urlStrict, signCompactJws, verifyCompactJws } from "./jws.ts";
import { generateSigningKeyPair, trustedKeys } from "./keys.ts";
import { algNoneJws, forgeJws, hs256Jws, splitJws, withPayload } from "./test-support.ts";

const key = generateSigningKeyPair();
const other = generateSigningKeyPair();
const TYP = "portcullis-test+jws";
const good = signCompactJws(TYP, key.kid, { b: 2, a: [1, "x"] }, key.privateKey);

describe("compact JWS (node:crypto EdDSA)", () => {
  it("is byte-identical to what jose signs, and jose verifies it", async () => {
    const payload = { b: 2, a: [1, "x"] };
    const fromJose = await new CompactSign(canonicalBytes(payload))
      .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: TYP })
      .sign(key.privateKey);
    expect(good).toBe(fromJose);
    const { protectedHeader, payload: bytes } = await compactVerify(good, key.publicKey, { algorithms: ["EdDSA"] });
    expect(protectedHeader).toEqual({ alg: "EdDSA", kid: key.kid, typ: TYP });
    expect(JSON.parse(Buffer.from(bytes).toString("utf8"))).toEqual(payload);
  });

  it("verifies with a single key or by kid", () => {
    expect(verifyCompactJws(good, TYP, key.publicKey)).toMatchObject({
      ok: true,
      value: { payload: { a: [1, "x"], b: 2 } },
    });
    expect(verifyCompactJws(good, TYP, trustedKeys([key.publicKey, other.publicKey])).ok).toBe(true);
  });

  it("rejects alg none (any spelling) and HS256 keyed with the public key, before any key lookup", () => {
    for (const alg of ["none", "None", "NONE", "ES256", "Ed25519", "RS256"]) {
      expect(verifyCompactJws(algNoneJws(good, alg), TYP, key.publicKey)).toMatchObject({
        ok: false,
        code: "bad_signature",
      });
    }
    const secrets = [
      key.publicKey.export({ format: "pem", type: "spki" }).toString(),
      key.publicKey.export({ format: "der", type: "spki" }),
      JSON.stringify(key.publicJwk),
      Buffer.from(key.publicJwk.x, "base64url"),
    ];
    for (const secret of secrets) {
      expect(verifyCompactJws(hs256Jws(good, secret), TYP, key.publicKey)).toMatchObject({
        ok: false,
        code: "bad_signature",
      });
    }
  });

  it("rejects a signature by another key, whether it claims our kid or its own", () => {
    const impostor = signCompactJws(TYP, key.kid, { b: 2, a: [1, "x"] }, other.privateKey);
    expect(verifyCompactJws(impostor, TYP, trustedKeys([key.publicKey]))).toMatchObject({
      ok: false,
      code: "bad_signature",
    });
    const own = signCompactJws(TYP, other.kid, {}, other.privateKey);
    expect(verifyCompactJws(own, TYP, trustedKeys([key.publicKey]))).toMatchObject({ ok: false, code: "unknown_key" });
  });

  it("rejects a changed payload, a flipped signature bit and a non-canonical signature encoding", () => {
    expect(verifyCompactJws(withPayload(good, '{"a":[1,"y"],"b":2}'), TYP, key.publicKey)).toMatchObject({
      ok: false,
      code: "bad_signature",
    });
    const [h, p, s = ""] = good.split(".");
    const sig = Buffer.from(s, "base64url");
    sig[10] = (sig[10] as number) ^ 0x80;
    expect(verifyCompactJws(`${h}.${p}.${sig.toString("base64url")}`, TYP, key.publicKey)).toMatchObject({
      ok: false,
      code: "bad_signature",
    });
    // 64 bytes encode to 86 characters with 4 unused bits: setting one gives a second spelling of the same bytes.
    const last = s.at(-1) as string;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const respelled = `${s.slice(0, -1)}${alphabet[alphabet.indexOf(last) | 1]}`;
    expect(Buffer.from(respelled, "base64url").equals(Buffer.from(s, "base64url"))).toBe(true);
    expect(verifyCompactJws(`${h}.${p}.${respelled}`, TYP, key.publicKey)).toMatchObject({
      ok: false,
      code: "bad_signature",
    });
  });

  it("rejects the malleable S + L form of a valid signature, so a batch's JWS (and its hash) is unique", () => {
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    const [h, p, s = ""] = good.split(".");
    const sig = Buffer.from(s, "base64url");
    const scalar = BigInt(`0x${Buffer.from(sig.subarray(32)).reverse().toString("hex")}`) + L;
    // S < L < 2^253, so S + L still fits the 32 bytes: a second encoding of the same signature equation.
    const malleated = Buffer.concat([
      sig.subarray(0, 32),
      Buffer.from(scalar.toString(16).padStart(64, "0"), "hex").reverse(),
    ]);
    expect(verifyCompactJws(`${h}.${p}.${malleated.toString("base64url")}`, TYP, key.publicKey)).toMatchObject({
      ok: false,
      code: "bad_signature",
    });
  });

  it("rejects other typs, extra header members and non-canonical header or payload", () => {
    expect(verifyCompactJws(good, "portcullis-other+jws", key.publicKey)).toMatchObject({
      ok: false,
      code: "malformed",
    });
    const { signature } = splitJws(good);
    const header = `{"alg":"EdDSA","kid":"${key.kid}","typ":"${TYP}"}`;
    const cases = [
      forgeJws(`{"alg":"EdDSA","jku":"https://evil","kid":"${key.kid}","typ":"${TYP}"}`, "{}", signature),
      forgeJws(`{"alg":"EdDSA","crit":["b64"],"kid":"${key.kid}","typ":"${TYP}"}`, "{}", signature),
      forgeJws(`{"typ":"${TYP}","alg":"EdDSA","kid":"${key.kid}"}`, "{}", signature),
      forgeJws(`{"alg":"EdDSA","kid":"${key.kid}","typ":"${TYP}","typ":"x"}`, "{}", signature),
      "a.b",
      "a.b.c.d",
      "",
      `${"x".repeat(70_000)}.a.b`,
    ];
    for (const jws of cases) {
      expect(verifyCompactJws(jws, TYP, key.publicKey), jws.slice(0, 80)).toMatchObject({
        ok: false,
        code: "malformed",
      });
    }
    expect(verifyCompactJws(42, TYP, key.publicKey)).toMatchObject({ ok: false, code: "malformed" });
    expect(JSON.parse(Buffer.from(good.split(".")[0] as string, "base64url").toString())).toEqual(JSON.parse(header));
  });

  it("rejects correctly signed payloads that are not canonical JSON (duplicate keys, key order, spacing)", async () => {
    for (const text of ['{"a":1,"a":2}', '{"b":1,"a":2}', '{"a": 1}']) {
      const jws = await new CompactSign(Buffer.from(text))
        .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: TYP })
        .sign(key.privateKey);
      expect(verifyCompactJws(jws, TYP, key.publicKey), text).toMatchObject({ ok: false, code: "malformed" });
    }
  });

  it("decodes only canonical base64url", () => {
    expect(decodeBase64urlStrict("AQID").equals(Buffer.from([1, 2, 3]))).toBe(true);
    for (const bad of ["AQID=", "AQ+D", "AQ/D", "A", "AR", "AQ I"]) {
      expect(() => decodeBase64urlStrict(bad), bad).toThrow();
    }
  });
});
