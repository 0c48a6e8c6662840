// Public verification keys given to us by people: trusted issuers' static JWK Sets and agents' private_key_jwt
// keys. Only asymmetric signature keys of the accepted algorithms pass; a JWK carrying private or symmetric
// material (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`) is refused outright, never silently stripped.
import { importJWK, type JWK } from "jose";
import { ACCEPTED_ALGORITHMS } from "./settings.ts";

export type AcceptedAlgorithm = (typeof ACCEPTED_ALGORITHMS)[number];

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/** The one algorithm a key of this type may verify (RS256 for RSA, ES256 for P-256, EdDSA for Ed25519). */
export function algorithmForJwk(jwk: Record<string, unknown>): AcceptedAlgorithm | undefined {
  if (jwk.kty === "RSA") return "RS256";
  if (jwk.kty === "EC" && jwk.crv === "P-256") return "ES256";
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519") return "EdDSA";
  return undefined;
}

/** Why this value is not an acceptable public verification JWK, or undefined when it is. */
export async function publicJwkProblem(value: unknown): Promise<string | undefined> {
  if (!value || typeof value !== "object" || Array.isArray(value)) return "expected a JWK object";
  const jwk = value as Record<string, unknown>;
  const privateMember = PRIVATE_MEMBERS.find((m) => m in jwk);
  if (privateMember) return `contains private or symmetric key material ("${privateMember}"); publish public keys only`;
  const alg = algorithmForJwk(jwk);
  if (!alg) return "expected an RSA, EC P-256 or Ed25519 (OKP) public key";
  if (jwk.alg !== undefined && jwk.alg !== alg && !(alg === "EdDSA" && jwk.alg === "Ed25519")) {
    return `alg must be ${alg} for this key (accepted: ${ACCEPTED_ALGORITHMS.join(", ")})`;
  }
  if (jwk.use !== undefined && jwk.use !== "sig") return 'use must be "sig"';
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes("verify"))) {
    return 'key_ops must include "verify"';
  }
  if (jwk.kid !== undefined && (typeof jwk.kid !== "string" || jwk.kid.length === 0 || jwk.kid.length > 200)) {
    return "kid must be a non-empty string of at most 200 characters";
  }
  if (alg === "RS256") {
    const bits = typeof jwk.n === "string" ? Buffer.from(jwk.n, "base64url").length * 8 : 0;
    if (bits < 2048) return "RSA keys must have a modulus of at least 2048 bits";
  }
  try {
    await importJWK(jwk as JWK, alg);
  } catch {
    return "is not a valid public key";
  }
  return undefined;
}
