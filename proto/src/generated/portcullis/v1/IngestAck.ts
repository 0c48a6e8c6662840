// Original file: portcullis/v1/audit.proto

import type { Long } from '@grpc/proto-loader';

// Original file: portcullis/v1/audit.proto

/**
 * What happened to the batch.
 */
export const _portcullis_v1_IngestAck_Status = {
  /**
   * Not set; never sent.
   */
  STATUS_UNSPECIFIED: 'STATUS_UNSPECIFIED',
  /**
   * Verified and stored.
   */
  ACCEPTED: 'ACCEPTED',
  /**
   * Identical to a batch already stored (a retry); nothing changed. Carries the original receipt.
   */
  DUPLICATE: 'DUPLICATE',
  /**
   * Not stored. `reason` says why (for example bad_signature, unknown_key, gap, broken_chain, equivocation).
   */
  REJECTED: 'REJECTED',
} as const;

/**
 * What happened to the batch.
 */
export type _portcullis_v1_IngestAck_Status =
  /**
   * Not set; never sent.
   */
  | 'STATUS_UNSPECIFIED'
  | 0
  /**
   * Verified and stored.
   */
  | 'ACCEPTED'
  | 1
  /**
   * Identical to a batch already stored (a retry); nothing changed. Carries the original receipt.
   */
  | 'DUPLICATE'
  | 2
  /**
   * Not stored. `reason` says why (for example bad_signature, unknown_key, gap, broken_chain, equivocation).
   */
  | 'REJECTED'
  | 3

/**
 * What happened to the batch.
 */
export type _portcullis_v1_IngestAck_Status__Output = typeof _portcullis_v1_IngestAck_Status[keyof typeof _portcullis_v1_IngestAck_Status]

/**
 * The control plane's answer to one AuditBatch.
 */
export interface IngestAck {
  /**
   * The stream of the batch being answered (from its manifest).
   */
  'streamId'?: (string);
  /**
   * The batch seq being answered (from its manifest).
   */
  'seq'?: (number | string | Long);
  /**
   * The outcome.
   */
  'status'?: (_portcullis_v1_IngestAck_Status);
  /**
   * Machine-readable reason for REJECTED; empty otherwise.
   */
  'reason'?: (string);
  /**
   * For ACCEPTED and DUPLICATE: a compact JWS (EdDSA, a control-plane key, typ `portcullis-audit-receipt+jws`)
   * over {node_id, stream_id, seq, batch_hash, received_at}. Identical for every duplicate of the same batch.
   */
  'receipt'?: (string);
  /**
   * SHA-256 (lowercase hex) of the batch's JWS, as the control plane computed it.
   */
  'batchHash'?: (string);
}

/**
 * The control plane's answer to one AuditBatch.
 */
export interface IngestAck__Output {
  /**
   * The stream of the batch being answered (from its manifest).
   */
  'streamId': (string);
  /**
   * The batch seq being answered (from its manifest).
   */
  'seq': (string);
  /**
   * The outcome.
   */
  'status': (_portcullis_v1_IngestAck_Status__Output);
  /**
   * Machine-readable reason for REJECTED; empty otherwise.
   */
  'reason': (string);
  /**
   * For ACCEPTED and DUPLICATE: a compact JWS (EdDSA, a control-plane key, typ `portcullis-audit-receipt+jws`)
   * over {node_id, stream_id, seq, batch_hash, received_at}. Identical for every duplicate of the same batch.
   */
  'receipt': (string);
  /**
   * SHA-256 (lowercase hex) of the batch's JWS, as the control plane computed it.
   */
  'batchHash': (string);
}
