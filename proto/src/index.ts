// Public API of @portcullis/proto: gRPC contracts and typed clients/servers, canonical JSON, Ed25519 keys, and
// the signing and verification of snapshots, audit batches, receipts and checkpoints shared by both planes.

export {
  AUDIT_BATCH_JWS_TYPE,
  type AuditRecord,
  type BatchErrorCode,
  type BatchManifest,
  batchHash,
  type ChainErrorCode,
  type ChainHead,
  checkChain,
  type DiscontinuityInput,
  type DiscontinuityRecord,
  discontinuityRecord,
  encodeRecord,
  GENESIS_HASH,
  GENESIS_HEAD,
  isDiscontinuityRecord,
  type SealBatchInput,
  type SealedBatch,
  sealBatch,
  type VerifiedBatch,
  verifyBatch,
} from "./audit-batch.ts";
export {
  CanonicalJsonError,
  canonicalBytes,
  canonicalJson,
  isSha256Hex,
  type JsonValue,
  parseCanonical,
  sha256,
  sha256Hex,
} from "./canonical.ts";
export {
  type BuildCheckpointInput,
  buildCheckpoint,
  CHECKPOINT_JWS_TYPE,
  type Checkpoint,
  type CheckpointErrorCode,
  verifyCheckpoint,
} from "./checkpoint.ts";
export {
  type ClientCertificateIdentity,
  certificateIdentity,
  certificateMatches,
  certificateThumbprint,
  describeCertificate,
  MAX_MTLS_SUBJECTS,
  mtlsSubjectProblem,
  parseSubjectAltName,
  peerCertificateIdentity,
} from "./client-cert.ts";
export {
  EgressBlockedError,
  type EgressRules,
  egressUrlProblem,
  guardedLookup,
  isBlockedAddress,
  METADATA_HOSTS,
} from "./egress.ts";
export type { Ack, Ack__Output } from "./generated/portcullis/v1/Ack.ts";
export type { ApprovalAnswer, ApprovalAnswer__Output } from "./generated/portcullis/v1/ApprovalAnswer.ts";
export type { ApprovalRequest, ApprovalRequest__Output } from "./generated/portcullis/v1/ApprovalRequest.ts";
export type {
  ApprovalServiceClient,
  ApprovalServiceDefinition,
  ApprovalServiceHandlers,
} from "./generated/portcullis/v1/ApprovalService.ts";
export { ApprovalStatus, type ApprovalStatus__Output } from "./generated/portcullis/v1/ApprovalStatus.ts";
export type {
  AuditBatch,
  AuditBatch__Output,
} from "./generated/portcullis/v1/AuditBatch.ts";
export type { AuditCursor, AuditCursor__Output } from "./generated/portcullis/v1/AuditCursor.ts";
export type {
  AuditCursorRequest,
  AuditCursorRequest__Output,
} from "./generated/portcullis/v1/AuditCursorRequest.ts";
export type {
  AuditServiceClient,
  AuditServiceDefinition,
  AuditServiceHandlers,
} from "./generated/portcullis/v1/AuditService.ts";
export type {
  ConfigServiceClient,
  ConfigServiceDefinition,
  ConfigServiceHandlers,
} from "./generated/portcullis/v1/ConfigService.ts";
export type { CpMessage, CpMessage__Output } from "./generated/portcullis/v1/CpMessage.ts";
export type { DpMessage, DpMessage__Output } from "./generated/portcullis/v1/DpMessage.ts";
export type {
  EnrollmentServiceClient,
  EnrollmentServiceDefinition,
  EnrollmentServiceHandlers,
} from "./generated/portcullis/v1/EnrollmentService.ts";
export type { EnrollRequest, EnrollRequest__Output } from "./generated/portcullis/v1/EnrollRequest.ts";
export type { EnrollResponse, EnrollResponse__Output } from "./generated/portcullis/v1/EnrollResponse.ts";
export type {
  GetApprovalRequest,
  GetApprovalRequest__Output,
} from "./generated/portcullis/v1/GetApprovalRequest.ts";
export type { Heartbeat, Heartbeat__Output } from "./generated/portcullis/v1/Heartbeat.ts";
export type { HeartbeatAck, HeartbeatAck__Output } from "./generated/portcullis/v1/HeartbeatAck.ts";
export type { Hello, Hello__Output } from "./generated/portcullis/v1/Hello.ts";
export {
  _portcullis_v1_IngestAck_Status as IngestAckStatus,
  type _portcullis_v1_IngestAck_Status__Output as IngestAckStatus__Output,
  type IngestAck,
  type IngestAck__Output,
} from "./generated/portcullis/v1/IngestAck.ts";
export { KeyPurpose, type KeyPurpose__Output } from "./generated/portcullis/v1/KeyPurpose.ts";
export type { Nack, Nack__Output } from "./generated/portcullis/v1/Nack.ts";
export type { Revoked, Revoked__Output } from "./generated/portcullis/v1/Revoked.ts";
export type {
  RotateNodeKeyRequest,
  RotateNodeKeyRequest__Output,
} from "./generated/portcullis/v1/RotateNodeKeyRequest.ts";
export type {
  RotateNodeKeyResponse,
  RotateNodeKeyResponse__Output,
} from "./generated/portcullis/v1/RotateNodeKeyResponse.ts";
export type { Snapshot, Snapshot__Output } from "./generated/portcullis/v1/Snapshot.ts";
export { JWS_ALG, type JwsErrorCode } from "./jws.ts";
export {
  KEY_PROOF_JWS_TYPE,
  type KeyProofErrorCode,
  type KeyPurposeName,
  signKeyProof,
  verifyKeyProof,
} from "./key-proof.ts";
export {
  type Ed25519PublicJwk,
  exportJwks,
  exportPrivateKeyPem,
  exportPublicJwk,
  generateSigningKeyPair,
  importPrivateKeyPem,
  importPublicJwk,
  jwkThumbprint,
  KeyFormatError,
  type SigningKeyPair,
  type TrustedKeys,
  trustedKeys,
  trustedKeysFromJwks,
} from "./keys.ts";
export {
  addApprovalService,
  addAuditService,
  addConfigService,
  addEnrollmentService,
  CONTROL_PLANE_SERVER_OPTIONS,
  createApprovalClient,
  createAuditClient,
  createConfigClient,
  createEnrollmentClient,
  DATA_PLANE_CHANNEL_OPTIONS,
  type PortcullisV1,
  PROTO_FILES,
  PROTO_LOADER_OPTIONS,
  PROTO_ROOT,
  portcullisV1,
} from "./loader.ts";
export {
  consistencyProof,
  inclusionProof,
  merkleLeafHash,
  merkleNodeHash,
  merkleRoot,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.ts";
export {
  NODE_TOKEN_AUDIENCE,
  NODE_TOKEN_JWS_TYPE,
  NODE_TOKEN_MAX_LIFETIME_S,
  type NodeTokenClaims,
  type NodeTokenErrorCode,
  nodeTokenKid,
  signNodeToken,
  verifyNodeToken,
} from "./node-auth.ts";
export {
  AUDIT_RECEIPT_JWS_TYPE,
  type AuditReceipt,
  type ReceiptErrorCode,
  type SignReceiptInput,
  signReceipt,
  verifyReceipt,
} from "./receipt.ts";
export {
  checkResources,
  type ResourceProblem,
  SNAPSHOT_SCHEMA_VERSION,
  type SnapshotAgent,
  type SnapshotIssuer,
  type SnapshotOperator,
  type SnapshotPolicy,
  type SnapshotResources,
  type SnapshotTool,
  type SnapshotUpstream,
} from "./resources.ts";
export { fail, ok, type Result } from "./result.ts";
export {
  type SignedSnapshot,
  type SignSnapshotInput,
  SNAPSHOT_JWS_TYPE,
  type SnapshotClaims,
  type SnapshotErrorCode,
  type SnapshotMessage,
  signSnapshot,
  type VerifiedSnapshot,
  verifySnapshot,
} from "./snapshot.ts";
export {
  type ChannelTls,
  grpcChannelCredentials,
  grpcServerCredentials,
  readPemFile,
  readPemSetting,
  type ServerTls,
} from "./tls.ts";
export { isSafeUint, parseSafeUint, toSafeUint } from "./uint.ts";
export { createUuidV7Generator, isUuidV7, uuidv7, uuidv7Timestamp } from "./uuid.ts";
