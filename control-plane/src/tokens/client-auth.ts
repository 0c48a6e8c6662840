// Client authentication at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2): `client_secret_basic`,
// `client_secret_post` or `private_key_jwt`, against the agent credentials the control plane issued. Secrets are
// compared as SHA-256 digests in constant time (an unknown client costs the same comparison); every failure,
// whatever its cause, answers the same `invalid_client`.

import { eq } from "drizzle-orm";
import { decodeJwt, importJWK, type JWK, jwtVerify } from "jose";
import { agentCredentials, agents } from "../db/schema.ts";
import { constantTimeEqual, sha256Hex } from "../lib/secrets.ts";
import type { AgentCredentialRow, AgentRow } from "../services/agents.ts";
import type { Deps } from "../services/context.ts";
import { clientAuthFailed, OAuthError } from "./oauth-error.ts";
import { algorithmForJwk } from "./public-jwk.ts";
import type { ReplayCache } from "./replay-cache.ts";
import {
  CLIENT_ASSERTION_TYPE,
  CLOCK_LEEWAY_SECONDS,
  MAX_INCOMING_TOKEN_BYTES,
  type TokenSettings,
  tokenEndpointUrl,
} from "./settings.ts";

export type ClientAuthMethod = "client_secret_basic" | "client_secret_post" | "private_key_jwt";

export interface AuthenticatedClient {
  agent: AgentRow;
  credential: AgentCredentialRow;
  method: ClientAuthMethod;
}

/** Client assertions may not be valid for longer than this. */
export const MAX_CLIENT_ASSERTION_SECONDS = 5 * 60;

const DUMMY_DIGEST = sha256Hex("portcullis-client-secret-timing-equaliser");

export interface ClientAuthEnv {
  deps: Deps;
  settings: TokenSettings;
  replay: ReplayCache;
}

/**
 * The client this request authenticates as, or undefined when it presents no client authentication at all.
 * Throws OAuthError `invalid_client` for a failed authentication and `invalid_request` for a malformed one.
 */
export async function authenticateClient(
  env: ClientAuthEnv,
  request: { authorization: string | undefined; form: Map<string, string> },
): Promise<AuthenticatedClient | undefined> {
  const { form } = request;
  const basic = request.authorization !== undefined ? parseBasic(request.authorization) : undefined;
  const postSecret = form.get("client_secret");
  const assertion = form.get("client_assertion");
  const assertionType = form.get("client_assertion_type");
  const used = [basic, postSecret, assertion ?? assertionType].filter((m) => m !== undefined);
  if (used.length > 1) throw new OAuthError("invalid_request", "use exactly one client authentication method");
  const formClientId = form.get("client_id");

  if (basic) {
    if (formClientId !== undefined && formClientId !== basic.clientId) {
      throw new OAuthError("invalid_request", "client_id differs from the one in the Authorization header");
    }
    return verifySecret(env, basic.clientId, basic.secret, "client_secret_basic");
  }
  if (postSecret !== undefined) {
    if (!formClientId) throw new OAuthError("invalid_request", "client_secret needs client_id");
    return verifySecret(env, formClientId, postSecret, "client_secret_post");
  }
  if (assertion !== undefined || assertionType !== undefined) {
    if (assertionType !== CLIENT_ASSERTION_TYPE) {
      throw new OAuthError("invalid_request", `client_assertion_type must be ${CLIENT_ASSERTION_TYPE}`);
    }
    if (!assertion) throw new OAuthError("invalid_request", "client_assertion is missing");
    return verifyAssertion(env, assertion, formClientId);
  }
  return undefined;
}

function parseBasic(header: string): { clientId: string; secret: string } {
  const m = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim());
  if (!m?.[1]) throw clientAuthFailed();
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw clientAuthFailed();
  try {
    // RFC 6749 §2.3.1: both halves are form-urlencoded before being joined.
    const formDecode = (s: string) => decodeURIComponent(s.replaceAll("+", " "));
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw clientAuthFailed();
  }
}

async function credentialOf(env: ClientAuthEnv, clientId: string) {
  if (clientId.length === 0 || clientId.length > 200) return undefined;
  const [row] = await env.deps.db
    .select({ credential: agentCredentials, agent: agents })
    .from(agentCredentials)
    .innerJoin(agents, eq(agents.id, agentCredentials.agentId))
    .where(eq(agentCredentials.clientId, clientId));
  return row;
}

function usable(row: { credential: AgentCredentialRow; agent: AgentRow } | undefined, now: Date): boolean {
  if (!row) return false;
  const { credential, agent } = row;
  return !credential.revokedAt && !(credential.expiresAt && credential.expiresAt <= now) && !agent.disabled;
}

async function verifySecret(
  env: ClientAuthEnv,
  clientId: string,
  secret: string,
  method: ClientAuthMethod,
): Promise<AuthenticatedClient> {
  const row = await credentialOf(env, clientId);
  const stored = row?.credential.kind === "client_secret" ? row.credential.secretHash : null;
  const matches = constantTimeEqual(sha256Hex(secret), stored ?? DUMMY_DIGEST);
  if (!row || !stored || !matches || !usable(row, env.deps.clock())) throw clientAuthFailed();
  return { agent: row.agent, credential: row.credential, method };
}

async function verifyAssertion(
  env: ClientAuthEnv,
  assertion: string,
  formClientId: string | undefined,
): Promise<AuthenticatedClient> {
  if (assertion.length > MAX_INCOMING_TOKEN_BYTES) {
    throw new OAuthError("invalid_request", `client_assertion is larger than ${MAX_INCOMING_TOKEN_BYTES} bytes`);
  }
  let claimed: { iss?: unknown; sub?: unknown };
  try {
    claimed = decodeJwt(assertion);
  } catch {
    throw clientAuthFailed();
  }
  const clientId = claimed.iss;
  if (typeof clientId !== "string" || claimed.sub !== clientId) throw clientAuthFailed();
  if (formClientId !== undefined && formClientId !== clientId) {
    throw new OAuthError("invalid_request", "client_id differs from the client assertion's issuer");
  }
  const row = await credentialOf(env, clientId);
  const now = env.deps.clock();
  const jwk = row?.credential.kind === "private_key_jwt" ? row.credential.publicJwk : null;
  const alg = jwk ? algorithmForJwk(jwk) : undefined;
  if (!row || !jwk || !alg || !usable(row, now)) throw clientAuthFailed();
  let payload: { exp?: number; jti?: string };
  try {
    const key = await importJWK(jwk as JWK, alg);
    ({ payload } = await jwtVerify(assertion, key, {
      algorithms: [alg],
      issuer: clientId,
      subject: clientId,
      audience: [tokenEndpointUrl(env.settings.issuer), env.settings.issuer],
      requiredClaims: ["exp", "jti"],
      clockTolerance: CLOCK_LEEWAY_SECONDS,
      currentDate: now,
    }));
  } catch {
    throw clientAuthFailed();
  }
  const exp = payload.exp as number;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (exp > nowSeconds + MAX_CLIENT_ASSERTION_SECONDS + CLOCK_LEEWAY_SECONDS) {
    throw new OAuthError("invalid_client", "client assertions may be valid for at most 5 minutes");
  }
  const jti = payload.jti;
  if (typeof jti !== "string" || jti.length === 0 || jti.length > 256) throw clientAuthFailed();
  // Remembered past `exp` by the leeway, since an assertion stays acceptable that long.
  if (!env.replay.remember(`${clientId}\n${jti}`, (exp + CLOCK_LEEWAY_SECONDS) * 1000, now.getTime())) {
    throw new OAuthError("invalid_client", "the client assertion was already used");
  }
  return { agent: row.agent, credential: row.credential, method: "private_key_jwt" };
}
