// Original file: portcullis/v1/audit.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AuditBatch as _portcullis_v1_AuditBatch, AuditBatch__Output as _portcullis_v1_AuditBatch__Output } from '../../portcullis/v1/AuditBatch.ts';
import type { AuditCursor as _portcullis_v1_AuditCursor, AuditCursor__Output as _portcullis_v1_AuditCursor__Output } from '../../portcullis/v1/AuditCursor.ts';
import type { AuditCursorRequest as _portcullis_v1_AuditCursorRequest, AuditCursorRequest__Output as _portcullis_v1_AuditCursorRequest__Output } from '../../portcullis/v1/AuditCursorRequest.ts';
import type { IngestAck as _portcullis_v1_IngestAck, IngestAck__Output as _portcullis_v1_IngestAck__Output } from '../../portcullis/v1/IngestAck.ts';

/**
 * Receives audit batches from data-plane nodes.
 */
export interface AuditServiceClient extends grpc.Client {
  /**
   * Ordered batch ingest: the node sends batches in seq order and receives exactly one IngestAck per batch, in
   * the same order. The node deletes spooled records only after an ACCEPTED or DUPLICATE ack. After a REJECTED
   * ack the control plane ends the stream, since later batches cannot chain onto a rejected one.
   * Authenticated per node.
   */
  Ingest(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_portcullis_v1_AuditBatch, _portcullis_v1_IngestAck__Output>;
  Ingest(options?: grpc.CallOptions): grpc.ClientDuplexStream<_portcullis_v1_AuditBatch, _portcullis_v1_IngestAck__Output>;
  /**
   * Ordered batch ingest: the node sends batches in seq order and receives exactly one IngestAck per batch, in
   * the same order. The node deletes spooled records only after an ACCEPTED or DUPLICATE ack. After a REJECTED
   * ack the control plane ends the stream, since later batches cannot chain onto a rejected one.
   * Authenticated per node.
   */
  ingest(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_portcullis_v1_AuditBatch, _portcullis_v1_IngestAck__Output>;
  ingest(options?: grpc.CallOptions): grpc.ClientDuplexStream<_portcullis_v1_AuditBatch, _portcullis_v1_IngestAck__Output>;
  
  /**
   * Where the control plane's copy of a stream ends, so a reconnecting node knows which batch to send next.
   */
  Query(argument: _portcullis_v1_AuditCursorRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_portcullis_v1_AuditCursor__Output>): grpc.ClientUnaryCall;
  Query(argument: _portcullis_v1_AuditCursorRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_portcullis_v1_AuditCursor__Output>): grpc.ClientUnaryCall;
  Query(argument: _portcullis_v1_AuditCursorRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_portcullis_v1_AuditCursor__Output>): grpc.ClientUnaryCall;
  Query(argument: _portcullis_v1_AuditCursorRequest, callback: grpc.requestCallback<_portcullis_v1_AuditCursor__Output>): grpc.ClientUnaryCall;
  /**
   * Where the control plane's copy of a stream ends, so a reconnecting node knows which batch to send next.
   */
  query(argument: _portcullis_v1_AuditCursorRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_portcullis_v1_AuditCursor__Output>): grpc.ClientUnaryCall;
  query(argument: _portcullis_v1_AuditCursorRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_portcullis_v1_AuditCursor__Output>): grpc.ClientUnaryCall;
  query(argument: _portcullis_v1_AuditCursorRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_portcullis_v1_AuditCursor__Output>): grpc.ClientUnaryCall;
  query(argument: _portcullis_v1_AuditCursorRequest, callback: grpc.requestCallback<_portcullis_v1_AuditCursor__Output>): grpc.ClientUnaryCall;
  
}

/**
 * Receives audit batches from data-plane nodes.
 */
export interface AuditServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Ordered batch ingest: the node sends batches in seq order and receives exactly one IngestAck per batch, in
   * the same order. The node deletes spooled records only after an ACCEPTED or DUPLICATE ack. After a REJECTED
   * ack the control plane ends the stream, since later batches cannot chain onto a rejected one.
   * Authenticated per node.
   */
  Ingest: grpc.handleBidiStreamingCall<_portcullis_v1_AuditBatch__Output, _portcullis_v1_IngestAck>;
  
  /**
   * Where the control plane's copy of a stream ends, so a reconnecting node knows which batch to send next.
   */
  Query: grpc.handleUnaryCall<_portcullis_v1_AuditCursorRequest__Output, _portcullis_v1_AuditCursor>;
  
}

export interface AuditServiceDefinition extends grpc.ServiceDefinition {
  Ingest: MethodDefinition<_portcullis_v1_AuditBatch, _portcullis_v1_IngestAck, _portcullis_v1_AuditBatch__Output, _portcullis_v1_IngestAck__Output>
  Query: MethodDefinition<_portcullis_v1_AuditCursorRequest, _portcullis_v1_AuditCursor, _portcullis_v1_AuditCursorRequest__Output, _portcullis_v1_AuditCursor__Output>
}
