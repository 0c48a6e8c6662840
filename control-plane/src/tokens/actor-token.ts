// The RFC 8693 actor token: an agent access token this control plane minted with client_credentials. Verified with
// the control plane's own published keys only (EdDSA, `typ` at+jwt, our `iss` and `aud`); a session token (one
// with `act` or `sid`) is not an agent's credential and is refused; the agent and its credential must still be
// in good standing, so revoking a credential also ends the exchanges its tokens could start.
import { eq } from "drizzle-orm";
import { errors, type JWTHeaderParameters, jwtVerify } from "jose";
import { agentCredentials, agents } from "../db/schema.ts";
import type { KeyRing } from "../keys/control-plane-keys.ts";
import type { AgentCredentialRow, AgentRow } from "../services/agents.ts";
import type { Deps } from "../services/context.ts";
import { ACCESS_TOKEN_TYP } from "./mint.ts";
import { OAuthError } from "./oauth-error.ts";
import { CLOCK_LEEWAY_SECONDS, type TokenSettings } from "./settings.ts";
import { precheckJwt } from "./subject-token.ts";

export interface VerifiedActor {
  agent: AgentRow;
  /** The credential the agent used: its client id (the agent's id when a client certificate authenticated it). */
  credential: Pick<AgentCredentialRow, "clientId">;
}

/** A jose key resolver over the control plane's published keys. */
export function controlPlaneKeyResolver(ring: () => KeyRing) {
  return (header: JWTHeaderParameters) => {
    const key = header.kid ? ring().trusted.get(header.kid) : undefined;
    if (!key) throw new errors.JWKSNoMatchingKey();
    return key;
  };
}

export async function verifyActorToken(
  env: { deps: Deps; settings: TokenSettings; keys: () => KeyRing },
  token: string,
): Promise<VerifiedActor> {
  precheckJwt(token, "actor_token");
  const now = env.deps.clock();
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, controlPlaneKeyResolver(env.keys), {
      algorithms: ["EdDSA"],
      issuer: env.settings.issuer,
      audience: env.settings.audience,
      typ: ACCESS_TOKEN_TYP,
      requiredClaims: ["exp", "iat", "jti", "sub", "client_id"],
      clockTolerance: CLOCK_LEEWAY_SECONDS,
      currentDate: now,
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new OAuthError("invalid_grant", "actor_token has expired");
    throw new OAuthError("invalid_grant", "actor_token is not a valid agent access token of this control plane");
  }
  if (payload.act !== undefined || payload.sid !== undefined) {
    throw new OAuthError("invalid_grant", "actor_token must be an agent's own access token, not a session token");
  }
  if (payload.cnf !== undefined) {
    // A certificate-bound token is only good with its certificate, which is the actor by itself (tls_client_auth).
    throw new OAuthError(
      "invalid_grant",
      "actor_token is bound to a client certificate: exchange over the mTLS token endpoint with that certificate instead",
    );
  }
  const clientId = payload.client_id;
  if (typeof clientId !== "string") throw new OAuthError("invalid_grant", "actor_token has no client_id");
  const [row] = await env.deps.db
    .select({ credential: agentCredentials, agent: agents })
    .from(agentCredentials)
    .innerJoin(agents, eq(agents.id, agentCredentials.agentId))
    .where(eq(agentCredentials.clientId, clientId));
  const usable =
    row &&
    row.agent.id === payload.sub &&
    !row.agent.disabled &&
    !row.credential.revokedAt &&
    !(row.credential.expiresAt && row.credential.expiresAt <= now);
  if (!row || !usable) throw new OAuthError("invalid_grant", "actor_token's agent or credential is no longer valid");
  return { agent: row.agent, credential: row.credential };
}
