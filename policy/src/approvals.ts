// Binds an approval to one exact call: the digest of the canonical JSON of its arguments. The control plane stores
// it with the grant; the engine recomputes it, so an approval for amount 1200 does not cover amount 1300.
import { createHash } from "node:crypto";
import type { JsonValue } from "./context.ts";

/** `sha256:<hex>` of the arguments as canonical JSON (object keys sorted, no whitespace). */
export function digestArgs(args: JsonValue): string {
  return `sha256:${createHash("sha256").update(canonicalJson(args)).digest("hex")}`;
}

export function canonicalJson(v: JsonValue): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k] as JsonValue)}`).join(",")}}`;
}
