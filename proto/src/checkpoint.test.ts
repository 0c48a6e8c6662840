import { compactVerify } from "jose";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "./canonical.ts";
import { buildCheckpoint, CHECKPOINT_JWS_TYPE, verifyCheckpoint } from "./checkpoint.ts";
import { signCompactJws } from "./jws.ts";
import { generateSigningKeyPair, trustedKeys } from "./keys.ts";
import { inclusionProof, merkleRoot, verifyInclusion } from "./merkle.ts";
import { algNoneJws, hs256Jws } from "./test-support.ts";

const cp = generateSigningKeyPair();
const keys = trustedKeys([cp.publicKey]);
const batchHashes = Array.from({ length: 11 }, (_, i) => sha256Hex(`batch ${i}`));
const now = new Date("2026-03-01T00:00:00Z");
const checkpoint = buildCheckpoint({ batchHashes, signingKey: cp.privateKey, kid: cp.kid, now });

describe("checkpoints", () => {
  it("sign the Merkle root over the received batch hashes", async () => {
    expect(checkpoint).toMatchObject({ treeSize: 11, root: merkleRoot(batchHashes), issuedAt: now.getTime() / 1000 });
    expect(verifyCheckpoint(checkpoint.jws, keys, batchHashes)).toEqual({
      ok: true,
      value: { treeSize: 11, root: checkpoint.root, issuedAt: checkpoint.issuedAt, kid: cp.kid },
    });
    const { protectedHeader } = await compactVerify(checkpoint.jws, cp.publicKey, { algorithms: ["EdDSA"] });
    expect(protectedHeader.typ).toBe(CHECKPOINT_JWS_TYPE);
  });

  it("let an auditor check one batch against an exported checkpoint with an inclusion proof", () => {
    const verified = verifyCheckpoint(checkpoint.jws, keys);
    expect(verified.ok).toBe(true);
    if (!verified.ok) return;
    const proof = inclusionProof(batchHashes, 4);
    const { treeSize, root } = verified.value;
    expect(verifyInclusion({ batchHash: batchHashes[4] as string, index: 4, treeSize, proof, root })).toBe(true);
  });

  it("detect a changed, deleted or appended batch (A03, A04)", () => {
    const changed = batchHashes.with(3, sha256Hex("edited"));
    const deleted = batchHashes.toSpliced(5, 1);
    const appended = [...batchHashes, sha256Hex("late")];
    for (const hashes of [changed, deleted, appended]) {
      expect(verifyCheckpoint(checkpoint.jws, keys, hashes)).toMatchObject({ ok: false, code: "root_mismatch" });
    }
  });

  it("reject other keys, alg none, HS256 with the public key and malformed claims", () => {
    const other = generateSigningKeyPair();
    expect(verifyCheckpoint(checkpoint.jws, trustedKeys([other.publicKey]))).toMatchObject({
      ok: false,
      code: "unknown_key",
    });
    expect(verifyCheckpoint(algNoneJws(checkpoint.jws), keys)).toMatchObject({ ok: false, code: "bad_signature" });
    const pem = cp.publicKey.export({ format: "pem", type: "spki" }).toString();
    expect(verifyCheckpoint(hs256Jws(checkpoint.jws, pem), keys)).toMatchObject({ ok: false, code: "bad_signature" });
    const bad = signCompactJws(CHECKPOINT_JWS_TYPE, cp.kid, { v: 1, tree_size: -1, root: "x", iat: 0 }, cp.privateKey);
    expect(verifyCheckpoint(bad, keys)).toMatchObject({ ok: false, code: "malformed" });
  });

  it("cover the empty log", () => {
    const empty = buildCheckpoint({ batchHashes: [], signingKey: cp.privateKey, kid: cp.kid });
    expect(empty.root).toBe(sha256Hex(""));
    expect(verifyCheckpoint(empty.jws, keys, []).ok).toBe(true);
  });
});
