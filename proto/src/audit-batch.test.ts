import { compactVerify } from "jose";
import { describe, expect, it } from "vitest";
import {
  AUDIT_BATCH_JWS_TYPE,
  type AuditRecord,
  type BatchManifest,
  type ChainHead,
  checkChain,
  discontinuityRecord,
  encodeRecord,
  GENESIS_HASH,
  GENESIS_HEAD,
  isDiscontinuityRecord,
  type SealBatchInput,
  sealBatch,
  verifyBatch,
} from "./audit-batch.ts";
import { canonicalBytes, sha256Hex } from "./canonical.ts";
import { signCompactJws } from "./jws.ts";
import { generateSigningKeyPair, trustedKeys } from "./keys.ts";
import { algNoneJws, flipByte, hs256Jws, splitJws, withPayload } from "./test-support.ts";
import { uuidv7 } from "./uuid.ts";

const node = generateSigningKeyPair();
const otherNode = generateSigningKeyPair();
const nodeKeys = trustedKeys([node.publicKey]);
const nodeId = "node-1";
const streamId = uuidv7();

function records(from: number, count: number, stream = streamId): AuditRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    id: uuidv7(),
    stream_id: stream,
    seq: from + i,
    type: "decision",
    tool: "send_email",
    decision: i % 2 === 0 ? "allow" : "deny",
    args_digest: sha256Hex(`args-${from + i}`),
  }));
}

function seal(overrides: Partial<SealBatchInput> = {}) {
  return sealBatch({
    nodeId,
    streamId,
    seq: 1,
    prevBatchHash: GENESIS_HASH,
    records: records(1, 3),
    configVersion: 7,
    signingKey: node.privateKey,
    kid: node.kid,
    now: new Date("2026-03-01T12:00:00.123Z"),
    ...overrides,
  });
}

/** Signs an arbitrary manifest with the node key, bypassing sealBatch's own checks. */
function signManifest(manifest: unknown): string {
  return signCompactJws(AUDIT_BATCH_JWS_TYPE, node.kid, manifest, node.privateKey);
}

const first = seal();

describe("sealBatch", () => {
  it("builds a manifest binding node, stream, seq, prev, records hash, counts and config version", () => {
    expect(first.manifest).toEqual({
      v: 1,
      node_id: nodeId,
      stream_id: streamId,
      seq: 1,
      prev: GENESIS_HASH,
      records_sha256: sha256Hex(first.recordsBytes),
      count: 3,
      first_event_seq: 1,
      last_event_seq: 3,
      config_version: 7,
      created_at: "2026-03-01T12:00:00.123Z",
    });
    expect(first.batchHash).toBe(sha256Hex(first.jws));
    expect(first.recordsBytes.toString("utf8").split("\n")).toHaveLength(3);
    expect(splitJws(first.jws).header).toEqual({ alg: "EdDSA", kid: node.kid, typ: AUDIT_BATCH_JWS_TYPE });
  });

  it("produces a standard compact JWS that jose verifies", async () => {
    const { payload, protectedHeader } = await compactVerify(first.jws, node.publicKey, { algorithms: ["EdDSA"] });
    expect(protectedHeader.typ).toBe(AUDIT_BATCH_JWS_TYPE);
    expect(JSON.parse(Buffer.from(payload).toString("utf8"))).toEqual(first.manifest);
  });

  it("accepts records already encoded (as read back from the spool) with the same result", () => {
    const recs = records(1, 3);
    const fromObjects = seal({ records: recs });
    const fromBytes = seal({ records: recs.map(encodeRecord) });
    expect(fromBytes.jws).toBe(fromObjects.jws);
    expect(fromBytes.recordsBytes.equals(fromObjects.recordsBytes)).toBe(true);
  });

  it("refuses records that are not one contiguous run of this stream, and bad batch numbers", () => {
    const [a, b] = records(1, 2) as [AuditRecord, AuditRecord];
    expect(() => seal({ records: [] })).toThrow(RangeError);
    expect(() => seal({ records: [a, { ...b, seq: 3 }] })).toThrow(/breaks the run/);
    expect(() => seal({ records: [a, { ...b, stream_id: "other" }] })).toThrow(/stream_id/);
    expect(() => seal({ records: [{ ...a, id: "not-a-uuid" }] })).toThrow(/UUIDv7/);
    expect(() => seal({ records: [{ ...a, seq: 0 }] })).toThrow(/seq/);
    expect(() => seal({ seq: 2, prevBatchHash: GENESIS_HASH })).toThrow(/GENESIS_HASH/);
    expect(() => seal({ seq: 1, prevBatchHash: first.batchHash })).toThrow(/GENESIS_HASH/);
    expect(() => seal({ seq: 0 })).toThrow(RangeError);
    expect(() => seal({ configVersion: -1 })).toThrow(RangeError);
    expect(() => seal({ nodeId: "" })).toThrow(TypeError);
    expect(() => encodeRecord({ ...a, extra: undefined })).toThrow();
  });
});

describe("verifyBatch", () => {
  it("returns the manifest, batch hash and parsed records of a good batch", () => {
    const result = verifyBatch(first.jws, first.recordsBytes, nodeKeys, { nodeId, streamId });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.manifest).toEqual(first.manifest);
    expect(result.value.batchHash).toBe(first.batchHash);
    expect(result.value.kid).toBe(node.kid);
    expect(result.value.records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(verifyBatch(first.jws, first.recordsBytes, node.publicKey, { nodeId }).ok).toBe(true);
  });

  it("detects one changed byte in a record (A02)", () => {
    for (const index of [0, 40, first.recordsBytes.length - 1]) {
      expect(verifyBatch(first.jws, flipByte(first.recordsBytes, index), nodeKeys, { nodeId })).toMatchObject({
        ok: false,
        code: "records_hash_mismatch",
      });
    }
  });

  it("detects a record deleted from the batch (A03)", () => {
    const lines = first.recordsBytes.toString("utf8").split("\n");
    const fewer = Buffer.from([lines[0], lines[2]].join("\n"));
    expect(verifyBatch(first.jws, fewer, nodeKeys, { nodeId })).toMatchObject({
      ok: false,
      code: "records_hash_mismatch",
    });
  });

  it("detects an edited manifest (seq, prev, node) kept under the old signature", () => {
    const edits: Partial<BatchManifest>[] = [{ seq: 2 }, { prev: "1".repeat(64) }, { node_id: "node-2" }, { count: 2 }];
    for (const edit of edits) {
      const forged = withPayload(first.jws, JSON.stringify({ ...first.manifest, ...edit }));
      expect(verifyBatch(forged, first.recordsBytes, nodeKeys, { nodeId }), JSON.stringify(edit)).toMatchObject({
        ok: false,
        code: "bad_signature",
      });
    }
  });

  it("detects a batch signed by a different key: bad_signature under our kid, unknown_key under its own (A07)", () => {
    const impostor = seal({ signingKey: otherNode.privateKey });
    expect(verifyBatch(impostor.jws, impostor.recordsBytes, nodeKeys, { nodeId })).toMatchObject({
      ok: false,
      code: "bad_signature",
    });
    const unknown = seal({ signingKey: otherNode.privateKey, kid: otherNode.kid });
    expect(verifyBatch(unknown.jws, unknown.recordsBytes, nodeKeys, { nodeId })).toMatchObject({
      ok: false,
      code: "unknown_key",
    });
    expect(verifyBatch(unknown.jws, unknown.recordsBytes, node.publicKey, { nodeId })).toMatchObject({
      ok: false,
      code: "bad_signature",
    });
  });

  it("rejects alg none and HS256 signed with the node's public key", () => {
    expect(verifyBatch(algNoneJws(first.jws), first.recordsBytes, nodeKeys, { nodeId })).toMatchObject({
      ok: false,
      code: "bad_signature",
    });
    for (const secret of [
      node.publicKey.export({ format: "pem", type: "spki" }).toString(),
      JSON.stringify(node.publicJwk),
    ]) {
      expect(verifyBatch(hs256Jws(first.jws, secret), first.recordsBytes, nodeKeys, { nodeId })).toMatchObject({
        ok: false,
        code: "bad_signature",
      });
    }
  });

  it("detects a valid batch from another node or stream (A07: node_id ≠ the authenticated node)", () => {
    expect(verifyBatch(first.jws, first.recordsBytes, nodeKeys, { nodeId: "node-2" })).toMatchObject({
      ok: false,
      code: "node_mismatch",
    });
    expect(verifyBatch(first.jws, first.recordsBytes, nodeKeys, { nodeId, streamId: uuidv7() })).toMatchObject({
      ok: false,
      code: "stream_mismatch",
    });
  });

  it("detects a signed count that disagrees with the records", () => {
    const recs = records(1, 3).map(encodeRecord);
    const bytes = Buffer.from(recs.slice(0, 2).join("\n"));
    const manifest = { ...first.manifest, records_sha256: sha256Hex(bytes) };
    expect(verifyBatch(signManifest(manifest), bytes, nodeKeys, { nodeId })).toMatchObject({
      ok: false,
      code: "count_mismatch",
    });
  });

  it("detects records whose seqs or stream disagree with the signed range", () => {
    const cases = [[...records(1, 2), ...records(4, 1)], records(2, 3), [...records(1, 2), ...records(3, 1, uuidv7())]];
    for (const recs of cases) {
      const bytes = Buffer.from(recs.map((r) => canonicalBytes(r).toString()).join("\n"));
      const manifest = { ...first.manifest, records_sha256: sha256Hex(bytes) };
      expect(verifyBatch(signManifest(manifest), bytes, nodeKeys, { nodeId })).toMatchObject({
        ok: false,
        code: "sequence_mismatch",
      });
    }
  });

  it("rejects correctly signed but malformed manifests and records", () => {
    const { created_at: _, ...withoutCreatedAt } = first.manifest;
    const manifests: unknown[] = [
      withoutCreatedAt,
      { ...first.manifest, extra: true },
      { ...first.manifest, v: 2 },
      { ...first.manifest, seq: "1" },
      { ...first.manifest, seq: 2 }, // prev is GENESIS_HASH but seq is not 1
      { ...first.manifest, last_event_seq: 4 },
      { ...first.manifest, count: 0, last_event_seq: 0 },
      { ...first.manifest, created_at: "yesterday" },
      { ...first.manifest, prev: "ABC" },
    ];
    for (const manifest of manifests) {
      expect(
        verifyBatch(signManifest(manifest), first.recordsBytes, nodeKeys, { nodeId }),
        JSON.stringify(manifest),
      ).toMatchObject({
        ok: false,
        code: "malformed",
      });
    }
    const recordLines = ['{"id":"x","seq":1,"stream_id":"s","type":"decision"}', `{ "seq": 1 }`, `{"b":1,"a":2}`, ""];
    for (const line of recordLines) {
      const bytes = Buffer.from(line);
      const manifest = { ...first.manifest, count: 1, last_event_seq: 1, records_sha256: sha256Hex(bytes) };
      expect(verifyBatch(signManifest(manifest), bytes, nodeKeys, { nodeId }), line).toMatchObject({
        ok: false,
        code: "malformed",
      });
    }
  });

  it("seals and verifies 1000 records in one batch, chained after another", () => {
    const big = seal({ seq: 2, prevBatchHash: first.batchHash, records: records(4, 1000) });
    const result = verifyBatch(big.jws, big.recordsBytes, nodeKeys, { nodeId, streamId });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.records).toHaveLength(1000);
    expect(result.value.manifest).toMatchObject({ count: 1000, first_event_seq: 4, last_event_seq: 1003 });
    const head = checkChain({ seq: 1, batchHash: first.batchHash, lastEventSeq: 3 }, result.value);
    expect(head).toEqual({ ok: true, value: { seq: 2, batchHash: big.batchHash, lastEventSeq: 1003 } });
  });
});

describe("checkChain", () => {
  const second = seal({ seq: 2, prevBatchHash: first.batchHash, records: records(4, 2) });
  const third = seal({ seq: 3, prevBatchHash: second.batchHash, records: records(6, 1) });
  const afterFirst: ChainHead = { seq: 1, batchHash: first.batchHash, lastEventSeq: 3 };

  it("walks a chain from genesis", () => {
    let head: ChainHead = GENESIS_HEAD;
    for (const batch of [first, second, third]) {
      const next = checkChain(head, batch);
      expect(next.ok).toBe(true);
      if (next.ok) head = next.value;
    }
    expect(head).toEqual({ seq: 3, batchHash: third.batchHash, lastEventSeq: 6 });
    expect(checkChain(null, first).ok).toBe(true);
  });

  it("reports a missing middle batch as a gap (A04)", () => {
    expect(checkChain(afterFirst, third)).toMatchObject({ ok: false, code: "gap" });
    expect(checkChain(GENESIS_HEAD, second)).toMatchObject({ ok: false, code: "gap" });
  });

  it("reports a validly signed batch with the wrong prev as broken_chain", () => {
    const forked = seal({ seq: 2, prevBatchHash: "ab".repeat(32), records: records(4, 2) });
    expect(checkChain(afterFirst, forked)).toMatchObject({ ok: false, code: "broken_chain" });
  });

  it("reports events missing between batches as a gap", () => {
    const skipped = seal({ seq: 2, prevBatchHash: first.batchHash, records: records(5, 1) });
    expect(checkChain(afterFirst, skipped)).toMatchObject({ ok: false, code: "gap" });
  });

  it("reports a reused seq, for the caller to tell a duplicate from equivocation (A06)", () => {
    const head = { seq: 2, batchHash: second.batchHash, lastEventSeq: 5 };
    expect(checkChain(head, second)).toMatchObject({ ok: false, code: "seq_reused" });
    const equivocating = seal({ seq: 2, prevBatchHash: first.batchHash, records: records(4, 2) });
    expect(equivocating.batchHash).not.toBe(second.batchHash);
    expect(checkChain(head, equivocating)).toMatchObject({ ok: false, code: "seq_reused" });
  });
});

describe("discontinuity records", () => {
  it("opens a new stream with a signed record naming the lost stream and the last acknowledged batch", () => {
    const newStream = uuidv7();
    const record = discontinuityRecord({
      streamId: newStream,
      previousStreamId: streamId,
      lastAcked: { seq: 1, batchHash: first.batchHash },
      reason: "spool corrupted",
      now: new Date("2026-03-02T00:00:00Z"),
    });
    expect(record).toMatchObject({
      stream_id: newStream,
      seq: 1,
      type: "discontinuity",
      previous_stream_id: streamId,
      last_acked_seq: 1,
      last_acked_batch_hash: first.batchHash,
      reason: "spool corrupted",
      at: "2026-03-02T00:00:00.000Z",
    });
    const batch = seal({ streamId: newStream, records: [record, ...records(2, 2, newStream)] });
    const verified = verifyBatch(batch.jws, batch.recordsBytes, nodeKeys, { nodeId, streamId: newStream });
    expect(verified.ok).toBe(true);
    if (!verified.ok) return;
    expect(isDiscontinuityRecord(verified.value.records[0])).toBe(true);
    expect(isDiscontinuityRecord(verified.value.records[1])).toBe(false);
    expect(isDiscontinuityRecord({ ...record, last_acked_batch_hash: "x" })).toBe(false);
  });
});
