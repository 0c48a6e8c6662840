// Original file: portcullis/v1/enrollment.proto

import type { KeyPurpose as _portcullis_v1_KeyPurpose, KeyPurpose__Output as _portcullis_v1_KeyPurpose__Output } from '../../portcullis/v1/KeyPurpose.ts';

/**
 * A node registering a new public key.
 */
export interface RotateNodeKeyRequest {
  /**
   * The node whose key is rotated; must equal the node identity that authenticated the RPC.
   */
  'nodeId'?: (string);
  /**
   * Which key is replaced.
   */
  'purpose'?: (_portcullis_v1_KeyPurpose);
  /**
   * The new public key as a JSON string of an Ed25519 public JWK.
   */
  'newPublicJwk'?: (string);
  /**
   * Proof of possession: a compact JWS (EdDSA, typ `portcullis-key-proof+jws`) made with the NEW private key
   * over {node_id, purpose, kid, iat}.
   */
  'proof'?: (string);
}

/**
 * A node registering a new public key.
 */
export interface RotateNodeKeyRequest__Output {
  /**
   * The node whose key is rotated; must equal the node identity that authenticated the RPC.
   */
  'nodeId': (string);
  /**
   * Which key is replaced.
   */
  'purpose': (_portcullis_v1_KeyPurpose__Output);
  /**
   * The new public key as a JSON string of an Ed25519 public JWK.
   */
  'newPublicJwk': (string);
  /**
   * Proof of possession: a compact JWS (EdDSA, typ `portcullis-key-proof+jws`) made with the NEW private key
   * over {node_id, purpose, kid, iat}.
   */
  'proof': (string);
}
