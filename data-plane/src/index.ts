// The data plane's public surface (grows as the proxy lands).
export {
  ASSERTION_LIFETIME_SECONDS,
  ASSERTION_TYP,
  type AssertionClaims,
  type AssertionInput,
  createAssertionMinter,
  type MintAssertion,
} from "./assertions/mint-assertion.ts";
export {
  type CallOutcome,
  createDecisionRecorder,
  type DecisionEvent,
  type DecisionRecorder,
  type SpoolFullPolicy,
} from "./audit/record-decision.ts";
export {
  type AuditShipper,
  type AuditShipperOptions,
  type ShipperStatus,
  startAuditShipper,
} from "./audit/shipper.ts";
export {
  type AppendedRecord,
  type AuditEventInput,
  type AuditSpool,
  type AuditSpoolOptions,
  DEFAULT_SPOOL_LIMITS,
  openSpool,
  type SealedBatchInfo,
  SpoolFullError,
  type SpoolLimits,
  type SpoolRecovery,
} from "./audit/spool.ts";
export {
  createTokenVerifier,
  GATEWAY_AUDIENCE,
  type TokenCheck,
  type TokenVerifier,
  type TokenVerifierOptions,
  type VerifiedToken,
} from "./authn/verify-token.ts";
export {
  type DataPlaneConfig,
  DataPlaneConfigError,
  parseDataPlaneConfig,
  type RunDataPlaneOptions,
  type RunningDataPlane,
  runDataPlane,
} from "./cli-dp.ts";
export { type Backoff, type BackoffOptions, createBackoff, sleep } from "./config/backoff.ts";
export {
  type ConfigClient,
  type ConfigClientOptions,
  type ConfigStatus,
  startConfigClient,
} from "./config/config-client.ts";
export { type LoadedSnapshot, loadSnapshot, saveSnapshot } from "./config/snapshot-store.ts";
export { buildEngine, type ConfigEngine, compileSnapshotPolicies, type EngineBuild } from "./config/validate.ts";
export {
  EnrollmentError,
  loadNodeIdentity,
  loadOrEnrollNode,
  type NodeCredentials,
  type NodeIdentity,
  nodeCredentials,
} from "./identity/node-identity.ts";
export { type Logger, silentLogger } from "./log.ts";
export { type DataPlaneNode, NodeRevokedError, type NodeStatus, type StartNodeOptions, startNode } from "./node.ts";
export { createRouter, type DataPlaneRouter, type RouterOptions } from "./server/router.ts";
export type { HttpToolsSettings, InvokeTool } from "./server/tools-invoke.ts";
export {
  type CallRecord,
  createMemoryLedger,
  type LedgerResult,
  type MemoryLedgerOptions,
  type SessionHistory,
  type SessionKey,
  type SessionLedger,
} from "./session/ledger.ts";
export { createRedisLedger, DEFAULT_REDIS_KEY_PREFIX, type RedisLedgerOptions } from "./session/redis-ledger.ts";
