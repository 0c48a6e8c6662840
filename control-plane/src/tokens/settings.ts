// Settings of the token service, built once in main.ts from configuration. Narrow tests and tools that build the
// app without main.ts get the local defaults from `tokenSettings()`.

/** The audience of every token the control plane mints for the gateway (data-plane nodes check it). */
export const GATEWAY_AUDIENCE = "portcullis-gateway";

/** Access tokens never live longer than this, whatever the configuration says. */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

/** Default most delegations in one chain (PORTCULLIS_DELEGATION_MAX_DEPTH). */
export const DEFAULT_DELEGATION_MAX_DEPTH = 5;

/** Hard ceiling of PORTCULLIS_DELEGATION_MAX_DEPTH (bounds the nested `act` claims a token may carry). */
export const MAX_DELEGATION_DEPTH = 16;

/** Incoming tokens (subject, actor, client assertions) larger than this are refused before any crypto. */
export const MAX_INCOMING_TOKEN_BYTES = 8 * 1024;

/** Allowed clock skew for `exp`, `nbf` and `iat` of incoming tokens. */
export const CLOCK_LEEWAY_SECONDS = 60;

/** Asymmetric algorithms accepted on incoming tokens; `none` and HMAC are never accepted. */
export const ACCEPTED_ALGORITHMS = ["RS256", "ES256", "EdDSA"] as const;

export const TOKEN_TYPE = {
  jwt: "urn:ietf:params:oauth:token-type:jwt",
  idToken: "urn:ietf:params:oauth:token-type:id_token",
  accessToken: "urn:ietf:params:oauth:token-type:access_token",
} as const;

export const GRANT_TYPE = {
  clientCredentials: "client_credentials",
  tokenExchange: "urn:ietf:params:oauth:grant-type:token-exchange",
} as const;

export const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export interface TokenSettings {
  /** `iss` of the tokens the control plane mints: its public URL. main.ts fills in the bound URL when unset. */
  issuer: string;
  /** `aud` of the tokens the control plane mints. */
  audience: string;
  /** Lifetime of minted access tokens and of the gateway sessions they open (at most 15 minutes). */
  accessTokenTtlSeconds: number;
  /** How long a rotated-in signing key is published before it starts signing. */
  keyActivationDelayMs: number;
  /** After a JWKS fetch, an unknown `kid` triggers no new fetch of that issuer's keys for this long. */
  jwksCooldownMs: number;
  /**
   * How long an issuer's fetched JWK Set is trusted before it is fetched again (J11): a key the issuer removed stops
   * verifying within this, and while the JWKS endpoint is down the cached keys serve up to this, then fail closed.
   */
  jwksCacheMaxAgeMs: number;
  /** Production refuses plain-http JWKS URLs and loopback addresses. */
  production: boolean;
  /** Most delegations in one chain (operator → agent counts 0); 0 turns delegation off. */
  delegationMaxDepth: number;
  /** The mTLS token endpoint (RFC 8705 `tls_client_auth`), when its listener runs; main.ts fills it in. */
  mtlsTokenEndpoint?: string | undefined;
}

export function tokenSettings(overrides: Partial<TokenSettings> = {}): TokenSettings {
  const settings: TokenSettings = {
    issuer: "http://127.0.0.1:7070",
    audience: GATEWAY_AUDIENCE,
    accessTokenTtlSeconds: MAX_ACCESS_TOKEN_TTL_SECONDS,
    keyActivationDelayMs: 10 * 60_000,
    jwksCooldownMs: 30_000,
    jwksCacheMaxAgeMs: 10 * 60_000,
    production: false,
    delegationMaxDepth: DEFAULT_DELEGATION_MAX_DEPTH,
    ...overrides,
  };
  settings.accessTokenTtlSeconds = Math.min(settings.accessTokenTtlSeconds, MAX_ACCESS_TOKEN_TTL_SECONDS);
  return settings;
}

/** The token endpoint's URL under an issuer (the `aud` client assertions may name). */
export function tokenEndpointUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, "")}/oauth/token`;
}
