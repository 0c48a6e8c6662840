import { describe, expect, it } from "vitest";
import { sha256Hex } from "./canonical.ts";
import {
  auditPath,
  consistencyPath,
  consistencyProof,
  inclusionProof,
  merkleLeafHash,
  merkleRoot,
  treeHead,
  verifyConsistency,
  verifyConsistencyProof,
  verifyInclusion,
  verifyInclusionProof,
} from "./merkle.ts";

// The RFC 6962 reference vectors (certificate-transparency test data).
const LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map(
  (hex) => Buffer.from(hex, "hex"),
);
const ROOTS = [
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];
const INCLUSION: [number, number, string[]][] = [
  [
    0,
    8,
    [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  ],
  [
    5,
    8,
    [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  ],
];
const CONSISTENCY: [number, number, string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  ],
  [
    6,
    8,
    [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  ],
  [
    2,
    5,
    [
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  ],
];
const hex = (list: Buffer[]) => list.map((b) => b.toString("hex"));
const bytes = (list: string[]) => list.map((h) => Buffer.from(h, "hex"));

describe("Merkle tree (RFC 6962 reference vectors)", () => {
  it("computes the reference roots for every size 0..8", () => {
    for (let n = 0; n <= 8; n++) {
      expect(treeHead(LEAVES.slice(0, n)).toString("hex"), `size ${n}`).toBe(ROOTS[n]);
    }
  });

  it("produces and verifies the reference inclusion proofs", () => {
    for (const [index, size, proof] of INCLUSION) {
      expect(hex(auditPath(LEAVES.slice(0, size), index))).toEqual(proof);
      const leaf = merkleLeafHash(LEAVES[index] as Buffer);
      expect(verifyInclusionProof(leaf, index, size, bytes(proof), Buffer.from(ROOTS[size] as string, "hex"))).toBe(
        true,
      );
    }
  });

  it("produces and verifies the reference consistency proofs", () => {
    for (const [m, n, proof] of CONSISTENCY) {
      expect(hex(consistencyPath(LEAVES.slice(0, n), m)), `${m}->${n}`).toEqual(proof);
      const [oldRoot, newRoot] = [ROOTS[m], ROOTS[n]].map((r) => Buffer.from(r as string, "hex")) as [Buffer, Buffer];
      expect(verifyConsistencyProof(m, n, oldRoot, newRoot, bytes(proof)), `${m}->${n}`).toBe(true);
    }
  });
});

describe("Merkle tree over batch hashes", () => {
  const batchHashes = Array.from({ length: 37 }, (_, i) => sha256Hex(`batch ${i}`));

  it("proves every batch's inclusion in every tree size, and nothing else", () => {
    for (let size = 1; size <= batchHashes.length; size++) {
      const tree = batchHashes.slice(0, size);
      const root = merkleRoot(tree);
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(tree, index);
        const batchHash = tree[index] as string;
        expect(verifyInclusion({ batchHash, index, treeSize: size, proof, root })).toBe(true);
        expect(verifyInclusion({ batchHash: sha256Hex("forged"), index, treeSize: size, proof, root })).toBe(false);
        if (size > 1) {
          expect(verifyInclusion({ batchHash, index: (index + 1) % size, treeSize: size, proof, root })).toBe(false);
          expect(verifyInclusion({ batchHash, index, treeSize: size, proof: proof.slice(1), root })).toBe(false);
        }
      }
    }
  });

  it("proves every older tree a prefix of every newer one, and detects rewritten history (A03)", () => {
    for (let n = 1; n <= 20; n++) {
      const newer = batchHashes.slice(0, n);
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(newer, m);
        const input = {
          oldSize: m,
          oldRoot: merkleRoot(newer.slice(0, m)),
          newSize: n,
          newRoot: merkleRoot(newer),
          proof,
        };
        expect(verifyConsistency(input), `${m}->${n}`).toBe(true);
        if (m > 0 && m < n) {
          // The old tree's history was rewritten: one batch hash changed.
          const rewritten = [...newer.slice(0, m - 1), sha256Hex("rewritten")];
          expect(verifyConsistency({ ...input, oldRoot: merkleRoot(rewritten) }), `${m}->${n}`).toBe(false);
          expect(verifyConsistency({ ...input, proof: [...proof].reverse() }), `${m}->${n}`).toBe(proof.length < 2);
        }
      }
    }
  });

  it("rejects out-of-range sizes and non-hex input", () => {
    expect(() => inclusionProof(batchHashes, 37)).toThrow(RangeError);
    expect(() => merkleRoot(["xyz"])).toThrow(TypeError);
    const root = merkleRoot(batchHashes);
    expect(verifyInclusion({ batchHash: batchHashes[0] as string, index: 0, treeSize: 0, proof: [], root })).toBe(
      false,
    );
    expect(verifyConsistency({ oldSize: 5, oldRoot: root, newSize: 4, newRoot: root, proof: [] })).toBe(false);
    expect(verifyConsistency({ oldSize: 5, oldRoot: root, newSize: 5, newRoot: root, proof: [] })).toBe(true);
  });
});
