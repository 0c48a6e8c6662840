// The control plane's own signing keys (Ed25519): they sign config snapshots, audit receipts, checkpoints and,
// later, the tokens the token service mints. Private halves are stored AES-GCM encrypted; a key is created on
// first use, and rotation publishes the new key before it signs (see `rotateControlPlaneKey`).
import type { KeyObject } from "node:crypto";
import {
  exportPrivateKeyPem,
  generateSigningKeyPair,
  importPrivateKeyPem,
  importPublicJwk,
  type TrustedKeys,
} from "@portcullis/proto";
import { and, asc, isNull, lte, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { signingKeys } from "../db/schema.ts";
import { decryptSecret, encryptSecret } from "../lib/secrets.ts";

export interface ActiveKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

export interface KeyRing {
  /** The key that signs now. */
  active: ActiveKey;
  /** Every published key (active, pending and retired-but-not-expired), for verification and JWKS. */
  published: { kid: string; publicJwk: Record<string, unknown> }[];
  trusted: TrustedKeys;
}

const USE = "control-plane";

/** Loads the key ring, creating the first key if there is none. Safe to call concurrently on several replicas. */
export async function loadKeyRing(db: Db, secretKey: Buffer, now: Date = new Date()): Promise<KeyRing> {
  await db.transaction(async (tx) => {
    // Serialize the "create the first key" step across replicas.
    await tx.execute(sql`select pg_advisory_xact_lock(7070001)`);
    const existing = await tx.select({ kid: signingKeys.kid }).from(signingKeys).limit(1);
    if (existing.length === 0) {
      const pair = generateSigningKeyPair();
      await tx.insert(signingKeys).values({
        kid: pair.kid,
        use: USE,
        alg: "EdDSA",
        publicJwk: pair.publicJwk as unknown as Record<string, unknown>,
        privateKeyCiphertext: encryptSecret(secretKey, exportPrivateKeyPem(pair.privateKey), `signing_key:${pair.kid}`),
        createdAt: now,
        activatesAt: now,
      });
    }
  });
  const rows = await db
    .select()
    .from(signingKeys)
    .where(and(isNull(signingKeys.revokedAt)))
    .orderBy(asc(signingKeys.activatesAt));
  const usable = rows.filter((r) => !r.retiresAt || r.retiresAt > now);
  // The newest key whose activation time has come signs; newer ones are published but not yet used.
  const activeRow = [...usable].reverse().find((r) => r.activatesAt <= now) ?? usable[0];
  if (!activeRow) throw new Error("no usable control-plane signing key");
  const pair = importPrivateKeyPem(
    decryptSecret(secretKey, activeRow.privateKeyCiphertext, `signing_key:${activeRow.kid}`),
  );
  const trusted = new Map<string, KeyObject>();
  for (const r of usable) trusted.set(r.kid, importPublicJwk(r.publicJwk).publicKey);
  return {
    active: {
      kid: activeRow.kid,
      privateKey: pair.privateKey,
      publicKey: pair.publicKey,
      publicJwk: activeRow.publicJwk,
    },
    published: usable.map((r) => ({ kid: r.kid, publicJwk: r.publicJwk })),
    trusted,
  };
}

/**
 * Adds a new key that starts signing after `activateAfterMs` (published at once, so nodes and tool owners learn
 * it first); the previous key keeps verifying until `retireOldAfterMs` has passed.
 */
export async function rotateControlPlaneKey(
  db: Db,
  secretKey: Buffer,
  options: { now?: Date; activateAfterMs: number; retireOldAfterMs: number },
): Promise<string> {
  const now = options.now ?? new Date();
  const pair = generateSigningKeyPair();
  await db.transaction(async (tx) => {
    await tx
      .update(signingKeys)
      .set({ retiresAt: new Date(now.getTime() + options.retireOldAfterMs) })
      .where(and(isNull(signingKeys.retiresAt), lte(signingKeys.activatesAt, now)));
    await tx.insert(signingKeys).values({
      kid: pair.kid,
      use: USE,
      alg: "EdDSA",
      publicJwk: pair.publicJwk as unknown as Record<string, unknown>,
      privateKeyCiphertext: encryptSecret(secretKey, exportPrivateKeyPem(pair.privateKey), `signing_key:${pair.kid}`),
      createdAt: now,
      activatesAt: new Date(now.getTime() + options.activateAfterMs),
    });
  });
  return pair.kid;
}
