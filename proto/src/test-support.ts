// Helpers for tests that forge and tamper with compact JWSs. Not part of the public API.
import { createHmac } from "node:crypto";

const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64url");

/** The three segments of a compact JWS, header and payload decoded. */
export function splitJws(jws: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signature: string;
} {
  const [h = "", p = "", signature = ""] = jws.split(".");
  return {
    header: JSON.parse(Buffer.from(h, "base64url").toString("utf8")),
    payload: JSON.parse(Buffer.from(p, "base64url").toString("utf8")),
    signature,
  };
}

/** Rebuilds a JWS from header and payload text (written as given, not canonicalized) and a signature segment. */
export function forgeJws(headerJson: string, payloadJson: string, signature: string): string {
  return `${b64(headerJson)}.${b64(payloadJson)}.${signature}`;
}

/** Changes the payload of a JWS but keeps its original signature. */
export function withPayload(jws: string, payloadJson: string): string {
  const [h = "", , s = ""] = jws.split(".");
  return `${h}.${b64(payloadJson)}.${s}`;
}

/** The classic algorithm-confusion forgery: an HS256 JWS whose HMAC secret is the verifier's public key. */
export function hs256Jws(jws: string, secret: string | Buffer): string {
  const { header, payload } = splitJws(jws);
  const signingInput = `${b64(JSON.stringify({ ...header, alg: "HS256" }))}.${b64(JSON.stringify(payload))}`;
  return `${signingInput}.${createHmac("sha256", secret).update(signingInput).digest("base64url")}`;
}

/** `alg: none` with an empty signature, the rest unchanged. */
export function algNoneJws(jws: string, alg = "none"): string {
  const { header, payload } = splitJws(jws);
  return `${b64(JSON.stringify({ ...header, alg }))}.${b64(JSON.stringify(payload))}.`;
}

/** Flips one bit of the byte at `index` of a buffer (a copy). */
export function flipByte(bytes: Uint8Array, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = (copy[index] as number) ^ 0x01;
  return copy;
}
