// Checkpoints: the control plane periodically signs the Merkle root over every batch hash it has received, so
// exported checkpoints (write-once storage) pin history that not even a database administrator can rewrite.
// Invariant: a checkpoint names tree size and root; verifying against batch hashes recomputes the root.
import type { KeyObject } from "node:crypto";
import { isSha256Hex } from "./canonical.ts";
import { isRecord, signCompactJws, verifyCompactJws } from "./jws.ts";
import type { TrustedKeys } from "./keys.ts";
import { merkleRoot } from "./merkle.ts";
import { fail, ok, type Result } from "./result.ts";
import { isSafeUint } from "./uint.ts";

/** The JWS `typ` of checkpoints. */
export const CHECKPOINT_JWS_TYPE = "portcullis-checkpoint+jws";

export interface BuildCheckpointInput {
  /** Every batch hash received so far, in the order the control plane stored them (the log order). */
  batchHashes: readonly string[];
  /** A control-plane Ed25519 private key. */
  signingKey: KeyObject;
  kid: string;
  now?: Date;
}

/** A signed tree head. */
export interface Checkpoint {
  treeSize: number;
  /** Merkle root, hex. */
  root: string;
  /** Signing time, seconds since the Unix epoch. */
  issuedAt: number;
  /** Compact JWS over the canonical JSON of {iat, root, tree_size, v: 1}. */
  jws: string;
}

export type CheckpointErrorCode = "malformed" | "bad_signature" | "unknown_key" | "root_mismatch";

/** Computes the Merkle root over the batch hashes and signs it. */
export function buildCheckpoint(input: BuildCheckpointInput): Checkpoint {
  const root = merkleRoot(input.batchHashes);
  const treeSize = input.batchHashes.length;
  const issuedAt = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const jws = signCompactJws(
    CHECKPOINT_JWS_TYPE,
    input.kid,
    { v: 1, tree_size: treeSize, root, iat: issuedAt },
    input.signingKey,
  );
  return { treeSize, root, issuedAt, jws };
}

/**
 * Verifies a checkpoint's signature (EdDSA only, trusted control-plane keys) and, when `batchHashes` is given,
 * that they are exactly the tree it signed (`root_mismatch` otherwise: a batch was changed, removed or added).
 */
export function verifyCheckpoint(
  jws: string,
  keys: KeyObject | TrustedKeys,
  batchHashes?: readonly string[],
): Result<Omit<Checkpoint, "jws"> & { kid: string }, CheckpointErrorCode> {
  const verified = verifyCompactJws(jws, CHECKPOINT_JWS_TYPE, keys);
  if (!verified.ok) {
    return verified;
  }
  const claims = verified.value.payload;
  if (
    !isRecord(claims) ||
    Object.keys(claims).length !== 4 ||
    claims.v !== 1 ||
    !isSafeUint(claims.tree_size) ||
    !isSha256Hex(claims.root) ||
    !isSafeUint(claims.iat)
  ) {
    return fail("malformed", "signed payload is not {iat, root, tree_size, v: 1}");
  }
  if (batchHashes !== undefined) {
    if (batchHashes.length !== claims.tree_size) {
      return fail("root_mismatch", `checkpoint covers ${claims.tree_size} batches, ${batchHashes.length} given`);
    }
    if (!batchHashes.every(isSha256Hex) || merkleRoot(batchHashes) !== claims.root) {
      return fail("root_mismatch", "the batch hashes do not produce the signed root");
    }
  }
  return ok({ treeSize: claims.tree_size, root: claims.root, issuedAt: claims.iat, kid: verified.value.header.kid });
}
