// Compact JWS (RFC 7515) with EdDSA/Ed25519 through node:crypto directly: the one signature format of every
// signed artifact here. Invariants: alg is EdDSA and nothing else; header and payload are canonical JSON; each
// segment is strict base64url, so a signed artifact has exactly one valid encoding.
import { KeyObject, sign, verify } from "node:crypto";
import { canonicalBytes, parseCanonical } from "./canonical.ts";
import type { TrustedKeys } from "./keys.ts";
import { fail, ok, type Result } from "./result.ts";

/** The only algorithm we sign with or accept. */
export const JWS_ALG = "EdDSA";

/** Longer inputs are refused before any decoding; every JWS we make is far smaller. */
export const MAX_JWS_LENGTH = 64 * 1024;

export type JwsErrorCode = "malformed" | "bad_signature" | "unknown_key";

/** The protected header of every JWS we make: exactly these three members. */
export interface JwsHeader {
  alg: typeof JWS_ALG;
  kid: string;
  typ: string;
}

export interface VerifiedJws {
  header: JwsHeader;
  /** The parsed payload (canonical JSON). Its shape is the caller's to check. */
  payload: unknown;
}

/** Signs `payload` (canonicalized) into a compact JWS with header {alg: EdDSA, kid, typ}. */
export function signCompactJws(typ: string, kid: string, payload: unknown, privateKey: KeyObject): string {
  const header = canonicalBytes({ alg: JWS_ALG, kid, typ }).toString("base64url");
  const body = canonicalBytes(payload).toString("base64url");
  const signingInput = `${header}.${body}`;
  const signature = sign(null, Buffer.from(signingInput, "ascii"), privateKey).toString("base64url");
  return `${signingInput}.${signature}`;
}

/**
 * Verifies a compact JWS of type `typ`. `keys` is either the one key that must have signed it, or a set of
 * trusted keys looked up by the header's `kid`. Checks, in order: shape, alg (EdDSA only: `none`, HS256 and the
 * rest are bad_signature), header members and typ, key, signature, then parses the payload.
 */
export function verifyCompactJws(
  jws: unknown,
  typ: string,
  keys: KeyObject | TrustedKeys,
): Result<VerifiedJws, JwsErrorCode> {
  if (typeof jws !== "string" || jws.length > MAX_JWS_LENGTH) {
    return fail("malformed", "not a compact JWS string of acceptable length");
  }
  const segments = jws.split(".");
  if (segments.length !== 3) {
    return fail("malformed", "a compact JWS has three segments");
  }
  const [headerSegment, payloadSegment, signatureSegment] = segments as [string, string, string];

  let header: unknown;
  try {
    header = parseCanonical(decodeBase64urlStrict(headerSegment));
  } catch (error) {
    return fail("malformed", `header: ${describe(error)}`);
  }
  if (!isRecord(header)) {
    return fail("malformed", "header is not a JSON object");
  }
  if (header.alg !== JWS_ALG) {
    return fail("bad_signature", `alg ${JSON.stringify(header.alg)} is not allowed; only ${JWS_ALG} is`);
  }
  const members = Object.keys(header);
  if (members.length !== 3 || typeof header.kid !== "string" || typeof header.typ !== "string") {
    return fail("malformed", "header must have exactly alg, kid and typ");
  }
  if (header.typ !== typ) {
    return fail("malformed", `typ ${JSON.stringify(header.typ)} is not ${JSON.stringify(typ)}`);
  }
  const kid = header.kid;

  const key = keys instanceof KeyObject ? keys : keys.get(kid);
  if (key === undefined) {
    return fail("unknown_key", `no trusted key with kid ${JSON.stringify(kid)}`);
  }
  if (key.asymmetricKeyType !== "ed25519") {
    return fail("unknown_key", "the key is not an Ed25519 key");
  }

  let signature: Buffer;
  try {
    signature = decodeBase64urlStrict(signatureSegment);
  } catch {
    return fail("bad_signature", "signature is not strict base64url");
  }
  if (signature.length !== 64) {
    return fail("bad_signature", "an Ed25519 signature is 64 bytes");
  }
  const signingInput = Buffer.from(`${headerSegment}.${payloadSegment}`, "ascii");
  if (!verify(null, signingInput, key, signature)) {
    return fail("bad_signature", "signature does not verify");
  }

  let payload: unknown;
  try {
    payload = parseCanonical(decodeBase64urlStrict(payloadSegment));
  } catch (error) {
    return fail("malformed", `payload: ${describe(error)}`);
  }
  return ok({ header: { alg: JWS_ALG, kid, typ }, payload });
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes base64url without padding, refusing anything that is not the one canonical encoding of its bytes
 * (stray characters, padding, non-zero trailing bits). Node's own decoder is lenient about all three.
 */
export function decodeBase64urlStrict(text: string): Buffer {
  if (!BASE64URL.test(text) || text.length % 4 === 1) {
    throw new Error("not base64url");
  }
  const bytes = Buffer.from(text, "base64url");
  if (bytes.toString("base64url") !== text) {
    throw new Error("not canonical base64url");
  }
  return bytes;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
