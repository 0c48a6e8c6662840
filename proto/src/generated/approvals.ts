import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ApprovalAnswer as _portcullis_v1_ApprovalAnswer, ApprovalAnswer__Output as _portcullis_v1_ApprovalAnswer__Output } from './portcullis/v1/ApprovalAnswer.ts';
import type { ApprovalRequest as _portcullis_v1_ApprovalRequest, ApprovalRequest__Output as _portcullis_v1_ApprovalRequest__Output } from './portcullis/v1/ApprovalRequest.ts';
import type { ApprovalServiceClient as _portcullis_v1_ApprovalServiceClient, ApprovalServiceDefinition as _portcullis_v1_ApprovalServiceDefinition } from './portcullis/v1/ApprovalService.ts';
import type { GetApprovalRequest as _portcullis_v1_GetApprovalRequest, GetApprovalRequest__Output as _portcullis_v1_GetApprovalRequest__Output } from './portcullis/v1/GetApprovalRequest.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  portcullis: {
    v1: {
      ApprovalAnswer: MessageTypeDefinition<_portcullis_v1_ApprovalAnswer, _portcullis_v1_ApprovalAnswer__Output>
      ApprovalRequest: MessageTypeDefinition<_portcullis_v1_ApprovalRequest, _portcullis_v1_ApprovalRequest__Output>
      /**
       * Opens, reads and consumes approvals. Every RPC is authenticated as the calling node.
       */
      ApprovalService: SubtypeConstructor<typeof grpc.Client, _portcullis_v1_ApprovalServiceClient> & { service: _portcullis_v1_ApprovalServiceDefinition }
      ApprovalStatus: EnumTypeDefinition
      GetApprovalRequest: MessageTypeDefinition<_portcullis_v1_GetApprovalRequest, _portcullis_v1_GetApprovalRequest__Output>
    }
  }
}

