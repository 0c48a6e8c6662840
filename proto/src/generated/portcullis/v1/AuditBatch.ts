// Original file: portcullis/v1/audit.proto


/**
 * One sealed batch of audit records.
 */
export interface AuditBatch {
  /**
   * Compact JWS (EdDSA, the node's signing key, typ `portcullis-audit-batch+jws`) over the batch manifest:
   * canonical JSON naming node, stream, batch seq, the previous batch's hash, the SHA-256 of `records`, the record
   * count and sequence range, the config version and the creation time.
   */
  'jws'?: (string);
  /**
   * The records: each is the canonical JSON of one audit event, joined with "\n" (no trailing newline).
   */
  'records'?: (Buffer | Uint8Array | string);
}

/**
 * One sealed batch of audit records.
 */
export interface AuditBatch__Output {
  /**
   * Compact JWS (EdDSA, the node's signing key, typ `portcullis-audit-batch+jws`) over the batch manifest:
   * canonical JSON naming node, stream, batch seq, the previous batch's hash, the SHA-256 of `records`, the record
   * count and sequence range, the config version and the creation time.
   */
  'jws': (string);
  /**
   * The records: each is the canonical JSON of one audit event, joined with "\n" (no trailing newline).
   */
  'records': (Buffer);
}
