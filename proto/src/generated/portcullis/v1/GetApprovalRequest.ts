// Original file: portcullis/v1/approvals.proto


/**
 * Reads one approval of the calling node's session.
 */
export interface GetApprovalRequest {
  'approvalId'?: (string);
  /**
   * Must be the approval's session: a node reads only approvals of sessions it serves.
   */
  'sessionId'?: (string);
}

/**
 * Reads one approval of the calling node's session.
 */
export interface GetApprovalRequest__Output {
  'approvalId': (string);
  /**
   * Must be the approval's session: a node reads only approvals of sessions it serves.
   */
  'sessionId': (string);
}
