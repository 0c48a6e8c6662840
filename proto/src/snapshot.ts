// Signed config snapshots: the control plane signs {version, sha256 of the canonical resources bytes, iat};
// nodes verify before applying, and again when restoring one from disk. Invariant: a verified snapshot's
// version, hash and bytes are exactly the ones a trusted control-plane key signed.
import type { KeyObject } from "node:crypto";
import { canonicalBytes, isSha256Hex, parseCanonical, sha256Hex } from "./canonical.ts";
import { isRecord, signCompactJws, verifyCompactJws } from "./jws.ts";
import type { TrustedKeys } from "./keys.ts";
import { fail, ok, type Result } from "./result.ts";
import { isSafeUint, parseSafeUint } from "./uint.ts";

/** The JWS `typ` of snapshot signatures. */
export const SNAPSHOT_JWS_TYPE = "portcullis-snapshot+jws";

export interface SignSnapshotInput {
  /** From the Postgres sequence; a positive safe integer (0 means "no snapshot" in Hello/Heartbeat). */
  version: number;
  /** The full state; anything canonicalJson accepts. */
  resources: unknown;
  /** The control plane's Ed25519 private key. */
  signingKey: KeyObject;
  /** Its kid (RFC 7638 thumbprint), as published to nodes. */
  kid: string;
  /** Signing time (for `iat`); defaults to now. */
  now?: Date;
}

/** What the control plane puts into a Snapshot message (plus a nonce). */
export interface SignedSnapshot {
  version: number;
  /** Canonical JSON of the resources, UTF-8. */
  resourcesJson: Buffer;
  /** SHA-256 of resourcesJson, lowercase hex. */
  sha256: string;
  /** Compact JWS over the canonical JSON of {iat, sha256, version}. */
  signature: string;
}

/** The signed payload of a snapshot signature. */
export interface SnapshotClaims {
  version: number;
  sha256: string;
  /** Signing time, seconds since the Unix epoch. */
  iat: number;
}

export type SnapshotErrorCode = "bad_signature" | "unknown_key" | "hash_mismatch" | "version_mismatch" | "malformed";

/** A snapshot that passed every check. */
export interface VerifiedSnapshot {
  version: number;
  sha256: string;
  /** The parsed resources. Their schema is the data plane's to validate. */
  resources: unknown;
  issuedAt: number;
  /** Which control-plane key signed it. */
  kid: string;
}

/** The fields of a Snapshot message that verification needs; the wire message (version as a string) fits. */
export interface SnapshotMessage {
  version: number | string;
  resourcesJson: Uint8Array;
  sha256: string;
  signature: string;
}

/** Canonicalizes and signs a full config state. Throws on an unsafe version or resources with no JSON form. */
export function signSnapshot(input: SignSnapshotInput): SignedSnapshot {
  if (!isSafeUint(input.version) || input.version < 1) {
    throw new RangeError(`snapshot version must be a positive safe integer, got ${input.version}`);
  }
  const resourcesJson = canonicalBytes(input.resources);
  const sha256 = sha256Hex(resourcesJson);
  const claims: SnapshotClaims = {
    version: input.version,
    sha256,
    iat: Math.floor((input.now ?? new Date()).getTime() / 1000),
  };
  const signature = signCompactJws(SNAPSHOT_JWS_TYPE, input.kid, claims, input.signingKey);
  return { version: input.version, resourcesJson, sha256, signature };
}

/**
 * Verifies a snapshot message against the trusted control-plane keys (or one key): EdDSA only, known kid, typ,
 * signature; then that the signed version and sha256 equal the message's and that sha256 is the hash of the
 * resources bytes, which must be canonical JSON. There is no expiry: a node serves its last verified snapshot
 * for as long as it cannot get a newer one.
 */
export function verifySnapshot(
  message: SnapshotMessage,
  keys: KeyObject | TrustedKeys,
): Result<VerifiedSnapshot, SnapshotErrorCode> {
  const jws = verifyCompactJws(message.signature, SNAPSHOT_JWS_TYPE, keys);
  if (!jws.ok) {
    return jws;
  }
  const claims = jws.value.payload;
  if (
    !isRecord(claims) ||
    Object.keys(claims).length !== 3 ||
    !isSafeUint(claims.version) ||
    claims.version < 1 ||
    !isSha256Hex(claims.sha256) ||
    !isSafeUint(claims.iat)
  ) {
    return fail("malformed", "signed payload is not {iat, sha256, version}");
  }
  const version = parseSafeUint(message.version);
  if (version === undefined) {
    return fail("malformed", "message version is not a safe uint64");
  }
  if (version !== claims.version) {
    return fail("version_mismatch", `message says version ${version}, signature says ${claims.version}`);
  }
  if (message.sha256 !== claims.sha256) {
    return fail("hash_mismatch", "message sha256 differs from the signed sha256");
  }
  if (sha256Hex(message.resourcesJson) !== claims.sha256) {
    return fail("hash_mismatch", "resources bytes do not hash to the signed sha256");
  }
  let resources: unknown;
  try {
    resources = parseCanonical(message.resourcesJson);
  } catch (error) {
    return fail("malformed", `resources: ${error instanceof Error ? error.message : String(error)}`);
  }
  return ok({ version, sha256: claims.sha256, resources, issuedAt: claims.iat, kid: jws.value.header.kid });
}
