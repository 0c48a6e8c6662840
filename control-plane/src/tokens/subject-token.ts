// Verifies the operator's token (the RFC 8693 subject token) against the trusted issuer it names. Order matters:
// size and shape first (no crypto on junk), then an explicit algorithm allow-list (never `none`, never HMAC, so
// a public key can never be used as an HMAC secret), then the issuer row chosen by the exact `iss`, whose keys
// alone may verify the signature, then `aud`, `exp` (required), `nbf` and `iat` with 60 s of leeway.
// Nested `act` claims in the subject token are informational (RFC 8693 §4.1) and are dropped here.
import { and, eq } from "drizzle-orm";
import { decodeJwt, decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from "jose";
import type { Db } from "../db/client.ts";
import { trustedIssuers } from "../db/schema.ts";
import type { IssuerKeys, TrustedIssuerRow } from "./issuer-keys.ts";
import { OAuthError } from "./oauth-error.ts";
import { ACCEPTED_ALGORITHMS, CLOCK_LEEWAY_SECONDS, MAX_INCOMING_TOKEN_BYTES } from "./settings.ts";

export interface VerifiedSubject {
  issuer: TrustedIssuerRow;
  claims: JWTPayload;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Shape checks that cost nothing: size, three base64url segments, a JSON header naming an accepted algorithm. */
export function precheckJwt(token: string, what: string): void {
  if (token.length > MAX_INCOMING_TOKEN_BYTES) {
    throw new OAuthError("invalid_request", `${what} is larger than ${MAX_INCOMING_TOKEN_BYTES} bytes`);
  }
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) {
    throw new OAuthError("invalid_grant", `${what} is not a signed JWT (compact JWS)`);
  }
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw new OAuthError("invalid_grant", `${what} has a malformed header`);
  }
  if (!(ACCEPTED_ALGORITHMS as readonly unknown[]).includes(alg)) {
    throw new OAuthError(
      "invalid_grant",
      `${what} uses an algorithm that is not accepted (${ACCEPTED_ALGORITHMS.join(", ")})`,
    );
  }
}

export async function verifySubjectToken(
  env: { db: Db; issuerKeys: IssuerKeys; clock: () => Date },
  token: string,
): Promise<VerifiedSubject> {
  precheckJwt(token, "subject_token");
  let iss: unknown;
  try {
    iss = decodeJwt(token).iss;
  } catch {
    throw new OAuthError("invalid_grant", "subject_token has a malformed payload");
  }
  if (typeof iss !== "string" || iss.length === 0 || iss.length > 2048) {
    throw new OAuthError("invalid_grant", "subject_token has no issuer");
  }
  const [issuer] = await env.db
    .select()
    .from(trustedIssuers)
    .where(and(eq(trustedIssuers.issuer, iss), eq(trustedIssuers.enabled, true)));
  if (!issuer) throw new OAuthError("invalid_grant", "subject_token is not from a trusted issuer");

  const now = env.clock();
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, env.issuerKeys.resolverFor(issuer), {
      algorithms: [...ACCEPTED_ALGORITHMS],
      issuer: issuer.issuer,
      ...(issuer.audience ? { audience: issuer.audience } : {}),
      requiredClaims: ["exp", "sub"],
      clockTolerance: CLOCK_LEEWAY_SECONDS,
      currentDate: now,
    }));
  } catch (err) {
    throw subjectTokenError(err);
  }
  if (typeof claims.iat === "number" && claims.iat > now.getTime() / 1000 + CLOCK_LEEWAY_SECONDS) {
    throw new OAuthError("invalid_grant", "subject_token was issued in the future");
  }
  if (typeof claims.sub !== "string" || claims.sub.length === 0 || claims.sub.length > 255) {
    throw new OAuthError("invalid_grant", "subject_token has no usable subject");
  }
  const { act: _ignored, ...withoutAct } = claims;
  return { issuer, claims: withoutAct };
}

function subjectTokenError(err: unknown): OAuthError {
  if (err instanceof errors.JWTExpired) return new OAuthError("invalid_grant", "subject_token has expired");
  if (err instanceof errors.JWTClaimValidationFailed) {
    const claim = err.claim;
    if (claim === "aud") return new OAuthError("invalid_grant", "subject_token is not meant for this audience");
    if (claim === "nbf") return new OAuthError("invalid_grant", "subject_token is not valid yet");
    return new OAuthError("invalid_grant", `subject_token claim "${claim}" is missing or invalid`);
  }
  const keysUnavailable =
    err instanceof errors.JWKSTimeout ||
    err instanceof errors.JWKSInvalid ||
    !(err instanceof errors.JOSEError) ||
    err.code === "ERR_JOSE_GENERIC"; // jose: "Expected 200 OK from the JSON Web Key Set HTTP response"
  if (keysUnavailable) {
    // The issuer's keys could not be fetched: fail closed, and say it is worth retrying.
    return new OAuthError("temporarily_unavailable", "the issuer's signing keys could not be retrieved");
  }
  if (err instanceof errors.JWKSNoMatchingKey) {
    return new OAuthError("invalid_grant", "subject_token is signed with a key its issuer does not publish");
  }
  return new OAuthError("invalid_grant", "subject_token signature or format is invalid");
}
