// Errors of the token endpoint in RFC 6749 §5.2 form: `{ error, error_description }`, 400 (401 for
// invalid_client). Descriptions say what to fix without revealing which part of a secret was wrong.

export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_target"
  | "invalid_scope"
  | "temporarily_unavailable";

const STATUS: Record<OAuthErrorCode, 400 | 401 | 503> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_target: 400,
  invalid_scope: 400,
  temporarily_unavailable: 503,
};

export class OAuthError extends Error {
  override name = "OAuthError";
  readonly code: OAuthErrorCode;
  constructor(code: OAuthErrorCode, description: string) {
    super(description);
    this.code = code;
  }
  get status(): 400 | 401 | 503 {
    return STATUS[this.code];
  }
}

/** The one answer to every failed client authentication. */
export const clientAuthFailed = () => new OAuthError("invalid_client", "client authentication failed");
