import { describe, expect, it } from "vitest";
import { sha256Hex } from "./canonical.ts";
import { generateSigningKeyPair, trustedKeys } from "./keys.ts";
import { signReceipt, verifyReceipt } from "./receipt.ts";
import { algNoneJws } from "./test-support.ts";

const cp = generateSigningKeyPair();
const input = {
  nodeId: "node-1",
  streamId: "0190a0b0-0000-7000-8000-000000000000",
  seq: 9,
  batchHash: sha256Hex("batch 9"),
  receivedAt: new Date("2026-03-01T00:00:00Z"),
  signingKey: cp.privateKey,
  kid: cp.kid,
};

describe("ingest receipts", () => {
  it("are identical for every delivery of the same batch (A06) and verify for that batch only", () => {
    const receipt = signReceipt(input);
    expect(signReceipt({ ...input })).toBe(receipt);
    expect(verifyReceipt(receipt, trustedKeys([cp.publicKey]), { batchHash: input.batchHash })).toEqual({
      ok: true,
      value: {
        node_id: "node-1",
        stream_id: input.streamId,
        seq: 9,
        batch_hash: input.batchHash,
        received_at: "2026-03-01T00:00:00.000Z",
      },
    });
    expect(verifyReceipt(receipt, cp.publicKey, { batchHash: sha256Hex("other") })).toMatchObject({
      ok: false,
      code: "batch_mismatch",
    });
  });

  it("reject forged or foreign receipts", () => {
    const receipt = signReceipt(input);
    expect(verifyReceipt(algNoneJws(receipt), cp.publicKey, { batchHash: input.batchHash })).toMatchObject({
      ok: false,
      code: "bad_signature",
    });
    const other = generateSigningKeyPair();
    const foreign = signReceipt({ ...input, signingKey: other.privateKey, kid: other.kid });
    expect(verifyReceipt(foreign, trustedKeys([cp.publicKey]), { batchHash: input.batchHash })).toMatchObject({
      ok: false,
      code: "unknown_key",
    });
  });
});
