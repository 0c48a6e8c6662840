// Original file: portcullis/v1/enrollment.proto

/**
 * Which of a node's two keys a rotation replaces.
 */
export const KeyPurpose = {
  /**
   * Not set; always rejected.
   */
  KEY_PURPOSE_UNSPECIFIED: 'KEY_PURPOSE_UNSPECIFIED',
  /**
   * The key that signs audit batches (and the node's RPC credentials).
   */
  KEY_PURPOSE_SIGNING: 'KEY_PURPOSE_SIGNING',
  /**
   * The key that signs downstream assertions.
   */
  KEY_PURPOSE_ASSERTION: 'KEY_PURPOSE_ASSERTION',
} as const;

/**
 * Which of a node's two keys a rotation replaces.
 */
export type KeyPurpose =
  /**
   * Not set; always rejected.
   */
  | 'KEY_PURPOSE_UNSPECIFIED'
  | 0
  /**
   * The key that signs audit batches (and the node's RPC credentials).
   */
  | 'KEY_PURPOSE_SIGNING'
  | 1
  /**
   * The key that signs downstream assertions.
   */
  | 'KEY_PURPOSE_ASSERTION'
  | 2

/**
 * Which of a node's two keys a rotation replaces.
 */
export type KeyPurpose__Output = typeof KeyPurpose[keyof typeof KeyPurpose]
