// Original file: portcullis/v1/config.proto


/**
 * Tells a node that it was revoked.
 */
export interface Revoked {
  /**
   * Why, for the node's logs (for example "revoked by admin").
   */
  'reason'?: (string);
}

/**
 * Tells a node that it was revoked.
 */
export interface Revoked__Output {
  /**
   * Why, for the node's logs (for example "revoked by admin").
   */
  'reason': (string);
}
