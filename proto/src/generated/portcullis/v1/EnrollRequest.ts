// Original file: portcullis/v1/enrollment.proto


/**
 * A node asking to join the fleet.
 */
export interface EnrollRequest {
  /**
   * The one-time bootstrap token issued in the console or CLI. The control plane stores only its hash and
   * refuses it once used or expired.
   */
  'bootstrapToken'?: (string);
  /**
   * Human-readable node name shown in the console (for example the pod or host name). Not an identity.
   */
  'nodeName'?: (string);
  /**
   * Version of the data-plane software, for the console and for compatibility checks.
   */
  'dpVersion'?: (string);
  /**
   * The node's Ed25519 public key for signing audit batches, as a JSON string of a public JWK
   * ({"kty":"OKP","crv":"Ed25519","x":...}). Its `kid`, when present, must be the RFC 7638 thumbprint.
   */
  'signingPublicJwk'?: (string);
  /**
   * The node's Ed25519 public key for minting downstream assertions, as a JSON string of a public JWK.
   * The control plane publishes it at /.well-known/jwks.json so tools can verify the node's assertions.
   */
  'assertionPublicJwk'?: (string);
  /**
   * Operator-chosen labels for the node (region, zone, group...). Readable by policies as `env` node labels.
   */
  'labels'?: ({[key: string]: string});
}

/**
 * A node asking to join the fleet.
 */
export interface EnrollRequest__Output {
  /**
   * The one-time bootstrap token issued in the console or CLI. The control plane stores only its hash and
   * refuses it once used or expired.
   */
  'bootstrapToken': (string);
  /**
   * Human-readable node name shown in the console (for example the pod or host name). Not an identity.
   */
  'nodeName': (string);
  /**
   * Version of the data-plane software, for the console and for compatibility checks.
   */
  'dpVersion': (string);
  /**
   * The node's Ed25519 public key for signing audit batches, as a JSON string of a public JWK
   * ({"kty":"OKP","crv":"Ed25519","x":...}). Its `kid`, when present, must be the RFC 7638 thumbprint.
   */
  'signingPublicJwk': (string);
  /**
   * The node's Ed25519 public key for minting downstream assertions, as a JSON string of a public JWK.
   * The control plane publishes it at /.well-known/jwks.json so tools can verify the node's assertions.
   */
  'assertionPublicJwk': (string);
  /**
   * Operator-chosen labels for the node (region, zone, group...). Readable by policies as `env` node labels.
   */
  'labels': ({[key: string]: string});
}
