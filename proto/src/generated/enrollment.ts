import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { EnrollRequest as _portcullis_v1_EnrollRequest, EnrollRequest__Output as _portcullis_v1_EnrollRequest__Output } from './portcullis/v1/EnrollRequest.ts';
import type { EnrollResponse as _portcullis_v1_EnrollResponse, EnrollResponse__Output as _portcullis_v1_EnrollResponse__Output } from './portcullis/v1/EnrollResponse.ts';
import type { EnrollmentServiceClient as _portcullis_v1_EnrollmentServiceClient, EnrollmentServiceDefinition as _portcullis_v1_EnrollmentServiceDefinition } from './portcullis/v1/EnrollmentService.ts';
import type { RotateNodeKeyRequest as _portcullis_v1_RotateNodeKeyRequest, RotateNodeKeyRequest__Output as _portcullis_v1_RotateNodeKeyRequest__Output } from './portcullis/v1/RotateNodeKeyRequest.ts';
import type { RotateNodeKeyResponse as _portcullis_v1_RotateNodeKeyResponse, RotateNodeKeyResponse__Output as _portcullis_v1_RotateNodeKeyResponse__Output } from './portcullis/v1/RotateNodeKeyResponse.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  portcullis: {
    v1: {
      EnrollRequest: MessageTypeDefinition<_portcullis_v1_EnrollRequest, _portcullis_v1_EnrollRequest__Output>
      EnrollResponse: MessageTypeDefinition<_portcullis_v1_EnrollResponse, _portcullis_v1_EnrollResponse__Output>
      /**
       * Enrolls data-plane nodes and rotates their keys.
       */
      EnrollmentService: SubtypeConstructor<typeof grpc.Client, _portcullis_v1_EnrollmentServiceClient> & { service: _portcullis_v1_EnrollmentServiceDefinition }
      KeyPurpose: EnumTypeDefinition
      RotateNodeKeyRequest: MessageTypeDefinition<_portcullis_v1_RotateNodeKeyRequest, _portcullis_v1_RotateNodeKeyRequest__Output>
      RotateNodeKeyResponse: MessageTypeDefinition<_portcullis_v1_RotateNodeKeyResponse, _portcullis_v1_RotateNodeKeyResponse__Output>
    }
  }
}

