// Original file: portcullis/v1/approvals.proto

import type { ApprovalStatus as _portcullis_v1_ApprovalStatus, ApprovalStatus__Output as _portcullis_v1_ApprovalStatus__Output } from '../../portcullis/v1/ApprovalStatus.ts';

/**
 * The control plane's answer about one approval.
 */
export interface ApprovalAnswer {
  'approvalId'?: (string);
  'status'?: (_portcullis_v1_ApprovalStatus);
  /**
   * Who decided (email or token name), when decided.
   */
  'decidedBy'?: (string);
  /**
   * The approvers entry the decider matched (their email or `role:<role>`); empty when the policy named nobody.
   */
  'approvedAs'?: (string);
  /**
   * The decider's comment.
   */
  'comment'?: (string);
  /**
   * RFC 3339 times.
   */
  'expiresAt'?: (string);
  'decidedAt'?: (string);
  /**
   * Where a person decides (console URL of the approval).
   */
  'decideUrl'?: (string);
}

/**
 * The control plane's answer about one approval.
 */
export interface ApprovalAnswer__Output {
  'approvalId': (string);
  'status': (_portcullis_v1_ApprovalStatus__Output);
  /**
   * Who decided (email or token name), when decided.
   */
  'decidedBy': (string);
  /**
   * The approvers entry the decider matched (their email or `role:<role>`); empty when the policy named nobody.
   */
  'approvedAs': (string);
  /**
   * The decider's comment.
   */
  'comment': (string);
  /**
   * RFC 3339 times.
   */
  'expiresAt': (string);
  'decidedAt': (string);
  /**
   * Where a person decides (console URL of the approval).
   */
  'decideUrl': (string);
}
