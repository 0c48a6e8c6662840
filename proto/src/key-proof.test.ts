import { describe, expect, it } from "vitest";
import { signKeyProof, verifyKeyProof } from "./key-proof.ts";
import { generateSigningKeyPair } from "./keys.ts";

const next = generateSigningKeyPair();
const now = new Date("2026-03-01T00:00:00Z");
const proof = signKeyProof({ nodeId: "node-1", purpose: "KEY_PURPOSE_SIGNING", privateKey: next.privateKey, now });
const jwk = JSON.stringify(next.publicJwk);
const expect1 = { nodeId: "node-1", purpose: "KEY_PURPOSE_SIGNING", now } as const;

describe("key possession proofs (RotateNodeKey)", () => {
  it("prove possession of the new key for one node and purpose", () => {
    const result = verifyKeyProof(proof, jwk, expect1);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.kid).toBe(next.kid);
  });

  it("do not transfer to another node, purpose or key", () => {
    expect(verifyKeyProof(proof, jwk, { ...expect1, nodeId: "node-2" })).toMatchObject({
      ok: false,
      code: "node_mismatch",
    });
    expect(verifyKeyProof(proof, jwk, { ...expect1, purpose: "KEY_PURPOSE_ASSERTION" })).toMatchObject({
      ok: false,
      code: "node_mismatch",
    });
    const someoneElses = JSON.stringify(generateSigningKeyPair().publicJwk);
    expect(verifyKeyProof(proof, someoneElses, expect1)).toMatchObject({ ok: false, code: "unknown_key" });
  });

  it("expire, and refuse private JWKs", () => {
    const later = new Date(now.getTime() + 301_000);
    expect(verifyKeyProof(proof, jwk, { ...expect1, now: later })).toMatchObject({ ok: false, code: "stale" });
    const privateJwk = next.privateKey.export({ format: "jwk" });
    expect(verifyKeyProof(proof, privateJwk, expect1)).toMatchObject({ ok: false, code: "malformed" });
  });
});
