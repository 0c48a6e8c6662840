// Original file: portcullis/v1/config.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Periodic status report from a node; also keeps the stream alive through idle proxies.
 */
export interface Heartbeat {
  /**
   * The version the node serves (0 when none).
   */
  'servingVersion'?: (number | string | Long);
  /**
   * Number of audit records in the local spool that the control plane has not acknowledged yet.
   */
  'spoolDepth'?: (number | string | Long);
  /**
   * Age in milliseconds of the oldest unacknowledged audit record (0 when the spool is empty).
   */
  'auditLagMs'?: (number | string | Long);
  /**
   * How long applying the last snapshot took, in milliseconds, from receipt to ACK.
   */
  'lastApplyMs'?: (number);
}

/**
 * Periodic status report from a node; also keeps the stream alive through idle proxies.
 */
export interface Heartbeat__Output {
  /**
   * The version the node serves (0 when none).
   */
  'servingVersion': (string);
  /**
   * Number of audit records in the local spool that the control plane has not acknowledged yet.
   */
  'spoolDepth': (string);
  /**
   * Age in milliseconds of the oldest unacknowledged audit record (0 when the spool is empty).
   */
  'auditLagMs': (string);
  /**
   * How long applying the last snapshot took, in milliseconds, from receipt to ACK.
   */
  'lastApplyMs': (number);
}
