// The one error type of the control plane. Services throw ApiError with a stable code; transports map the
// code to a status through one exhaustive table. Anything else becomes an opaque `internal` error whose
// detail goes to the log only.

export const errorStatus = {
  validation_failed: 400,
  invalid_policy: 400,
  unauthenticated: 401,
  forbidden: 403,
  csrf_failed: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface FieldIssue {
  /** Where the problem is, e.g. `body.name` or `query.limit`. */
  field: string;
  message: string;
  line?: number;
  column?: number;
}

export class ApiError extends Error {
  override name = "ApiError";
  readonly code: ErrorCode;
  readonly fields: FieldIssue[] | undefined;
  /** For rate_limited: sent as the Retry-After header. */
  readonly retryAfterSeconds: number | undefined;
  constructor(code: ErrorCode, message: string, fields?: FieldIssue[], retryAfterSeconds?: number) {
    super(message);
    this.code = code;
    this.fields = fields;
    this.retryAfterSeconds = retryAfterSeconds;
  }
  get status(): (typeof errorStatus)[ErrorCode] {
    return errorStatus[this.code];
  }
}

export const notFound = (what: string, id: string) => new ApiError("not_found", `${what} ${id} does not exist`);
export const conflict = (message: string) => new ApiError("conflict", message);
/** A 400 that names the input field at fault, e.g. `body.upstreamId`. */
export const invalidField = (field: string, message: string) =>
  new ApiError("validation_failed", `${field}: ${message}`, [{ field, message }]);
