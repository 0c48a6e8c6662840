// Original file: portcullis/v1/config.proto

import type { Hello as _portcullis_v1_Hello, Hello__Output as _portcullis_v1_Hello__Output } from '../../portcullis/v1/Hello.ts';
import type { Ack as _portcullis_v1_Ack, Ack__Output as _portcullis_v1_Ack__Output } from '../../portcullis/v1/Ack.ts';
import type { Nack as _portcullis_v1_Nack, Nack__Output as _portcullis_v1_Nack__Output } from '../../portcullis/v1/Nack.ts';
import type { Heartbeat as _portcullis_v1_Heartbeat, Heartbeat__Output as _portcullis_v1_Heartbeat__Output } from '../../portcullis/v1/Heartbeat.ts';

/**
 * A message from a data-plane node to the control plane.
 */
export interface DpMessage {
  /**
   * First message of every stream.
   */
  'hello'?: (_portcullis_v1_Hello | null);
  /**
   * The node validated, applied and persisted a snapshot.
   */
  'ack'?: (_portcullis_v1_Ack | null);
  /**
   * The node rejected a snapshot and keeps serving its current one.
   */
  'nack'?: (_portcullis_v1_Nack | null);
  /**
   * Periodic liveness and status report.
   */
  'heartbeat'?: (_portcullis_v1_Heartbeat | null);
  /**
   * Exactly one is set.
   */
  'kind'?: "hello"|"ack"|"nack"|"heartbeat";
}

/**
 * A message from a data-plane node to the control plane.
 */
export interface DpMessage__Output {
  /**
   * First message of every stream.
   */
  'hello'?: (_portcullis_v1_Hello__Output | null);
  /**
   * The node validated, applied and persisted a snapshot.
   */
  'ack'?: (_portcullis_v1_Ack__Output | null);
  /**
   * The node rejected a snapshot and keeps serving its current one.
   */
  'nack'?: (_portcullis_v1_Nack__Output | null);
  /**
   * Periodic liveness and status report.
   */
  'heartbeat'?: (_portcullis_v1_Heartbeat__Output | null);
  /**
   * Exactly one is set.
   */
  'kind'?: "hello"|"ack"|"nack"|"heartbeat";
}
