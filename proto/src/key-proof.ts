// Proof of possession for RotateNodeKeyRequest.proof: a JWS made with the NEW private key over {iat, kid,
// node_id, purpose}. Invariant: a proof binds one key to one node and purpose, and is only fresh for minutes.
import type { KeyObject } from "node:crypto";
import type { KeyPurpose__Output } from "./generated/portcullis/v1/KeyPurpose.ts";
import { isRecord, signCompactJws, verifyCompactJws } from "./jws.ts";
import { importPublicJwk, jwkThumbprint, KeyFormatError } from "./keys.ts";
import { fail, ok, type Result } from "./result.ts";
import { isSafeUint } from "./uint.ts";

/** The JWS `typ` of key possession proofs. */
export const KEY_PROOF_JWS_TYPE = "portcullis-key-proof+jws";

/** A KeyPurpose enum value other than UNSPECIFIED, by name (as the loader yields enums). */
export type KeyPurposeName = Exclude<KeyPurpose__Output, "KEY_PURPOSE_UNSPECIFIED">;

export type KeyProofErrorCode = "malformed" | "bad_signature" | "unknown_key" | "node_mismatch" | "stale";

/** Signs a possession proof with the new private key. */
export function signKeyProof(input: {
  nodeId: string;
  purpose: KeyPurposeName;
  privateKey: KeyObject;
  now?: Date;
}): string {
  const kid = jwkThumbprint(input.privateKey);
  const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
  return signCompactJws(
    KEY_PROOF_JWS_TYPE,
    kid,
    { iat, kid, node_id: input.nodeId, purpose: input.purpose },
    input.privateKey,
  );
}

/**
 * Verifies that `proof` was made with the private half of `newPublicJwk` for this node and purpose, within
 * `maxAgeSeconds` (default 300; 60 s of clock skew into the future is tolerated). Returns the imported key.
 */
export function verifyKeyProof(
  proof: string,
  newPublicJwk: unknown,
  expect: { nodeId: string; purpose: KeyPurposeName; now?: Date; maxAgeSeconds?: number },
): Result<{ kid: string; publicKey: KeyObject }, KeyProofErrorCode> {
  let key: { kid: string; publicKey: KeyObject };
  try {
    key = importPublicJwk(newPublicJwk);
  } catch (error) {
    return fail("malformed", error instanceof KeyFormatError ? error.message : "not a public JWK");
  }
  const verified = verifyCompactJws(proof, KEY_PROOF_JWS_TYPE, new Map([[key.kid, key.publicKey]]));
  if (!verified.ok) {
    return verified;
  }
  const claims = verified.value.payload;
  if (
    !isRecord(claims) ||
    Object.keys(claims).length !== 4 ||
    claims.kid !== key.kid ||
    typeof claims.node_id !== "string" ||
    typeof claims.purpose !== "string" ||
    !isSafeUint(claims.iat)
  ) {
    return fail("malformed", "signed payload is not {iat, kid, node_id, purpose} for this key");
  }
  if (claims.node_id !== expect.nodeId || claims.purpose !== expect.purpose) {
    return fail("node_mismatch", "the proof is for another node or key purpose");
  }
  const now = Math.floor((expect.now ?? new Date()).getTime() / 1000);
  if (claims.iat < now - (expect.maxAgeSeconds ?? 300) || claims.iat > now + 60) {
    return fail("stale", "the proof is too old or from the future");
  }
  return ok(key);
}
