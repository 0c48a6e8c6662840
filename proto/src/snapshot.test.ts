import { compactVerify } from "jose";
import { describe, expect, it } from "vitest";
import { canonicalBytes, sha256Hex } from "./canonical.ts";
import { signCompactJws } from "./jws.ts";
import { exportJwks, generateSigningKeyPair, trustedKeys, trustedKeysFromJwks } from "./keys.ts";
import { SNAPSHOT_JWS_TYPE, type SnapshotMessage, signSnapshot, verifySnapshot } from "./snapshot.ts";
import { algNoneJws, flipByte, hs256Jws, splitJws, withPayload } from "./test-support.ts";

const cp = generateSigningKeyPair();
const rotated = generateSigningKeyPair();
const stranger = generateSigningKeyPair();
const trusted = trustedKeysFromJwks(JSON.stringify(exportJwks([cp.publicKey, rotated.publicKey])));
const resources = {
  tools: [{ id: "t1", name: "send_email", labels: { risk: "high" } }],
  policies: [{ id: "p1", effect: "deny", condition: "session.called('read_secret')" }],
};
const now = new Date("2026-03-01T12:00:00Z");
const signed = signSnapshot({ version: 42, resources, signingKey: cp.privateKey, kid: cp.kid, now });
/** The message as a node receives it over gRPC: uint64 as a decimal string, bytes as a Buffer. */
const wire: SnapshotMessage = { ...signed, version: "42" };

describe("signSnapshot / verifySnapshot", () => {
  it("signs canonical resources and verifies the wire message, returning the parsed resources", () => {
    expect(signed.resourcesJson.equals(canonicalBytes(resources))).toBe(true);
    expect(signed.sha256).toBe(sha256Hex(signed.resourcesJson));
    expect(splitJws(signed.signature)).toMatchObject({
      header: { alg: "EdDSA", kid: cp.kid, typ: SNAPSHOT_JWS_TYPE },
      payload: { version: 42, sha256: signed.sha256, iat: now.getTime() / 1000 },
    });
    expect(verifySnapshot(wire, trusted)).toEqual({
      ok: true,
      value: { version: 42, sha256: signed.sha256, resources, issuedAt: now.getTime() / 1000, kid: cp.kid },
    });
  });

  it("accepts a snapshot signed by any trusted key (rotation), and jose verifies the signature", async () => {
    const next = signSnapshot({ version: 43, resources, signingKey: rotated.privateKey, kid: rotated.kid });
    expect(verifySnapshot(next, trusted)).toMatchObject({ ok: true, value: { version: 43, kid: rotated.kid } });
    const { protectedHeader } = await compactVerify(next.signature, rotated.publicKey, { algorithms: ["EdDSA"] });
    expect(protectedHeader.typ).toBe(SNAPSHOT_JWS_TYPE);
  });

  it("detects a changed byte of the resources", () => {
    const tampered = { ...wire, resourcesJson: flipByte(wire.resourcesJson, 20) };
    expect(verifySnapshot(tampered, trusted)).toMatchObject({ ok: false, code: "hash_mismatch" });
  });

  it("detects resources and hash both swapped for another state", () => {
    const other = canonicalBytes({ tools: [], policies: [] });
    expect(verifySnapshot({ ...wire, resourcesJson: other, sha256: sha256Hex(other) }, trusted)).toMatchObject({
      ok: false,
      code: "hash_mismatch",
    });
  });

  it("detects a message version that differs from the signed one (replay of an old signature as new)", () => {
    expect(verifySnapshot({ ...wire, version: "43" }, trusted)).toMatchObject({ ok: false, code: "version_mismatch" });
  });

  it("detects a payload edited to another version, keeping the signature", () => {
    const { payload } = splitJws(signed.signature);
    const edited = withPayload(signed.signature, JSON.stringify({ ...payload, version: 43 }).replace(/\s/g, ""));
    expect(verifySnapshot({ ...wire, version: "43", signature: edited }, trusted)).toMatchObject({
      ok: false,
      code: "bad_signature",
    });
  });

  it("rejects an unknown key, a different key claiming a trusted kid, alg none and HS256 with the public key", () => {
    const byStranger = signSnapshot({ version: 42, resources, signingKey: stranger.privateKey, kid: stranger.kid });
    expect(verifySnapshot(byStranger, trusted)).toMatchObject({ ok: false, code: "unknown_key" });
    const impostor = signSnapshot({ version: 42, resources, signingKey: stranger.privateKey, kid: cp.kid });
    expect(verifySnapshot(impostor, trusted)).toMatchObject({ ok: false, code: "bad_signature" });
    expect(verifySnapshot({ ...wire, signature: algNoneJws(signed.signature) }, trusted)).toMatchObject({
      ok: false,
      code: "bad_signature",
    });
    const pem = cp.publicKey.export({ format: "pem", type: "spki" }).toString();
    expect(verifySnapshot({ ...wire, signature: hs256Jws(signed.signature, pem) }, trusted)).toMatchObject({
      ok: false,
      code: "bad_signature",
    });
  });

  it("rejects an audit-batch JWS presented as a snapshot signature", () => {
    const { payload } = splitJws(signed.signature);
    const wrongTyp = signCompactJws("portcullis-audit-batch+jws", cp.kid, payload, cp.privateKey);
    expect(verifySnapshot({ ...wire, signature: wrongTyp }, trusted)).toMatchObject({ ok: false, code: "malformed" });
  });

  it("rejects correctly signed but malformed content: extra claims, a bad version, non-canonical resources", () => {
    const sign = (payload: unknown) => signCompactJws(SNAPSHOT_JWS_TYPE, cp.kid, payload, cp.privateKey);
    const claims = { version: 42, sha256: signed.sha256, iat: 1 };
    for (const payload of [
      { ...claims, extra: 1 },
      { ...claims, version: "42" },
      { ...claims, version: 0 },
      [claims],
    ]) {
      expect(verifySnapshot({ ...wire, signature: sign(payload) }, trusted), JSON.stringify(payload)).toMatchObject({
        ok: false,
        code: "malformed",
      });
    }
    const loose = Buffer.from('{ "tools": [] }');
    const looseSig = sign({ version: 42, sha256: sha256Hex(loose), iat: 1 });
    expect(
      verifySnapshot({ version: 42, resourcesJson: loose, sha256: sha256Hex(loose), signature: looseSig }, trusted),
    ).toMatchObject({ ok: false, code: "malformed" });
    expect(verifySnapshot({ ...wire, version: "18446744073709551615" }, trusted)).toMatchObject({
      ok: false,
      code: "malformed",
    });
    expect(verifySnapshot({ ...wire, signature: "garbage" }, trusted)).toMatchObject({ ok: false, code: "malformed" });
  });

  it("verifies with one key object as well as a key set", () => {
    expect(verifySnapshot(wire, cp.publicKey).ok).toBe(true);
    expect(verifySnapshot(wire, trustedKeys([rotated.publicKey]))).toMatchObject({ ok: false, code: "unknown_key" });
  });

  it("refuses to sign an unsafe version or resources with no JSON form", () => {
    const base = { resources, signingKey: cp.privateKey, kid: cp.kid };
    expect(() => signSnapshot({ ...base, version: 0 })).toThrow(RangeError);
    expect(() => signSnapshot({ ...base, version: 2 ** 53 })).toThrow(RangeError);
    expect(() => signSnapshot({ ...base, version: 1, resources: { n: Number.NaN } })).toThrow();
  });
});
