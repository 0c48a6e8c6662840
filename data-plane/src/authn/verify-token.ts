// Verifies the control plane's access tokens (`at+jwt`, EdDSA) against the control-plane keys of one snapshot and
// caches what verified, keyed by the token's SHA-256, until shortly before it expires. Size and shape are checked
// before any crypto; a verifier is built once per key set, so a snapshot that drops a key also drops its cache.
import { hash, type KeyObject } from "node:crypto";
import { importPublicJwk } from "@portcullis/proto";
import { type JWTPayload, errors as joseErrors, jwtVerify } from "jose";

/** The `aud` of every token the control plane mints for the gateway. */
export const GATEWAY_AUDIENCE = "portcullis-gateway";
export const ACCESS_TOKEN_TYP = "at+jwt";
/** Longer tokens are refused before any decoding or crypto. */
export const MAX_TOKEN_BYTES = 8 * 1024;
/** The control plane never mints longer-lived tokens; a longer one is refused. */
export const MAX_TOKEN_LIFETIME_SECONDS = 15 * 60;
export const CLOCK_TOLERANCE_SECONDS = 30;
export const DEFAULT_TOKEN_CACHE_SIZE = 10_000;
/** Cached claims are dropped this long before `exp`, so an entry never outlives its token. */
const CACHE_MARGIN_MS = 5_000;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Base64url of a SHA-256 digest: 43 characters, no padding. */
const X5T_S256 = /^[A-Za-z0-9_-]{43}$/;
const SESSION_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const MAX_TEXT = 512;

/** Operator attributes as the token states them (`op`); each may be missing. */
export interface TokenOperatorClaims {
  email?: string;
  department?: string;
  manager?: string;
  cost_center?: string;
  groups?: string[];
  delegation_limit?: number;
}

export interface TokenSessionClaims {
  id: string;
  agentId: string;
  agentName?: string;
  /** Agent ids of the delegators, origin first; empty when the agent acts directly for the operator. */
  delegators: readonly string[];
  parentId?: string;
}

/** Nested `act` levels a token may carry (the control plane's hard ceiling of delegations is 16). */
export const MAX_ACT_LEVELS = 17;

/** What a verified token says, checked for shape. */
export interface VerifiedToken {
  /** The operator for a session token; the agent id for an agent-only (client_credentials) token. */
  subject: string;
  clientId?: string;
  /**
   * Present on session tokens (RFC 8693 exchange): the gateway session and the acting agent (first `act` level).
   * A delegated session also names its delegators (the nested `act` levels, origin first, the immediate delegator
   * last) and its parent session; the caller re-verifies them against the snapshot on every call.
   */
  session?: TokenSessionClaims;
  operator: TokenOperatorClaims;
  /** Seconds since the epoch. */
  issuedAt: number;
  expiresAt: number;
  jti?: string;
  /**
   * RFC 8705 certificate binding (`cnf.x5t#S256`): the base64url SHA-256 thumbprint of the client certificate the
   * token was issued to. A bound token is only accepted over a connection that presents that certificate.
   */
  certificateThumbprint?: string;
}

export type TokenCheck =
  | { ok: true; token: VerifiedToken }
  | { ok: false; code: "unauthenticated" | "invalid_token"; message: string };

export interface TokenVerifierOptions {
  /** `iss` the tokens must carry: the control plane the node enrolled with. */
  issuer: string;
  /** JWKs from the snapshot's `trust.controlPlaneKeys`; entries that are not acceptable Ed25519 keys are skipped. */
  controlPlaneKeys: readonly unknown[];
  audience?: string;
  cacheSize?: number;
  clockToleranceSeconds?: number;
  /** Milliseconds since the epoch; tests move the clock. */
  now?: () => number;
}

export interface TokenVerifier {
  /** Checks an `Authorization` header value. */
  verify(authorization: string | undefined): Promise<TokenCheck>;
  /** Identifies the key set (sorted kids), so a new snapshot with the same keys keeps this verifier and its cache. */
  readonly keySetId: string;
  /** Signature verifications and cache hits so far (tests check that refused tokens cost no crypto). */
  readonly stats: { verifications: number; cacheHits: number };
}

/** The kids of the acceptable keys in a JWK list, sorted and joined. */
export function keySetIdOf(jwks: readonly unknown[]): string {
  return [...importKeys(jwks).keys()].sort().join(",");
}

function importKeys(jwks: readonly unknown[]): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const jwk of jwks) {
    try {
      const { kid, publicKey } = importPublicJwk(jwk);
      keys.set(kid, publicKey);
    } catch {
      // An unusable key cannot verify anything; the snapshot's other keys still work.
    }
  }
  return keys;
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keys = importKeys(options.controlPlaneKeys);
  const audience = options.audience ?? GATEWAY_AUDIENCE;
  const tolerance = options.clockToleranceSeconds ?? CLOCK_TOLERANCE_SECONDS;
  const cacheSize = options.cacheSize ?? DEFAULT_TOKEN_CACHE_SIZE;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { token: VerifiedToken; validUntilMs: number }>();
  const stats = { verifications: 0, cacheHits: 0 };

  const getKey = (header: { kid?: string }): KeyObject => {
    const key = header.kid === undefined ? undefined : keys.get(header.kid);
    if (!key) throw new joseErrors.JWKSNoMatchingKey();
    return key;
  };

  async function verify(authorization: string | undefined): Promise<TokenCheck> {
    if (authorization === undefined || authorization === "") {
      return { ok: false, code: "unauthenticated", message: "a bearer token is required" };
    }
    if (authorization.length > MAX_TOKEN_BYTES + 7) return invalid("the token is larger than 8 KiB");
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    if (!match) return invalid("the Authorization header must be 'Bearer <token>'");
    const jwt = match[1] as string;
    if (jwt.length > MAX_TOKEN_BYTES) return invalid("the token is larger than 8 KiB");
    if (!COMPACT_JWS.test(jwt)) return invalid("the token is not a compact JWS (three base64url segments)");

    const cacheKey = hash("sha256", jwt, "base64url");
    const cached = cache.get(cacheKey);
    const nowMs = now();
    if (cached) {
      if (nowMs < cached.validUntilMs) {
        stats.cacheHits += 1;
        cache.delete(cacheKey); // most recently used goes last
        cache.set(cacheKey, cached);
        return { ok: true, token: cached.token };
      }
      cache.delete(cacheKey);
    }

    let payload: JWTPayload;
    try {
      stats.verifications += 1;
      ({ payload } = await jwtVerify(jwt, getKey, {
        algorithms: ["EdDSA"],
        issuer: options.issuer,
        audience,
        typ: ACCESS_TOKEN_TYP,
        requiredClaims: ["exp", "iat", "sub"],
        clockTolerance: tolerance,
        maxTokenAge: MAX_TOKEN_LIFETIME_SECONDS,
        currentDate: new Date(nowMs),
      }));
    } catch (error) {
      return invalid(describeJoseError(error));
    }
    const shaped = shapeClaims(payload);
    if (typeof shaped === "string") return invalid(shaped);

    const validUntilMs = shaped.expiresAt * 1000 - CACHE_MARGIN_MS;
    if (nowMs < validUntilMs) {
      if (cache.size >= cacheSize) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      cache.set(cacheKey, { token: shaped, validUntilMs });
    }
    return { ok: true, token: shaped };
  }

  return { verify, keySetId: [...keys.keys()].sort().join(","), stats };
}

function invalid(message: string): TokenCheck {
  return { ok: false, code: "invalid_token", message };
}

/** A message about why jose refused a token, without echoing anything from the token. */
function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) {
    return error.claim === "iat" ? "the token is too old" : "the token has expired";
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.reason === "missing") return `the token has no ${error.claim} claim`;
    if (error.claim === "typ") return `the token's typ is not ${ACCESS_TOKEN_TYP}`;
    if (error.claim === "nbf") return "the token is not valid yet";
    if (error.claim === "iat") return "the token was issued in the future";
    return `the token's ${error.claim} claim is not acceptable`;
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return "the token's alg is not allowed (EdDSA only)";
  if (error instanceof joseErrors.JWKSNoMatchingKey) return "the token is not signed by a trusted control-plane key";
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "the token's signature does not verify";
  if (error instanceof joseErrors.JOSENotSupported) return "the token uses an unsupported algorithm or header";
  return "the token is malformed";
}

const text = (v: unknown): string | undefined =>
  typeof v === "string" && v.length > 0 && v.length <= MAX_TEXT ? v : undefined;

/** Checks the claims' shape; returns the reason when a claim is present but unusable. */
function shapeClaims(p: JWTPayload): VerifiedToken | string {
  const subject = text(p.sub);
  if (!subject) return "the token's sub claim is not acceptable";
  const issuedAt = p.iat as number;
  const expiresAt = p.exp as number;
  if (expiresAt - issuedAt > MAX_TOKEN_LIFETIME_SECONDS) return "the token lives longer than 15 minutes";
  const token: VerifiedToken = { subject, operator: operatorClaims(p.op), issuedAt, expiresAt };
  const clientId = text(p.client_id);
  if (clientId) token.clientId = clientId;
  if (typeof p.jti === "string") token.jti = p.jti;
  if (p.cnf !== undefined) {
    // A confirmation this node cannot check must not be ignored (that would unbind the token): refuse it.
    const cnf = p.cnf as Record<string, unknown> | null;
    const x5t = cnf !== null && typeof cnf === "object" && !Array.isArray(cnf) ? cnf["x5t#S256"] : undefined;
    if (typeof x5t !== "string" || !X5T_S256.test(x5t) || Object.keys(cnf as object).length !== 1) {
      return "the token's cnf claim is not acceptable (only x5t#S256 certificate binding is supported)";
    }
    token.certificateThumbprint = x5t;
  }

  const hasSid = p.sid !== undefined;
  const hasAct = p.act !== undefined;
  if (hasSid !== hasAct) return "a session token carries both sid and act";
  if (hasSid) {
    if (typeof p.sid !== "string" || !SESSION_ID.test(p.sid)) return "the token's sid claim is not acceptable";
    const act = p.act as Record<string, unknown> | null;
    const agentId = act !== null && typeof act === "object" && !Array.isArray(act) ? text(act.sub) : undefined;
    if (!agentId) return "the token's act claim has no acceptable sub";
    const agentName = text((act as Record<string, unknown>).name);
    // Nested `act` levels: the delegation chain the control plane verified hop by hop when it minted this token
    // (only its tokens get here). They name agents only; the caller checks them against the snapshot.
    const delegators = delegatorsOf(act as Record<string, unknown>, agentId);
    if (typeof delegators === "string") return delegators;
    let parentId: string | undefined;
    if (p.parent_sid !== undefined) {
      if (typeof p.parent_sid !== "string" || !SESSION_ID.test(p.parent_sid)) {
        return "the token's parent_sid claim is not acceptable";
      }
      parentId = p.parent_sid;
    }
    if (delegators.length > 0 !== (parentId !== undefined)) {
      return "a delegated session token carries both parent_sid and a nested act chain";
    }
    token.session = Object.freeze({
      id: p.sid,
      agentId,
      ...(agentName ? { agentName } : {}),
      delegators,
      ...(parentId ? { parentId } : {}),
    });
  }
  // Cached and shared by every request that presents the same token: never mutated.
  if (token.operator.groups) Object.freeze(token.operator.groups);
  Object.freeze(token.operator);
  return Object.freeze(token);
}

/** The agent ids of the nested `act` levels below the acting agent, origin first. */
function delegatorsOf(act: Record<string, unknown>, agentId: string): readonly string[] | string {
  const ids: string[] = [];
  const seen = new Set([agentId]);
  let level: unknown = act.act;
  while (level !== undefined) {
    if (level === null || typeof level !== "object" || Array.isArray(level)) {
      return "the token's nested act claim is not an object";
    }
    if (ids.length + 1 >= MAX_ACT_LEVELS) return "the token's act chain is too deep";
    const sub = text((level as Record<string, unknown>).sub);
    if (!sub) return "the token's nested act claim has no acceptable sub";
    if (seen.has(sub)) return "the token's act chain names an agent twice";
    seen.add(sub);
    ids.push(sub);
    level = (level as Record<string, unknown>).act;
  }
  return Object.freeze(ids.reverse());
}

function operatorClaims(op: unknown): TokenOperatorClaims {
  if (op === null || typeof op !== "object" || Array.isArray(op)) return {};
  const o = op as Record<string, unknown>;
  const out: TokenOperatorClaims = {};
  const email = text(o.email);
  if (email) out.email = email;
  const department = text(o.department);
  if (department) out.department = department;
  const manager = text(o.manager);
  if (manager) out.manager = manager;
  const costCenter = text(o.cost_center);
  if (costCenter) out.cost_center = costCenter;
  if (Array.isArray(o.groups)) {
    out.groups = o.groups.filter((g): g is string => text(g) !== undefined).slice(0, 100);
  }
  if (typeof o.delegation_limit === "number" && Number.isFinite(o.delegation_limit)) {
    out.delegation_limit = o.delegation_limit;
  }
  return out;
}
