// Original file: portcullis/v1/approvals.proto

/**
 * Where an approval stands.
 */
export const ApprovalStatus = {
  APPROVAL_STATUS_UNSPECIFIED: 'APPROVAL_STATUS_UNSPECIFIED',
  /**
   * Waiting for a person.
   */
  APPROVAL_STATUS_PENDING: 'APPROVAL_STATUS_PENDING',
  /**
   * Approved and consumed by this very request: execute the call now, once.
   */
  APPROVAL_STATUS_APPROVED: 'APPROVAL_STATUS_APPROVED',
  /**
   * A person rejected it.
   */
  APPROVAL_STATUS_REJECTED: 'APPROVAL_STATUS_REJECTED',
  /**
   * Nobody decided (or the approved call was not retried) before it expired.
   */
  APPROVAL_STATUS_EXPIRED: 'APPROVAL_STATUS_EXPIRED',
  /**
   * Approved, not yet used (GetApproval only: retry the call to consume it).
   */
  APPROVAL_STATUS_DECIDED_APPROVED: 'APPROVAL_STATUS_DECIDED_APPROVED',
  /**
   * Already used by an earlier call (GetApproval only).
   */
  APPROVAL_STATUS_CONSUMED: 'APPROVAL_STATUS_CONSUMED',
} as const;

/**
 * Where an approval stands.
 */
export type ApprovalStatus =
  | 'APPROVAL_STATUS_UNSPECIFIED'
  | 0
  /**
   * Waiting for a person.
   */
  | 'APPROVAL_STATUS_PENDING'
  | 1
  /**
   * Approved and consumed by this very request: execute the call now, once.
   */
  | 'APPROVAL_STATUS_APPROVED'
  | 2
  /**
   * A person rejected it.
   */
  | 'APPROVAL_STATUS_REJECTED'
  | 3
  /**
   * Nobody decided (or the approved call was not retried) before it expired.
   */
  | 'APPROVAL_STATUS_EXPIRED'
  | 4
  /**
   * Approved, not yet used (GetApproval only: retry the call to consume it).
   */
  | 'APPROVAL_STATUS_DECIDED_APPROVED'
  | 5
  /**
   * Already used by an earlier call (GetApproval only).
   */
  | 'APPROVAL_STATUS_CONSUMED'
  | 6

/**
 * Where an approval stands.
 */
export type ApprovalStatus__Output = typeof ApprovalStatus[keyof typeof ApprovalStatus]
