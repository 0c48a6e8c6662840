import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Ack as _portcullis_v1_Ack, Ack__Output as _portcullis_v1_Ack__Output } from './portcullis/v1/Ack.ts';
import type { ConfigServiceClient as _portcullis_v1_ConfigServiceClient, ConfigServiceDefinition as _portcullis_v1_ConfigServiceDefinition } from './portcullis/v1/ConfigService.ts';
import type { CpMessage as _portcullis_v1_CpMessage, CpMessage__Output as _portcullis_v1_CpMessage__Output } from './portcullis/v1/CpMessage.ts';
import type { DpMessage as _portcullis_v1_DpMessage, DpMessage__Output as _portcullis_v1_DpMessage__Output } from './portcullis/v1/DpMessage.ts';
import type { Heartbeat as _portcullis_v1_Heartbeat, Heartbeat__Output as _portcullis_v1_Heartbeat__Output } from './portcullis/v1/Heartbeat.ts';
import type { HeartbeatAck as _portcullis_v1_HeartbeatAck, HeartbeatAck__Output as _portcullis_v1_HeartbeatAck__Output } from './portcullis/v1/HeartbeatAck.ts';
import type { Hello as _portcullis_v1_Hello, Hello__Output as _portcullis_v1_Hello__Output } from './portcullis/v1/Hello.ts';
import type { Nack as _portcullis_v1_Nack, Nack__Output as _portcullis_v1_Nack__Output } from './portcullis/v1/Nack.ts';
import type { Revoked as _portcullis_v1_Revoked, Revoked__Output as _portcullis_v1_Revoked__Output } from './portcullis/v1/Revoked.ts';
import type { Snapshot as _portcullis_v1_Snapshot, Snapshot__Output as _portcullis_v1_Snapshot__Output } from './portcullis/v1/Snapshot.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  portcullis: {
    v1: {
      Ack: MessageTypeDefinition<_portcullis_v1_Ack, _portcullis_v1_Ack__Output>
      /**
       * Streams signed config snapshots to data-plane nodes and collects their acknowledgements.
       */
      ConfigService: SubtypeConstructor<typeof grpc.Client, _portcullis_v1_ConfigServiceClient> & { service: _portcullis_v1_ConfigServiceDefinition }
      CpMessage: MessageTypeDefinition<_portcullis_v1_CpMessage, _portcullis_v1_CpMessage__Output>
      DpMessage: MessageTypeDefinition<_portcullis_v1_DpMessage, _portcullis_v1_DpMessage__Output>
      Heartbeat: MessageTypeDefinition<_portcullis_v1_Heartbeat, _portcullis_v1_Heartbeat__Output>
      HeartbeatAck: MessageTypeDefinition<_portcullis_v1_HeartbeatAck, _portcullis_v1_HeartbeatAck__Output>
      Hello: MessageTypeDefinition<_portcullis_v1_Hello, _portcullis_v1_Hello__Output>
      Nack: MessageTypeDefinition<_portcullis_v1_Nack, _portcullis_v1_Nack__Output>
      Revoked: MessageTypeDefinition<_portcullis_v1_Revoked, _portcullis_v1_Revoked__Output>
      Snapshot: MessageTypeDefinition<_portcullis_v1_Snapshot, _portcullis_v1_Snapshot__Output>
    }
  }
}

