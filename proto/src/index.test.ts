import { describe, expect, expectTypeOf, it } from "vitest";
import type { DpMessage__Output, IngestAck__Output, Snapshot__Output, SnapshotMessage } from "./index.ts";
import * as api from "./index.ts";

describe("public API", () => {
  it("exports exactly these runtime names (a change here is an API change)", () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        "AUDIT_BATCH_JWS_TYPE",
        "AUDIT_RECEIPT_JWS_TYPE",
        "CHECKPOINT_JWS_TYPE",
        "CONTROL_PLANE_SERVER_OPTIONS",
        "CanonicalJsonError",
        "DATA_PLANE_CHANNEL_OPTIONS",
        "EgressBlockedError",
        "GENESIS_HASH",
        "GENESIS_HEAD",
        "IngestAckStatus",
        "JWS_ALG",
        "KEY_PROOF_JWS_TYPE",
        "KeyFormatError",
        "KeyPurpose",
        "METADATA_HOSTS",
        "NODE_TOKEN_AUDIENCE",
        "NODE_TOKEN_JWS_TYPE",
        "NODE_TOKEN_MAX_LIFETIME_S",
        "PROTO_FILES",
        "PROTO_LOADER_OPTIONS",
        "PROTO_ROOT",
        "SNAPSHOT_JWS_TYPE",
        "SNAPSHOT_SCHEMA_VERSION",
        "ApprovalStatus",
        "addApprovalService",
        "addAuditService",
        "createApprovalClient",
        "addConfigService",
        "addEnrollmentService",
        "batchHash",
        "buildCheckpoint",
        "canonicalBytes",
        "checkResources",
        "canonicalJson",
        "checkChain",
        "consistencyProof",
        "createAuditClient",
        "createConfigClient",
        "createEnrollmentClient",
        "createUuidV7Generator",
        "discontinuityRecord",
        "encodeRecord",
        "egressUrlProblem",
        "exportJwks",
        "exportPrivateKeyPem",
        "exportPublicJwk",
        "fail",
        "generateSigningKeyPair",
        "grpcChannelCredentials",
        "guardedLookup",
        "grpcServerCredentials",
        "importPrivateKeyPem",
        "importPublicJwk",
        "inclusionProof",
        "isBlockedAddress",
        "isDiscontinuityRecord",
        "isSafeUint",
        "isSha256Hex",
        "isUuidV7",
        "jwkThumbprint",
        "merkleLeafHash",
        "nodeTokenKid",
        "merkleNodeHash",
        "merkleRoot",
        "ok",
        "parseCanonical",
        "parseSafeUint",
        "portcullisV1",
        "readPemFile",
        "readPemSetting",
        "sealBatch",
        "sha256",
        "sha256Hex",
        "signKeyProof",
        "signNodeToken",
        "signReceipt",
        "signSnapshot",
        "toSafeUint",
        "trustedKeys",
        "trustedKeysFromJwks",
        "uuidv7",
        "uuidv7Timestamp",
        "verifyBatch",
        "verifyCheckpoint",
        "verifyConsistency",
        "verifyInclusion",
        "verifyKeyProof",
        "verifyNodeToken",
        "verifyReceipt",
        "verifySnapshot",
      ].sort(),
    );
    expect(api.IngestAckStatus.DUPLICATE).toBe("DUPLICATE");
    expect(api.KeyPurpose.KEY_PURPOSE_ASSERTION).toBe("KEY_PURPOSE_ASSERTION");
  });

  it("types wire messages as the loader produces them", () => {
    expectTypeOf<Snapshot__Output["version"]>().toEqualTypeOf<string>();
    expectTypeOf<Snapshot__Output["resourcesJson"]>().toEqualTypeOf<Buffer>();
    expectTypeOf<Snapshot__Output>().toExtend<SnapshotMessage>();
    expectTypeOf<DpMessage__Output["kind"]>().toEqualTypeOf<"hello" | "ack" | "nack" | "heartbeat" | undefined>();
    expectTypeOf<IngestAck__Output["status"]>().toEqualTypeOf<
      "STATUS_UNSPECIFIED" | "ACCEPTED" | "DUPLICATE" | "REJECTED"
    >();
    expectTypeOf(api.verifyBatch).returns.toExtend<{ ok: boolean }>();
  });
});
