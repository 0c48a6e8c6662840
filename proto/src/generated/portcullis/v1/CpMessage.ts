// Original file: portcullis/v1/config.proto

import type { Snapshot as _portcullis_v1_Snapshot, Snapshot__Output as _portcullis_v1_Snapshot__Output } from '../../portcullis/v1/Snapshot.ts';
import type { HeartbeatAck as _portcullis_v1_HeartbeatAck, HeartbeatAck__Output as _portcullis_v1_HeartbeatAck__Output } from '../../portcullis/v1/HeartbeatAck.ts';
import type { Revoked as _portcullis_v1_Revoked, Revoked__Output as _portcullis_v1_Revoked__Output } from '../../portcullis/v1/Revoked.ts';

/**
 * A message from the control plane to a data-plane node.
 */
export interface CpMessage {
  /**
   * A new full config snapshot for the node to validate and apply.
   */
  'snapshot'?: (_portcullis_v1_Snapshot | null);
  /**
   * Answer to a Heartbeat.
   */
  'heartbeatAck'?: (_portcullis_v1_HeartbeatAck | null);
  /**
   * The node was revoked; the control plane closes the stream right after this message.
   */
  'revoked'?: (_portcullis_v1_Revoked | null);
  /**
   * Exactly one is set.
   */
  'kind'?: "snapshot"|"heartbeatAck"|"revoked";
}

/**
 * A message from the control plane to a data-plane node.
 */
export interface CpMessage__Output {
  /**
   * A new full config snapshot for the node to validate and apply.
   */
  'snapshot'?: (_portcullis_v1_Snapshot__Output | null);
  /**
   * Answer to a Heartbeat.
   */
  'heartbeatAck'?: (_portcullis_v1_HeartbeatAck__Output | null);
  /**
   * The node was revoked; the control plane closes the stream right after this message.
   */
  'revoked'?: (_portcullis_v1_Revoked__Output | null);
  /**
   * Exactly one is set.
   */
  'kind'?: "snapshot"|"heartbeatAck"|"revoked";
}
