// Original file: portcullis/v1/enrollment.proto


/**
 * The identity the control plane assigned to an enrolled node.
 */
export interface EnrollResponse {
  /**
   * Stable identifier of the node, used in every later RPC and in every audit batch manifest.
   */
  'nodeId'?: (string);
  /**
   * The node group the bootstrap token was issued for; nodes in a group receive the same snapshots.
   */
  'groupId'?: (string);
  /**
   * The control plane's public signing keys as a JSON string of a JWK Set ({"keys":[...]}); the node verifies
   * snapshots, checkpoints and ingest receipts with these.
   */
  'cpPublicJwks'?: (string);
  /**
   * The `iss` the node puts into downstream assertions (the gateway's issuer URL).
   */
  'issuer'?: (string);
  /**
   * The `aud` of the short-lived node-signed JWTs that authenticate this node's later RPCs.
   */
  'audience'?: (string);
}

/**
 * The identity the control plane assigned to an enrolled node.
 */
export interface EnrollResponse__Output {
  /**
   * Stable identifier of the node, used in every later RPC and in every audit batch manifest.
   */
  'nodeId': (string);
  /**
   * The node group the bootstrap token was issued for; nodes in a group receive the same snapshots.
   */
  'groupId': (string);
  /**
   * The control plane's public signing keys as a JSON string of a JWK Set ({"keys":[...]}); the node verifies
   * snapshots, checkpoints and ingest receipts with these.
   */
  'cpPublicJwks': (string);
  /**
   * The `iss` the node puts into downstream assertions (the gateway's issuer URL).
   */
  'issuer': (string);
  /**
   * The `aud` of the short-lived node-signed JWTs that authenticate this node's later RPCs.
   */
  'audience': (string);
}
