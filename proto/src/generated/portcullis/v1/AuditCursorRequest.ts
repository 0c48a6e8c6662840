// Original file: portcullis/v1/audit.proto


/**
 * Asks where the control plane's copy of a stream ends.
 */
export interface AuditCursorRequest {
  /**
   * The stream to look up; it must belong to the authenticated node.
   */
  'streamId'?: (string);
}

/**
 * Asks where the control plane's copy of a stream ends.
 */
export interface AuditCursorRequest__Output {
  /**
   * The stream to look up; it must belong to the authenticated node.
   */
  'streamId': (string);
}
