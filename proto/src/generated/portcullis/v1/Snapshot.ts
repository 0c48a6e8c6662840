// Original file: portcullis/v1/config.proto

import type { Long } from '@grpc/proto-loader';

/**
 * The full, signed config state for a node.
 */
export interface Snapshot {
  /**
   * Monotonic version from a Postgres sequence; never reused, including after a NACK.
   */
  'version'?: (number | string | Long);
  /**
   * Random per-send value that the node echoes in its Ack or Nack, so stale answers can be told apart.
   */
  'nonce'?: (string);
  /**
   * Canonical JSON (RFC 8785 style) of the full state, as UTF-8 bytes. Nodes reject non-canonical bytes.
   */
  'resourcesJson'?: (Buffer | Uint8Array | string);
  /**
   * SHA-256 (lowercase hex) of resources_json.
   */
  'sha256'?: (string);
  /**
   * Compact JWS (EdDSA, typ `portcullis-snapshot+jws`, kid = a control-plane key) whose payload is the
   * canonical JSON of {iat, sha256, version}; binds the version to the exact resources bytes.
   */
  'signature'?: (string);
}

/**
 * The full, signed config state for a node.
 */
export interface Snapshot__Output {
  /**
   * Monotonic version from a Postgres sequence; never reused, including after a NACK.
   */
  'version': (string);
  /**
   * Random per-send value that the node echoes in its Ack or Nack, so stale answers can be told apart.
   */
  'nonce': (string);
  /**
   * Canonical JSON (RFC 8785 style) of the full state, as UTF-8 bytes. Nodes reject non-canonical bytes.
   */
  'resourcesJson': (Buffer);
  /**
   * SHA-256 (lowercase hex) of resources_json.
   */
  'sha256': (string);
  /**
   * Compact JWS (EdDSA, typ `portcullis-snapshot+jws`, kid = a control-plane key) whose payload is the
   * canonical JSON of {iat, sha256, version}; binds the version to the exact resources bytes.
   */
  'signature': (string);
}
