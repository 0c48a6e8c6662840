// JSON-RPC framing shared by the MCP virtual servers of both eras (and the A2A endpoint): the protocol versions
// served, the error codes (standard, MCP-defined and the gateway's own), and the envelope builders.

/** The legacy (initialize-based) revisions served at /mcp/{server}, newest first. */
export const SUPPORTED_PROTOCOL_VERSIONS = ["2025-11-25", "2025-06-18"] as const;
export const LATEST_PROTOCOL_VERSION = "2025-11-25";
/** The modern (per-request `_meta`, stateless) revision served on the same URL. */
export const MODERN_PROTOCOL_VERSION = "2026-07-28";
/** Every version a virtual server speaks (server/discover's `supportedVersions`, -32022's `data.supported`). */
export const ALL_PROTOCOL_VERSIONS: readonly string[] = [MODERN_PROTOCOL_VERSION, ...SUPPORTED_PROTOCOL_VERSIONS];

/**
 * JSON-RPC error codes: the standard ones, the MCP-defined ones (2026-07-28) and the gateway's own. The gateway's
 * own codes were allocated before MCP 2026-07-28 partitioned the server-error range; four of them are not allowed
 * in that era and are renumbered there (see MODERN_CODES). docs/mcp.md has the table.
 */
export const RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** Authentication failed (the HTTP status is 401). */
  unauthorized: -32000,
  /** The Mcp-Session-Id is unknown, ended, expired or bound to another caller (HTTP 404). 2025 era only. */
  sessionNotFound: -32001,
  /** The token's agent is unknown to the snapshot or disabled (HTTP 403). */
  agentNotAllowed: -32002,
  /** A require_approval policy holds the call and its approval is pending: not executed; data says where to decide. */
  approvalRequired: -32010,
  /** The call's approval was rejected: not executed. */
  approvalRejected: -32030,
  /** The call's approval expired (undecided, or approved but not retried in time): not executed. */
  approvalExpired: -32031,
  /** The approval service (the control plane) cannot be reached: approval-gated calls fail closed. */
  approvalUnavailable: -32032,
  /** The upstream failed (connection, status, unusable answer). */
  upstreamError: -32011,
  /** The upstream did not answer in time; the upstream request was aborted. */
  upstreamTimeout: -32012,
  /** The audit spool cannot take the call's record: not executed (or its result withheld). */
  auditUnavailable: -32013,
  /** The gateway session (token `sid`) is expired, bound elsewhere or over its call limit. */
  sessionRefused: -32014,
  /** A rate limit of the gateway group is exhausted (HTTP 429 with Retry-After). */
  rateLimited: -32015,
  /** The quota store (Redis) is unreachable: the call was not counted, so not executed (HTTP 503). */
  quotaUnavailable: -32016,
  /** The node holds as many GET streams as it allows (HTTP 503 with Retry-After). */
  streamLimit: -32017,
  /** The node has not heard from the control plane past its staleness limit: sensitive tools refused (HTTP 503). */
  configStale: -32018,
  /** MCP 2026-07-28 HeaderMismatch: mirror headers missing, malformed or not matching the body (HTTP 400). */
  headerMismatch: -32020,
  /** MCP 2026-07-28 MissingRequiredClientCapability (never sent: the gateway needs no client capability). */
  missingRequiredClientCapability: -32021,
  /** MCP 2026-07-28 UnsupportedProtocolVersion: data lists the supported versions (HTTP 400). */
  unsupportedProtocolVersion: -32022,
} as const;

/**
 * The gateway's codes renumbered in the 2026-07-28 era. That revision reserves -32020…-32099 for codes the MCP
 * specification defines (implementations MUST NOT emit others from it) and forbids -32002 (its old "resource not
 * found"); new implementation codes belong outside the JSON-RPC reserved range, so these four move to -31xxx
 * (the legacy code + 1000). The other gateway codes (-32000…-32018) sit in the implementation-defined sub-range
 * and are the same in both eras.
 */
export const MODERN_CODES: Readonly<Record<number, number>> = {
  [RPC.agentNotAllowed]: -31002,
  [RPC.approvalRejected]: -31030,
  [RPC.approvalExpired]: -31031,
  [RPC.approvalUnavailable]: -31032,
};

/** A JSON-RPC id (null when the request's could not be read). */
export type Id = string | number | null;
export interface RpcError {
  code: number;
  message: string;
  data?: unknown;
}

export const rpcError = (id: Id, error: RpcError) => ({ jsonrpc: "2.0" as const, id, error });
export const rpcResult = (id: Id, result: unknown) => ({ jsonrpc: "2.0" as const, id, result });

/**
 * An error response as 2026-07-28 has it when the request's id could not be read: without `id` (its schema has
 * `id?: string | number`; the JSON-RPC 2.0 `null` is what the 2025 era keeps sending).
 */
export function withoutNullId(body: unknown): unknown {
  if (!isObject(body) || body.id !== null) return body;
  const { id: _null, ...rest } = body;
  return rest;
}

/** One SSE event carrying a JSON-RPC message. */
export const sseEvent = (message: unknown) => `event: message\ndata: ${JSON.stringify(message)}\n\n`;

export const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);
