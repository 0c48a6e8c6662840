// Original file: portcullis/v1/config.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Acknowledges a snapshot: it was fully validated, swapped in, and persisted to disk.
 */
export interface Ack {
  /**
   * The nonce of the Snapshot being acknowledged.
   */
  'nonce'?: (string);
  /**
   * The version now served.
   */
  'version'?: (number | string | Long);
}

/**
 * Acknowledges a snapshot: it was fully validated, swapped in, and persisted to disk.
 */
export interface Ack__Output {
  /**
   * The nonce of the Snapshot being acknowledged.
   */
  'nonce': (string);
  /**
   * The version now served.
   */
  'version': (string);
}
