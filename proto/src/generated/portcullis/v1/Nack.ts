// Original file: portcullis/v1/config.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Rejects a snapshot. The node keeps serving serving_version; the control plane does not resend
 * rejected_version on this stream.
 */
export interface Nack {
  /**
   * The nonce of the Snapshot being rejected.
   */
  'nonce'?: (string);
  /**
   * The version that failed validation.
   */
  'rejectedVersion'?: (number | string | Long);
  /**
   * The version the node still serves (0 when none).
   */
  'servingVersion'?: (number | string | Long);
  /**
   * Human-readable reasons (signature, hash, a reference, a CEL compile error, the mass-delete guard...), shown
   * in the console as the node's last NACK.
   */
  'errors'?: (string)[];
}

/**
 * Rejects a snapshot. The node keeps serving serving_version; the control plane does not resend
 * rejected_version on this stream.
 */
export interface Nack__Output {
  /**
   * The nonce of the Snapshot being rejected.
   */
  'nonce': (string);
  /**
   * The version that failed validation.
   */
  'rejectedVersion': (string);
  /**
   * The version the node still serves (0 when none).
   */
  'servingVersion': (string);
  /**
   * Human-readable reasons (signature, hash, a reference, a CEL compile error, the mass-delete guard...), shown
   * in the console as the node's last NACK.
   */
  'errors': (string)[];
}
