import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AuditBatch as _portcullis_v1_AuditBatch, AuditBatch__Output as _portcullis_v1_AuditBatch__Output } from './portcullis/v1/AuditBatch.ts';
import type { AuditCursor as _portcullis_v1_AuditCursor, AuditCursor__Output as _portcullis_v1_AuditCursor__Output } from './portcullis/v1/AuditCursor.ts';
import type { AuditCursorRequest as _portcullis_v1_AuditCursorRequest, AuditCursorRequest__Output as _portcullis_v1_AuditCursorRequest__Output } from './portcullis/v1/AuditCursorRequest.ts';
import type { AuditServiceClient as _portcullis_v1_AuditServiceClient, AuditServiceDefinition as _portcullis_v1_AuditServiceDefinition } from './portcullis/v1/AuditService.ts';
import type { IngestAck as _portcullis_v1_IngestAck, IngestAck__Output as _portcullis_v1_IngestAck__Output } from './portcullis/v1/IngestAck.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  portcullis: {
    v1: {
      AuditBatch: MessageTypeDefinition<_portcullis_v1_AuditBatch, _portcullis_v1_AuditBatch__Output>
      AuditCursor: MessageTypeDefinition<_portcullis_v1_AuditCursor, _portcullis_v1_AuditCursor__Output>
      AuditCursorRequest: MessageTypeDefinition<_portcullis_v1_AuditCursorRequest, _portcullis_v1_AuditCursorRequest__Output>
      /**
       * Receives audit batches from data-plane nodes.
       */
      AuditService: SubtypeConstructor<typeof grpc.Client, _portcullis_v1_AuditServiceClient> & { service: _portcullis_v1_AuditServiceDefinition }
      IngestAck: MessageTypeDefinition<_portcullis_v1_IngestAck, _portcullis_v1_IngestAck__Output>
    }
  }
}

