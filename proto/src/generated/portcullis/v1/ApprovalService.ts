// Original file: portcullis/v1/approvals.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ApprovalAnswer as _portcullis_v1_ApprovalAnswer, ApprovalAnswer__Output as _portcullis_v1_ApprovalAnswer__Output } from '../../portcullis/v1/ApprovalAnswer.ts';
import type { ApprovalRequest as _portcullis_v1_ApprovalRequest, ApprovalRequest__Output as _portcullis_v1_ApprovalRequest__Output } from '../../portcullis/v1/ApprovalRequest.ts';
import type { GetApprovalRequest as _portcullis_v1_GetApprovalRequest, GetApprovalRequest__Output as _portcullis_v1_GetApprovalRequest__Output } from '../../portcullis/v1/GetApprovalRequest.ts';

/**
 * Opens, reads and consumes approvals. Every RPC is authenticated as the calling node.
 */
export interface ApprovalServiceClient extends grpc.Client {
  /**
   * Reads the status of an approval (for a node holding a call open). Never consumes.
   */
  GetApproval(argument: _portcullis_v1_GetApprovalRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_portcullis_v1_ApprovalAnswer__Output>): grpc.ClientUnaryCall;
  GetApproval(argument: _portcullis_v1_GetApprovalRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_portcullis_v1_ApprovalAnswer__Output>): grpc.ClientUnaryCall;
  GetApproval(argument: _portcullis_v1_GetApprovalRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_portcullis_v1_ApprovalAnswer__Output>): grpc.ClientUnaryCall;
  GetApproval(argument: _portcullis_v1_GetApprovalRequest, callback: grpc.requestCallback<_portcullis_v1_ApprovalAnswer__Output>): grpc.ClientUnaryCall;
  /**
   * Reads the status of an approval (for a node holding a call open). Never consumes.
   */
  getApproval(argument: _portcullis_v1_GetApprovalRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_portcullis_v1_ApprovalAnswer__Output>): grpc.ClientUnaryCall;
  getApproval(argument: _portcullis_v1_GetApprovalRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_portcullis_v1_ApprovalAnswer__Output>): grpc.ClientUnaryCall;
  getApproval(argument: _portcullis_v1_GetApprovalRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_portcullis_v1_ApprovalAnswer__Output>): grpc.ClientUnaryCall;
  getApproval(argument: _portcullis_v1_GetApprovalRequest, callback: grpc.requestCallback<_portcullis_v1_ApprovalAnswer__Output>): grpc.ClientUnaryCall;
  
  /**
   * Asks for an approval of one exact call. Consumes an approved, unused approval for the same binding when there
   * is one (status APPROVED in the answer: the call may execute now, once); otherwise answers the binding's open
   * or final approval, or opens a new pending one and notifies the approvers.
   */
  RequestApproval(argument: _portcullis_v1_ApprovalRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_portcullis_v1_ApprovalAnswer__Output>): grpc.ClientUnaryCall;
  RequestApproval(argument: _portcullis_v1_ApprovalRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_portcullis_v1_ApprovalAnswer__Output>): grpc.ClientUnaryCall;
  RequestApproval(argument: _portcullis_v1_ApprovalRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_portcullis_v1_ApprovalAnswer__Output>): grpc.ClientUnaryCall;
  RequestApproval(argument: _portcullis_v1_ApprovalRequest, callback: grpc.requestCallback<_portcullis_v1_ApprovalAnswer__Output>): grpc.ClientUnaryCall;
  /**
   * Asks for an approval of one exact call. Consumes an approved, unused approval for the same binding when there
   * is one (status APPROVED in the answer: the call may execute now, once); otherwise answers the binding's open
   * or final approval, or opens a new pending one and notifies the approvers.
   */
  requestApproval(argument: _portcullis_v1_ApprovalRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_portcullis_v1_ApprovalAnswer__Output>): grpc.ClientUnaryCall;
  requestApproval(argument: _portcullis_v1_ApprovalRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_portcullis_v1_ApprovalAnswer__Output>): grpc.ClientUnaryCall;
  requestApproval(argument: _portcullis_v1_ApprovalRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_portcullis_v1_ApprovalAnswer__Output>): grpc.ClientUnaryCall;
  requestApproval(argument: _portcullis_v1_ApprovalRequest, callback: grpc.requestCallback<_portcullis_v1_ApprovalAnswer__Output>): grpc.ClientUnaryCall;
  
}

/**
 * Opens, reads and consumes approvals. Every RPC is authenticated as the calling node.
 */
export interface ApprovalServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Reads the status of an approval (for a node holding a call open). Never consumes.
   */
  GetApproval: grpc.handleUnaryCall<_portcullis_v1_GetApprovalRequest__Output, _portcullis_v1_ApprovalAnswer>;
  
  /**
   * Asks for an approval of one exact call. Consumes an approved, unused approval for the same binding when there
   * is one (status APPROVED in the answer: the call may execute now, once); otherwise answers the binding's open
   * or final approval, or opens a new pending one and notifies the approvers.
   */
  RequestApproval: grpc.handleUnaryCall<_portcullis_v1_ApprovalRequest__Output, _portcullis_v1_ApprovalAnswer>;
  
}

export interface ApprovalServiceDefinition extends grpc.ServiceDefinition {
  GetApproval: MethodDefinition<_portcullis_v1_GetApprovalRequest, _portcullis_v1_ApprovalAnswer, _portcullis_v1_GetApprovalRequest__Output, _portcullis_v1_ApprovalAnswer__Output>
  RequestApproval: MethodDefinition<_portcullis_v1_ApprovalRequest, _portcullis_v1_ApprovalAnswer, _portcullis_v1_ApprovalRequest__Output, _portcullis_v1_ApprovalAnswer__Output>
}
