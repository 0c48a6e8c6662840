// Identifiers: UUIDv7 (RFC 9562) for rows, so ids sort by creation time and keyset pagination is simple.
import { randomBytes } from "node:crypto";

let lastMs = 0;
let counter = 0;

export function uuidv7(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  // Monotonic within one process: the same millisecond bumps a 12-bit counter in rand_a.
  if (now === lastMs) counter = (counter + 1) & 0xfff;
  else {
    lastMs = now;
    counter = bytes.readUInt16BE(6) & 0x7ff;
  }
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const h = bytes.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A random, URL-safe secret with a readable prefix, e.g. `pc_at_…` for API tokens. */
export function randomToken(prefix: string, bytes = 32): string {
  return `${prefix}${randomBytes(bytes).toString("base64url")}`;
}
