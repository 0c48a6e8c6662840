// Ed25519 keys for every signature in the system: generation, public JWKs (kid = RFC 7638 thumbprint), JWK
// Sets, and PKCS#8 PEM for persisting private keys. Invariant: a public JWK never carries private material, and
// a kid always equals the key's thumbprint.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { sha256 } from "./canonical.ts";
import { decodeBase64urlStrict, isRecord } from "./jws.ts";

/** The public JWK form of an Ed25519 key, as we publish it. */
export interface Ed25519PublicJwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
  kid: string;
  alg: "EdDSA";
  use: "sig";
}

/** Verification keys by kid. */
export type TrustedKeys = ReadonlyMap<string, KeyObject>;

/** A key pair ready to sign with: the private key and its kid, plus the public halves to publish. */
export interface SigningKeyPair {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: Ed25519PublicJwk;
}

/** Thrown when key material is not an acceptable Ed25519 key. */
export class KeyFormatError extends Error {
  override readonly name = "KeyFormatError";
}

/** Generates a fresh Ed25519 key pair. */
export function generateSigningKeyPair(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return keyPair(privateKey, publicKey);
}

/** The RFC 7638 JWK thumbprint (SHA-256, base64url) of an Ed25519 key; our kid. */
export function jwkThumbprint(key: KeyObject): string {
  return thumbprintOfX(rawPublicX(key));
}

/** The public JWK of an Ed25519 key (public or private KeyObject), with kid, alg and use. */
export function exportPublicJwk(key: KeyObject): Ed25519PublicJwk {
  const x = rawPublicX(key);
  return { kty: "OKP", crv: "Ed25519", x, kid: thumbprintOfX(x), alg: "EdDSA", use: "sig" };
}

/**
 * Imports an Ed25519 public JWK, given as an object or as its JSON text (as in EnrollRequest). Refuses other key
 * types, private members (`d`), a kid that is not the thumbprint, and an alg, use or key_ops that forbid EdDSA
 * verification. Throws KeyFormatError.
 */
export function importPublicJwk(jwk: unknown): { kid: string; publicKey: KeyObject } {
  let value = jwk;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw new KeyFormatError("JWK is not valid JSON");
    }
  }
  if (!isRecord(value)) {
    throw new KeyFormatError("JWK is not a JSON object");
  }
  if (value.kty !== "OKP" || value.crv !== "Ed25519") {
    throw new KeyFormatError("JWK is not an Ed25519 key (kty OKP, crv Ed25519)");
  }
  if ("d" in value) {
    throw new KeyFormatError("JWK contains private key material");
  }
  if (value.alg !== undefined && value.alg !== "EdDSA" && value.alg !== "Ed25519") {
    throw new KeyFormatError("JWK alg is not EdDSA");
  }
  if (value.use !== undefined && value.use !== "sig") {
    throw new KeyFormatError("JWK use is not sig");
  }
  if (value.key_ops !== undefined && !(Array.isArray(value.key_ops) && value.key_ops.includes("verify"))) {
    throw new KeyFormatError("JWK key_ops does not allow verify");
  }
  const x = value.x;
  let raw: Buffer;
  try {
    raw = decodeBase64urlStrict(typeof x === "string" ? x : "");
  } catch {
    throw new KeyFormatError("JWK x is not base64url");
  }
  if (raw.length !== 32) {
    throw new KeyFormatError("JWK x is not a 32-byte Ed25519 public key");
  }
  const kid = thumbprintOfX(x as string);
  if (value.kid !== undefined && value.kid !== kid) {
    throw new KeyFormatError("JWK kid is not the key's RFC 7638 thumbprint");
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: x as string }, format: "jwk" });
  } catch {
    throw new KeyFormatError("JWK is not a valid Ed25519 public key");
  }
  return { kid, publicKey };
}

/** A JWK Set of the given public keys, e.g. for EnrollResponse.cp_public_jwks (as JSON) or a JWKS endpoint. */
export function exportJwks(keys: readonly KeyObject[]): { keys: Ed25519PublicJwk[] } {
  return { keys: keys.map(exportPublicJwk) };
}

/** Trusted keys by kid from a JWK Set (object or JSON text). Throws KeyFormatError if any key is unacceptable. */
export function trustedKeysFromJwks(jwks: unknown): TrustedKeys {
  let value = jwks;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw new KeyFormatError("JWK Set is not valid JSON");
    }
  }
  if (!isRecord(value) || !Array.isArray(value.keys)) {
    throw new KeyFormatError("JWK Set has no keys array");
  }
  const trusted = new Map<string, KeyObject>();
  for (const jwk of value.keys) {
    const { kid, publicKey } = importPublicJwk(jwk);
    trusted.set(kid, publicKey);
  }
  return trusted;
}

/** Trusted keys by kid (thumbprint) from public or private KeyObjects. */
export function trustedKeys(keys: readonly KeyObject[]): TrustedKeys {
  return new Map(keys.map((key) => [jwkThumbprint(key), publicOf(key)]));
}

/** The private key as unencrypted PKCS#8 PEM, for a file readable only by the node (mode 0600). */
export function exportPrivateKeyPem(privateKey: KeyObject): string {
  assertEd25519(privateKey);
  if (privateKey.type !== "private") {
    throw new KeyFormatError("not a private key");
  }
  return privateKey.export({ format: "pem", type: "pkcs8" }).toString();
}

/** Reads a PKCS#8 PEM Ed25519 private key back, with its public half and kid. Throws KeyFormatError. */
export function importPrivateKeyPem(pem: string): SigningKeyPair {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: "pem" });
  } catch {
    throw new KeyFormatError("not a PEM private key");
  }
  assertEd25519(privateKey);
  return keyPair(privateKey, createPublicKey(privateKey));
}

function keyPair(privateKey: KeyObject, publicKey: KeyObject): SigningKeyPair {
  const publicJwk = exportPublicJwk(publicKey);
  return { kid: publicJwk.kid, privateKey, publicKey, publicJwk };
}

function publicOf(key: KeyObject): KeyObject {
  assertEd25519(key);
  return key.type === "private" ? createPublicKey(key) : key;
}

function rawPublicX(key: KeyObject): string {
  const jwk = publicOf(key).export({ format: "jwk" });
  if (typeof jwk.x !== "string") {
    throw new KeyFormatError("Ed25519 key without x");
  }
  return jwk.x;
}

function thumbprintOfX(x: string): string {
  // RFC 7638 §3.2: the required members in lexicographic order, no whitespace.
  return sha256(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).toString("base64url");
}

function assertEd25519(key: KeyObject): void {
  if (key.asymmetricKeyType !== "ed25519") {
    throw new KeyFormatError(`expected an Ed25519 key, got ${key.asymmetricKeyType ?? key.type}`);
  }
}
