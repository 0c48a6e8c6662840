// Canonical JSON (RFC 8785 JCS): one byte sequence per JSON value, so hashes and signatures over JSON are
// reproducible. Invariant: we only produce canonical bytes, and parseCanonical accepts nothing else.
import { hash } from "node:crypto";

/** A value that canonicalJson can encode. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Thrown when a value has no canonical JSON form, or bytes are not canonical JSON. */
export class CanonicalJsonError extends Error {
  override readonly name = "CanonicalJsonError";
}

/** Deep enough for any config or audit event; a guard against cycles and hostile nesting, not a format limit. */
export const MAX_DEPTH = 512;

/**
 * The canonical JSON text of `value`: object keys sorted by UTF-16 code units, no whitespace, numbers and strings
 * serialized as ECMAScript's JSON.stringify does (which is what RFC 8785 specifies). Rejects what has no JSON
 * form instead of dropping it silently: undefined, functions, symbols, bigints, NaN and ±Infinity, lone
 * surrogates, non-plain objects (Date, Map, Buffer, class instances), cycles.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, []);
}

/** The canonical JSON of `value` as UTF-8 bytes. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), "utf8");
}

/**
 * Parses bytes that must be canonical JSON: valid UTF-8, valid JSON, and byte-for-byte equal to the canonical
 * form of what they parse to. This also rejects duplicate object keys and insignificant whitespace.
 */
export function parseCanonical(bytes: Uint8Array | string): unknown {
  let text: string;
  if (typeof bytes === "string") {
    text = bytes;
  } else {
    try {
      text = utf8Decoder.decode(bytes);
    } catch {
      throw new CanonicalJsonError("not valid UTF-8");
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CanonicalJsonError("not valid JSON");
  }
  if (encode(value, []) !== text) {
    throw new CanonicalJsonError("JSON is not in canonical form");
  }
  return value;
}

/** SHA-256 of `data`, lowercase hex. */
export function sha256Hex(data: Uint8Array | string): string {
  return hash("sha256", data, "hex");
}

/** SHA-256 of `data`, raw bytes. */
export function sha256(data: Uint8Array | string): Buffer {
  return hash("sha256", data, "buffer");
}

/** True for a lowercase hex SHA-256 digest. */
export function isSha256Hex(value: unknown): value is string {
  return typeof value === "string" && SHA256_HEX.test(value);
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Where the value being encoded sits, as keys and indexes from the root; turned into a path string (`$.a[0].b`)
 * only for an error message. Building that string for every member was most of the cost of encoding an event.
 */
type Where = (string | number)[];

function pathOf(where: Where): string {
  let path = "$";
  for (const step of where) path += typeof step === "number" ? `[${step}]` : `.${step}`;
  return path;
}

function encode(value: unknown, where: Where): string {
  if (where.length > MAX_DEPTH) {
    throw new CanonicalJsonError(`${pathOf(where)}: nested deeper than ${MAX_DEPTH} (or cyclic)`);
  }
  switch (typeof value) {
    case "string":
      if (!value.isWellFormed()) {
        throw new CanonicalJsonError(`${pathOf(where)}: string contains a lone surrogate`);
      }
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) {
        throw new CanonicalJsonError(`${pathOf(where)}: ${value} has no JSON form`);
      }
      // ECMAScript Number-to-string, as RFC 8785 §3.2.2.3 requires; -0 becomes "0".
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) {
        return "null";
      }
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          where.push(i);
          out += i === 0 ? encode(value[i], where) : `,${encode(value[i], where)}`;
          where.pop();
        }
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new CanonicalJsonError(`${pathOf(where)}: only plain objects and arrays can be encoded`);
      }
      const record = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units, which is the order RFC 8785 §3.2.3 specifies.
      const keys = Object.keys(record).sort();
      let out = "{";
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        if (!key.isWellFormed()) {
          throw new CanonicalJsonError(`${pathOf(where)}: key contains a lone surrogate`);
        }
        where.push(key);
        out += `${i === 0 ? "" : ","}${JSON.stringify(key)}:${encode(record[key], where)}`;
        where.pop();
      }
      return `${out}}`;
    }
    default:
      throw new CanonicalJsonError(`${pathOf(where)}: ${typeof value} has no JSON form`);
  }
}
