// Merkle tree over batch hashes, as RFC 9162 §2.1 (RFC 6962) defines it: leaf = SHA-256(0x00 || data), node =
// SHA-256(0x01 || left || right), with inclusion and consistency proofs. Our leaves are the 32 raw bytes of each
// batch hash, in the order the control plane stored the batches. Sizes are safe integers (no 32-bit bit math).
import { createHash } from "node:crypto";
import { isSha256Hex } from "./canonical.ts";

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** SHA-256(0x00 || data): the hash of one leaf. */
export function merkleLeafHash(data: Uint8Array): Buffer {
  return createHash("sha256").update(LEAF_PREFIX).update(data).digest();
}

/** SHA-256(0x01 || left || right): the hash of an inner node. */
export function merkleNodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash("sha256").update(NODE_PREFIX).update(left).update(right).digest();
}

// ---- Hex API over batch hashes ----

/** The tree root (hex) over the batch hashes (hex); the SHA-256 of nothing for an empty tree. */
export function merkleRoot(batchHashes: readonly string[]): string {
  return treeHead(batchHashLeaves(batchHashes)).toString("hex");
}

/** The audit path (hex) proving that batch `index` is in the tree of `batchHashes` (RFC 9162 §2.1.3.1). */
export function inclusionProof(batchHashes: readonly string[], index: number): string[] {
  return auditPath(batchHashLeaves(batchHashes), index).map(toHex);
}

/** Verifies an inclusion proof for a batch hash (RFC 9162 §2.1.3.2). */
export function verifyInclusion(input: {
  batchHash: string;
  index: number;
  treeSize: number;
  proof: readonly string[];
  root: string;
}): boolean {
  if (!isSha256Hex(input.batchHash) || !isSha256Hex(input.root) || !input.proof.every(isSha256Hex)) return false;
  return verifyInclusionProof(
    merkleLeafHash(Buffer.from(input.batchHash, "hex")),
    input.index,
    input.treeSize,
    input.proof.map(fromHex),
    fromHex(input.root),
  );
}

/**
 * The proof (hex) that the tree of the first `oldSize` batch hashes is a prefix of the tree of all of them
 * (RFC 9162 §2.1.4.1): what shows that history between two checkpoints was only appended to.
 */
export function consistencyProof(batchHashes: readonly string[], oldSize: number): string[] {
  return consistencyPath(batchHashLeaves(batchHashes), oldSize).map(toHex);
}

/** Verifies a consistency proof between two tree heads (RFC 9162 §2.1.4.2). */
export function verifyConsistency(input: {
  oldSize: number;
  oldRoot: string;
  newSize: number;
  newRoot: string;
  proof: readonly string[];
}): boolean {
  if (!isSha256Hex(input.oldRoot) || !isSha256Hex(input.newRoot) || !input.proof.every(isSha256Hex)) return false;
  return verifyConsistencyProof(
    input.oldSize,
    input.newSize,
    fromHex(input.oldRoot),
    fromHex(input.newRoot),
    input.proof.map(fromHex),
  );
}

// ---- Byte API over arbitrary leaf data (RFC 9162 as written; the hex API above is built on it) ----

/** MTH(D[n]) over raw leaf data. */
export function treeHead(leaves: readonly Uint8Array[]): Buffer {
  const hashes = leaves.map(merkleLeafHash);
  return hashes.length === 0 ? createHash("sha256").digest() : subtreeRoot(hashes, 0, hashes.length);
}

/** PATH(m, D[n]) over raw leaf data. */
export function auditPath(leaves: readonly Uint8Array[], index: number): Buffer[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= leaves.length) {
    throw new RangeError(`leaf index ${index} is outside a tree of ${leaves.length}`);
  }
  const out: Buffer[] = [];
  path(leaves.map(merkleLeafHash), index, 0, leaves.length, out);
  return out;
}

/** PROOF(m, D[n]) over raw leaf data; empty when m is 0 or n. */
export function consistencyPath(leaves: readonly Uint8Array[], oldSize: number): Buffer[] {
  if (!Number.isSafeInteger(oldSize) || oldSize < 0 || oldSize > leaves.length) {
    throw new RangeError(`old size ${oldSize} is outside 0..${leaves.length}`);
  }
  const out: Buffer[] = [];
  if (oldSize > 0 && oldSize < leaves.length) {
    subproof(leaves.map(merkleLeafHash), oldSize, 0, leaves.length, true, out);
  }
  return out;
}

/** RFC 9162 §2.1.3.2 with a leaf hash. */
export function verifyInclusionProof(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = merkleNodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = merkleNodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2. */
export function verifyConsistencyProof(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 0 || oldSize > newSize) {
    return false;
  }
  if (oldSize === newSize) return proof.length === 0 && Buffer.from(oldRoot).equals(newRoot);
  // The empty tree is a prefix of every tree.
  if (oldSize === 0) return proof.length === 0;
  const nodes = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = half(fn);
    sn = half(sn);
  }
  const [first, ...rest] = nodes;
  if (first === undefined) return false;
  let fr: Buffer = Buffer.from(first);
  let sr: Buffer = Buffer.from(first);
  for (const c of rest) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = merkleNodeHash(c, fr);
      sr = merkleNodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = merkleNodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(oldRoot) && sr.equals(newRoot);
}

function batchHashLeaves(batchHashes: readonly string[]): Buffer[] {
  return batchHashes.map((hex, i) => {
    if (!isSha256Hex(hex)) throw new TypeError(`batch hash ${i} is not a hex SHA-256`);
    return fromHex(hex);
  });
}

const toHex = (bytes: Buffer): string => bytes.toString("hex");
const fromHex = (hex: string): Buffer => Buffer.from(hex, "hex");
const half = (n: number): number => Math.floor(n / 2);

/** Largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && splitPoint(n + 1) === n;
}

function subtreeRoot(hashes: readonly Buffer[], start: number, end: number): Buffer {
  const n = end - start;
  if (n === 1) return hashes[start] as Buffer;
  const k = splitPoint(n);
  return merkleNodeHash(subtreeRoot(hashes, start, start + k), subtreeRoot(hashes, start + k, end));
}

function path(hashes: readonly Buffer[], m: number, start: number, end: number, out: Buffer[]): void {
  const n = end - start;
  if (n === 1) return;
  const k = splitPoint(n);
  if (m < k) {
    path(hashes, m, start, start + k, out);
    out.push(subtreeRoot(hashes, start + k, end));
  } else {
    path(hashes, m - k, start + k, end, out);
    out.push(subtreeRoot(hashes, start, start + k));
  }
}

function subproof(
  hashes: readonly Buffer[],
  m: number,
  start: number,
  end: number,
  whole: boolean,
  out: Buffer[],
): void {
  const n = end - start;
  if (m === n) {
    if (!whole) out.push(subtreeRoot(hashes, start, end));
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    subproof(hashes, m, start, start + k, whole, out);
    out.push(subtreeRoot(hashes, start + k, end));
  } else {
    subproof(hashes, m - k, start + k, end, false, out);
    out.push(subtreeRoot(hashes, start, start + k));
  }
}
