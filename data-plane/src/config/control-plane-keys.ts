// Which control-plane keys a node trusts for snapshots: the keys it received at enrollment, plus every key a
// verified snapshot has published since (the control plane publishes a new key well before it signs with it).
// Learned keys are persisted next to the snapshot, so a restart after a key rotation still verifies it.

import type { KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { exportPublicJwk, importPublicJwk, type TrustedKeys } from "@portcullis/proto";
import { writeFileDurably } from "../lib/durable-file.ts";

export const LEARNED_KEYS_FILE = "control-plane-keys.json";

/** `base` plus the keys in a list of JWKs; malformed entries are ignored (they cannot verify anything). */
export function withPublishedKeys(base: TrustedKeys, jwks: readonly unknown[] | undefined): TrustedKeys {
  if (!jwks || jwks.length === 0) return base;
  const merged = new Map<string, KeyObject>(base);
  for (const jwk of jwks) {
    try {
      const { kid, publicKey } = importPublicJwk(jwk);
      merged.set(kid, publicKey);
    } catch {}
  }
  return merged;
}

export async function loadLearnedKeys(dataDir: string, base: TrustedKeys): Promise<TrustedKeys> {
  try {
    const text = await readFile(path.join(dataDir, LEARNED_KEYS_FILE), "utf8");
    const parsed = JSON.parse(text) as { keys?: unknown[] };
    return withPublishedKeys(base, Array.isArray(parsed.keys) ? parsed.keys : []);
  } catch {
    return base;
  }
}

export async function saveLearnedKeys(dataDir: string, keys: TrustedKeys): Promise<void> {
  const list = [...keys.values()].map((k) => exportPublicJwk(k));
  await writeFileDurably(path.join(dataDir, LEARNED_KEYS_FILE), `${JSON.stringify({ keys: list })}\n`);
}
