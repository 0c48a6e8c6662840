// Original file: portcullis/v1/enrollment.proto


/**
 * The control plane's answer to a key rotation.
 */
export interface RotateNodeKeyResponse {
  /**
   * The key id (RFC 7638 thumbprint) under which the new key is now registered.
   */
  'kid'?: (string);
  /**
   * The control plane's current public signing keys as a JSON string of a JWK Set, so rotation also refreshes
   * the node's trust anchors.
   */
  'cpPublicJwks'?: (string);
}

/**
 * The control plane's answer to a key rotation.
 */
export interface RotateNodeKeyResponse__Output {
  /**
   * The key id (RFC 7638 thumbprint) under which the new key is now registered.
   */
  'kid': (string);
  /**
   * The control plane's current public signing keys as a JSON string of a JWK Set, so rotation also refreshes
   * the node's trust anchors.
   */
  'cpPublicJwks': (string);
}
