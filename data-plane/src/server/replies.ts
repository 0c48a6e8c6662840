// The data plane's one error envelope, `{error: {code, message, requestId, …}}`, with one exhaustive code → status
// mapping, and the JSON reply helper every route uses. Unknown failures become an opaque 500 with the request id.
import type { ServerResponse } from "node:http";

export const ERROR_STATUS = {
  invalid_json: 400,
  invalid_arguments: 400,
  unauthenticated: 401,
  invalid_token: 401,
  session_required: 401,
  session_expired: 401,
  agent_not_allowed: 403,
  origin_not_allowed: 403,
  session_binding_violation: 403,
  denied: 403,
  approval_required: 403,
  approval_pending: 403,
  approval_rejected: 403,
  approval_expired: 403,
  not_found: 404,
  unknown_tool: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  session_call_limit: 429,
  rate_limited: 429,
  internal_error: 500,
  upstream_error: 502,
  not_ready: 503,
  audit_unavailable: 503,
  config_stale: 503,
  approval_unavailable: 503,
  session_store_unavailable: 503,
  quota_unavailable: 503,
  upstream_timeout: 504,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string } & Record<string, unknown>;
}

export function errorBody(
  code: ErrorCode,
  message: string,
  requestId: string,
  extra: Record<string, unknown> = {},
): ErrorBody {
  return { error: { code, message, requestId, ...extra } };
}

export interface ReplyOptions {
  headers?: Record<string, string>;
  /** Close the connection after this reply (the request body was not read, or was cut off). */
  close?: boolean;
}

/** Sends a JSON reply (or raw JSON bytes) unless the client is gone. */
export function sendJson(res: ServerResponse, status: number, body: unknown, options: ReplyOptions = {}): void {
  if (res.headersSent || res.destroyed) return;
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(bytes.length),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...(options.close ? { connection: "close" } : {}),
    ...options.headers,
  });
  res.end(bytes);
}

export function sendError(
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  requestId: string,
  options: ReplyOptions & { extra?: Record<string, unknown> } = {},
): void {
  sendJson(res, ERROR_STATUS[code], errorBody(code, message, requestId, options.extra), options);
}

/** RFC 6750 §3: a challenge for missing (no error) or refused (invalid_token) bearer tokens. */
export function bearerChallenge(error?: { code: string; description: string }): string {
  if (!error) return 'Bearer realm="portcullis"';
  // error_description allows %x20-21 / %x23-5B / %x5D-7E only.
  const description = error.description.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "'");
  return `Bearer realm="portcullis", error="${error.code}", error_description="${description}"`;
}
