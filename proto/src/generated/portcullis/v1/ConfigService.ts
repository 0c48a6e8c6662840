// Original file: portcullis/v1/config.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CpMessage as _portcullis_v1_CpMessage, CpMessage__Output as _portcullis_v1_CpMessage__Output } from '../../portcullis/v1/CpMessage.ts';
import type { DpMessage as _portcullis_v1_DpMessage, DpMessage__Output as _portcullis_v1_DpMessage__Output } from '../../portcullis/v1/DpMessage.ts';

/**
 * Streams signed config snapshots to data-plane nodes and collects their acknowledgements.
 */
export interface ConfigServiceClient extends grpc.Client {
  /**
   * The node opens the stream with a Hello and then answers every Snapshot with an Ack or a Nack; it sends a
   * Heartbeat periodically. The control plane sends a Snapshot whenever the node does not serve the current
   * version, never resends a version the node NACKed on this stream, and ignores messages with stale nonces.
   * Authenticated per node (mTLS or a short-lived node-signed JWT in the `authorization` metadata).
   */
  Stream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_portcullis_v1_DpMessage, _portcullis_v1_CpMessage__Output>;
  Stream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_portcullis_v1_DpMessage, _portcullis_v1_CpMessage__Output>;
  /**
   * The node opens the stream with a Hello and then answers every Snapshot with an Ack or a Nack; it sends a
   * Heartbeat periodically. The control plane sends a Snapshot whenever the node does not serve the current
   * version, never resends a version the node NACKed on this stream, and ignores messages with stale nonces.
   * Authenticated per node (mTLS or a short-lived node-signed JWT in the `authorization` metadata).
   */
  stream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_portcullis_v1_DpMessage, _portcullis_v1_CpMessage__Output>;
  stream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_portcullis_v1_DpMessage, _portcullis_v1_CpMessage__Output>;
  
}

/**
 * Streams signed config snapshots to data-plane nodes and collects their acknowledgements.
 */
export interface ConfigServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * The node opens the stream with a Hello and then answers every Snapshot with an Ack or a Nack; it sends a
   * Heartbeat periodically. The control plane sends a Snapshot whenever the node does not serve the current
   * version, never resends a version the node NACKed on this stream, and ignores messages with stale nonces.
   * Authenticated per node (mTLS or a short-lived node-signed JWT in the `authorization` metadata).
   */
  Stream: grpc.handleBidiStreamingCall<_portcullis_v1_DpMessage__Output, _portcullis_v1_CpMessage>;
  
}

export interface ConfigServiceDefinition extends grpc.ServiceDefinition {
  Stream: MethodDefinition<_portcullis_v1_DpMessage, _portcullis_v1_CpMessage, _portcullis_v1_DpMessage__Output, _portcullis_v1_CpMessage__Output>
}
