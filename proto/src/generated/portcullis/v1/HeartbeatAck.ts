// Original file: portcullis/v1/config.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Answer to a Heartbeat.
 */
export interface HeartbeatAck {
  /**
   * The control plane's wall clock when it answered, in milliseconds since the Unix epoch; lets the node
   * notice clock skew, which would break the expiry of the assertions it mints.
   */
  'serverTimeMs'?: (number | string | Long);
}

/**
 * Answer to a Heartbeat.
 */
export interface HeartbeatAck__Output {
  /**
   * The control plane's wall clock when it answered, in milliseconds since the Unix epoch; lets the node
   * notice clock skew, which would break the expiry of the assertions it mints.
   */
  'serverTimeMs': (string);
}
