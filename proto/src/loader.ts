// Loads the portcullis.v1 .proto files at runtime with @grpc/proto-loader and gives both planes typed service
// definitions, clients and channel options. Invariant: the options here match scripts/gen.ts, so runtime
// objects have exactly the shapes of the generated types (camelCase fields, uint64 as decimal strings).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import type { ProtoGrpcType as ApprovalsProto } from "./generated/approvals.ts";
import type { ProtoGrpcType as AuditProto } from "./generated/audit.ts";
import type { ProtoGrpcType as ConfigProto } from "./generated/config.ts";
import type { ProtoGrpcType as EnrollmentProto } from "./generated/enrollment.ts";
import type { ApprovalServiceClient, ApprovalServiceHandlers } from "./generated/portcullis/v1/ApprovalService.ts";
import type { AuditServiceClient, AuditServiceHandlers } from "./generated/portcullis/v1/AuditService.ts";
import type { ConfigServiceClient, ConfigServiceHandlers } from "./generated/portcullis/v1/ConfigService.ts";
import type {
  EnrollmentServiceClient,
  EnrollmentServiceHandlers,
} from "./generated/portcullis/v1/EnrollmentService.ts";

/** Directory holding portcullis/v1/*.proto (the include root). */
export const PROTO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export const PROTO_FILES = [
  "portcullis/v1/approvals.proto",
  "portcullis/v1/audit.proto",
  "portcullis/v1/config.proto",
  "portcullis/v1/enrollment.proto",
] as const;

/**
 * - keepCase false: fields are lowerCamelCase in TypeScript (`nodeId`, `resourcesJson`), as in proto3's JSON
 *   mapping; the .proto files stay snake_case. (Signed JSON payloads, e.g. batch manifests, are snake_case.)
 * - longs String: uint64 arrives as a decimal string, never a rounded number; convert with toSafeUint(). Sending
 *   accepts numbers or strings.
 * - enums String: enum values are their names ("ACCEPTED").
 * - defaults: absent scalars read as their zero value ("", "0", empty Buffer), absent messages as null; oneof
 *   members that are not set are absent (undefined), so branch on `kind`.
 * - oneofs: each oneof also yields a `kind` field naming the member that is set.
 * - bytes: Buffer (the default).
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

/** The portcullis.v1 package: message types and service constructors, typed from the generated code. */
export type PortcullisV1 = ApprovalsProto["portcullis"]["v1"] &
  AuditProto["portcullis"]["v1"] &
  ConfigProto["portcullis"]["v1"] &
  EnrollmentProto["portcullis"]["v1"];

let loaded: PortcullisV1 | undefined;

/** Loads (once per process) and returns the portcullis.v1 package. */
export function portcullisV1(): PortcullisV1 {
  if (loaded === undefined) {
    const definition = protoLoader.loadSync([...PROTO_FILES], PROTO_LOADER_OPTIONS);
    const root = grpc.loadPackageDefinition(definition) as unknown as ApprovalsProto &
      AuditProto &
      ConfigProto &
      EnrollmentProto;
    loaded = root.portcullis.v1;
  }
  return loaded;
}

const MiB = 1024 * 1024;

/**
 * Channel options for a data-plane node's connection to the control plane: snapshots of large fleets exceed
 * gRPC's 4 MiB default; keepalive pings find dead connections behind idle-timeout proxies; reconnects back off.
 */
export const DATA_PLANE_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  "grpc.max_receive_message_length": 64 * MiB,
  "grpc.max_send_message_length": 16 * MiB,
  "grpc.keepalive_time_ms": 30_000,
  "grpc.keepalive_timeout_ms": 10_000,
  "grpc.keepalive_permit_without_calls": 1,
  "grpc.initial_reconnect_backoff_ms": 1_000,
  "grpc.max_reconnect_backoff_ms": 30_000,
};

/**
 * Server options for the control plane's gRPC server: accepts audit batches up to 16 MiB, sends snapshots up to
 * 64 MiB, and pings idle nodes so half-open connections are noticed (the console's "connected" is honest).
 */
export const CONTROL_PLANE_SERVER_OPTIONS: grpc.ServerOptions = {
  "grpc.max_receive_message_length": 16 * MiB,
  "grpc.max_send_message_length": 64 * MiB,
  "grpc.keepalive_time_ms": 60_000,
  "grpc.keepalive_timeout_ms": 20_000,
};

/** Adds the config stream service to a server. */
export function addConfigService(server: grpc.Server, handlers: ConfigServiceHandlers): void {
  server.addService(portcullisV1().ConfigService.service, handlers);
}

/** Adds the audit ingest service to a server. */
export function addAuditService(server: grpc.Server, handlers: AuditServiceHandlers): void {
  server.addService(portcullisV1().AuditService.service, handlers);
}

/** Adds the enrollment service to a server. */
export function addEnrollmentService(server: grpc.Server, handlers: EnrollmentServiceHandlers): void {
  server.addService(portcullisV1().EnrollmentService.service, handlers);
}

/** A ConfigService client; clients made with the same address and options share one connection. */
export function createConfigClient(
  address: string,
  credentials: grpc.ChannelCredentials,
  options: grpc.ChannelOptions = DATA_PLANE_CHANNEL_OPTIONS,
): ConfigServiceClient {
  return new (portcullisV1().ConfigService)(address, credentials, options);
}

/** An AuditService client. */
export function createAuditClient(
  address: string,
  credentials: grpc.ChannelCredentials,
  options: grpc.ChannelOptions = DATA_PLANE_CHANNEL_OPTIONS,
): AuditServiceClient {
  return new (portcullisV1().AuditService)(address, credentials, options);
}

/** An EnrollmentService client. */
export function createEnrollmentClient(
  address: string,
  credentials: grpc.ChannelCredentials,
  options: grpc.ChannelOptions = DATA_PLANE_CHANNEL_OPTIONS,
): EnrollmentServiceClient {
  return new (portcullisV1().EnrollmentService)(address, credentials, options);
}

/** Adds the approval service to a server. */
export function addApprovalService(server: grpc.Server, handlers: ApprovalServiceHandlers): void {
  server.addService(portcullisV1().ApprovalService.service, handlers);
}

/** An ApprovalService client. */
export function createApprovalClient(
  address: string,
  credentials: grpc.ChannelCredentials,
  options: grpc.ChannelOptions = DATA_PLANE_CHANNEL_OPTIONS,
): ApprovalServiceClient {
  return new (portcullisV1().ApprovalService)(address, credentials, options);
}
