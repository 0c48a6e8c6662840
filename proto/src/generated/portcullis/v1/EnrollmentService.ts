// Original file: portcullis/v1/enrollment.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { EnrollRequest as _portcullis_v1_EnrollRequest, EnrollRequest__Output as _portcullis_v1_EnrollRequest__Output } from '../../portcullis/v1/EnrollRequest.ts';
import type { EnrollResponse as _portcullis_v1_EnrollResponse, EnrollResponse__Output as _portcullis_v1_EnrollResponse__Output } from '../../portcullis/v1/EnrollResponse.ts';
import type { RotateNodeKeyRequest as _portcullis_v1_RotateNodeKeyRequest, RotateNodeKeyRequest__Output as _portcullis_v1_RotateNodeKeyRequest__Output } from '../../portcullis/v1/RotateNodeKeyRequest.ts';
import type { RotateNodeKeyResponse as _portcullis_v1_RotateNodeKeyResponse, RotateNodeKeyResponse__Output as _portcullis_v1_RotateNodeKeyResponse__Output } from '../../portcullis/v1/RotateNodeKeyResponse.ts';

/**
 * Enrolls data-plane nodes and rotates their keys.
 */
export interface EnrollmentServiceClient extends grpc.Client {
  /**
   * Exchanges a one-time, expiring bootstrap token for a node identity and registers the node's public keys.
   * The only RPC that is not authenticated as a node: the bootstrap token is the credential.
   */
  Enroll(argument: _portcullis_v1_EnrollRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_portcullis_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  Enroll(argument: _portcullis_v1_EnrollRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_portcullis_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  Enroll(argument: _portcullis_v1_EnrollRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_portcullis_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  Enroll(argument: _portcullis_v1_EnrollRequest, callback: grpc.requestCallback<_portcullis_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Exchanges a one-time, expiring bootstrap token for a node identity and registers the node's public keys.
   * The only RPC that is not authenticated as a node: the bootstrap token is the credential.
   */
  enroll(argument: _portcullis_v1_EnrollRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_portcullis_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _portcullis_v1_EnrollRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_portcullis_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _portcullis_v1_EnrollRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_portcullis_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _portcullis_v1_EnrollRequest, callback: grpc.requestCallback<_portcullis_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Registers a new public key for an already enrolled node. Authenticated as the node with its current key;
   * the request also proves possession of the new private key. The old key stays trusted for verifying what it
   * already signed.
   */
  RotateNodeKey(argument: _portcullis_v1_RotateNodeKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_portcullis_v1_RotateNodeKeyResponse__Output>): grpc.ClientUnaryCall;
  RotateNodeKey(argument: _portcullis_v1_RotateNodeKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_portcullis_v1_RotateNodeKeyResponse__Output>): grpc.ClientUnaryCall;
  RotateNodeKey(argument: _portcullis_v1_RotateNodeKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_portcullis_v1_RotateNodeKeyResponse__Output>): grpc.ClientUnaryCall;
  RotateNodeKey(argument: _portcullis_v1_RotateNodeKeyRequest, callback: grpc.requestCallback<_portcullis_v1_RotateNodeKeyResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Registers a new public key for an already enrolled node. Authenticated as the node with its current key;
   * the request also proves possession of the new private key. The old key stays trusted for verifying what it
   * already signed.
   */
  rotateNodeKey(argument: _portcullis_v1_RotateNodeKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_portcullis_v1_RotateNodeKeyResponse__Output>): grpc.ClientUnaryCall;
  rotateNodeKey(argument: _portcullis_v1_RotateNodeKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_portcullis_v1_RotateNodeKeyResponse__Output>): grpc.ClientUnaryCall;
  rotateNodeKey(argument: _portcullis_v1_RotateNodeKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_portcullis_v1_RotateNodeKeyResponse__Output>): grpc.ClientUnaryCall;
  rotateNodeKey(argument: _portcullis_v1_RotateNodeKeyRequest, callback: grpc.requestCallback<_portcullis_v1_RotateNodeKeyResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * Enrolls data-plane nodes and rotates their keys.
 */
export interface EnrollmentServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Exchanges a one-time, expiring bootstrap token for a node identity and registers the node's public keys.
   * The only RPC that is not authenticated as a node: the bootstrap token is the credential.
   */
  Enroll: grpc.handleUnaryCall<_portcullis_v1_EnrollRequest__Output, _portcullis_v1_EnrollResponse>;
  
  /**
   * Registers a new public key for an already enrolled node. Authenticated as the node with its current key;
   * the request also proves possession of the new private key. The old key stays trusted for verifying what it
   * already signed.
   */
  RotateNodeKey: grpc.handleUnaryCall<_portcullis_v1_RotateNodeKeyRequest__Output, _portcullis_v1_RotateNodeKeyResponse>;
  
}

export interface EnrollmentServiceDefinition extends grpc.ServiceDefinition {
  Enroll: MethodDefinition<_portcullis_v1_EnrollRequest, _portcullis_v1_EnrollResponse, _portcullis_v1_EnrollRequest__Output, _portcullis_v1_EnrollResponse__Output>
  RotateNodeKey: MethodDefinition<_portcullis_v1_RotateNodeKeyRequest, _portcullis_v1_RotateNodeKeyResponse, _portcullis_v1_RotateNodeKeyRequest__Output, _portcullis_v1_RotateNodeKeyResponse__Output>
}
