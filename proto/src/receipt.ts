// Ingest receipts: the control plane's signed statement that it stored a batch (IngestAck.receipt). A node can
// keep them as proof of delivery. Invariant: one receipt per batch, identical for every duplicate delivery.
import type { KeyObject } from "node:crypto";
import { isSha256Hex } from "./canonical.ts";
import { isRecord, signCompactJws, verifyCompactJws } from "./jws.ts";
import type { TrustedKeys } from "./keys.ts";
import { fail, ok, type Result } from "./result.ts";
import { isSafeUint } from "./uint.ts";

/** The JWS `typ` of ingest receipts. */
export const AUDIT_RECEIPT_JWS_TYPE = "portcullis-audit-receipt+jws";

/** The signed payload of a receipt. */
export interface AuditReceipt {
  node_id: string;
  stream_id: string;
  seq: number;
  batch_hash: string;
  /** RFC 3339 UTC time the batch was first stored. */
  received_at: string;
}

export interface SignReceiptInput {
  nodeId: string;
  streamId: string;
  seq: number;
  batchHash: string;
  /** When the batch was first stored; store it, so duplicates get the same receipt back. */
  receivedAt: Date;
  signingKey: KeyObject;
  kid: string;
}

export type ReceiptErrorCode = "malformed" | "bad_signature" | "unknown_key" | "batch_mismatch";

/** Signs a receipt. Deterministic: the same input gives the same receipt (Ed25519 signatures are). */
export function signReceipt(input: SignReceiptInput): string {
  const receipt: AuditReceipt = {
    node_id: input.nodeId,
    stream_id: input.streamId,
    seq: input.seq,
    batch_hash: input.batchHash,
    received_at: input.receivedAt.toISOString(),
  };
  return signCompactJws(AUDIT_RECEIPT_JWS_TYPE, input.kid, receipt, input.signingKey);
}

/** Verifies a receipt with the control plane's keys and that it is for the batch with `expect.batchHash`. */
export function verifyReceipt(
  jws: string,
  keys: KeyObject | TrustedKeys,
  expect: { batchHash: string },
): Result<AuditReceipt, ReceiptErrorCode> {
  const verified = verifyCompactJws(jws, AUDIT_RECEIPT_JWS_TYPE, keys);
  if (!verified.ok) {
    return verified;
  }
  const r = verified.value.payload;
  if (
    !isRecord(r) ||
    Object.keys(r).length !== 5 ||
    typeof r.node_id !== "string" ||
    typeof r.stream_id !== "string" ||
    !isSafeUint(r.seq) ||
    !isSha256Hex(r.batch_hash) ||
    typeof r.received_at !== "string"
  ) {
    return fail("malformed", "signed payload is not {batch_hash, node_id, received_at, seq, stream_id}");
  }
  if (r.batch_hash !== expect.batchHash) {
    return fail("batch_mismatch", "the receipt is for a different batch");
  }
  return ok(r as unknown as AuditReceipt);
}
