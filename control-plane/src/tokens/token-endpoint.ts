// POST /oauth/token: the two grants of the token service.
//  - client_credentials: an agent authenticates with its credential and gets an agent access token (`sub` = the
//    agent): the agent acting for no one (delegation origin `system`).
//  - token exchange (RFC 8693): an operator's token from a trusted issuer (subject) + the agent (actor: an agent
//    access token, or the client authentication of the request) open a gateway session; the answer is a session
//    token with `sub` = operator, `act` = agent, `sid` = session. When the subject token is a gateway session
//    token of this control plane, the exchange is a delegation instead (delegation.ts).
// Parameters are parsed strictly (form-encoded, each at most once); errors are RFC 6749 §5.2; tokens are never
// logged.
import { randomBytes } from "node:crypto";
import type { ClientCertificateIdentity } from "@portcullis/proto";
import { gatewaySessions } from "../db/schema.ts";
import type { KeyRing } from "../keys/control-plane-keys.ts";
import type { Deps } from "../services/context.ts";
import { type VerifiedActor, verifyActorToken } from "./actor-token.ts";
import { certificateActor, certificateConfirmation } from "./certificate-auth.ts";
import { authenticateClient } from "./client-auth.ts";
import { delegationExchange, issuedByControlPlane, parseScope, type SessionDelegation } from "./delegation.ts";
import type { IssuerKeys } from "./issuer-keys.ts";
import { type MintedToken, mintAccessToken } from "./mint.ts";
import { OAuthError } from "./oauth-error.ts";
import { resolveOperatorClaims } from "./operator-claims.ts";
import type { ReplayCache } from "./replay-cache.ts";
import { GRANT_TYPE, TOKEN_TYPE, type TokenSettings } from "./settings.ts";
import { precheckJwt, verifySubjectToken } from "./subject-token.ts";

export interface TokenServiceEnv {
  deps: Deps;
  settings: TokenSettings;
  keys: () => KeyRing;
  replay: ReplayCache;
  issuerKeys: IssuerKeys;
}

export interface TokenRequest {
  contentType: string | undefined;
  authorization: string | undefined;
  body: string;
  /** The verified client certificate, on the mTLS token listener: it authenticates the agent and binds the token. */
  certificate?: ClientCertificateIdentity | undefined;
}

export type TokenResponseBody = Record<string, unknown>;

const SUBJECT_TOKEN_TYPES = new Set<string>([TOKEN_TYPE.jwt, TOKEN_TYPE.idToken, TOKEN_TYPE.accessToken]);

/** Form parameters, each at most once (RFC 6749 §3.2); values are never echoed back. */
export function parseTokenForm(request: TokenRequest): Map<string, string> {
  const type = (request.contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    throw new OAuthError("invalid_request", "send the parameters as application/x-www-form-urlencoded");
  }
  const form = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(request.body)) {
    if (form.has(key)) throw new OAuthError("invalid_request", `parameter ${key.slice(0, 64)} is repeated`);
    form.set(key, value);
  }
  return form;
}

/** The token exchange's answer (RFC 8693 §2.2.1); `scope` when one was granted. */
export function sessionTokenResponse(minted: MintedToken, scope: string[] | undefined): TokenResponseBody {
  return {
    access_token: minted.token,
    issued_token_type: TOKEN_TYPE.accessToken,
    token_type: "Bearer",
    expires_in: minted.expiresIn,
    ...(scope ? { scope: scope.join(" ") } : {}),
  };
}

/** A new session id: `sess_` + 128 random bits, base64url. */
export function newSessionId(): string {
  return `sess_${randomBytes(16).toString("base64url")}`;
}

/**
 * The client of the request: its client authentication (secret or assertion) and, on the mTLS listener, its
 * certificate, which must name the same agent when both are present. Undefined when there is neither.
 */
async function requestClient(
  env: TokenServiceEnv,
  request: TokenRequest,
  form: Map<string, string>,
): Promise<VerifiedActor | undefined> {
  const client = await authenticateClient(env, { authorization: request.authorization, form });
  if (!request.certificate) return client;
  const byCertificate = await certificateActor(
    env.deps,
    request.certificate,
    client ? undefined : form.get("client_id"),
  );
  if (client && client.agent.id !== byCertificate.agent.id) {
    throw new OAuthError(
      "invalid_client",
      "the client certificate and the client authentication name different agents",
    );
  }
  return client ?? byCertificate;
}

/** The `cnf` claim of every token issued over the mTLS listener; nothing otherwise. */
const confirmationOf = (request: TokenRequest) =>
  request.certificate ? certificateConfirmation(request.certificate) : {};

export async function handleTokenRequest(env: TokenServiceEnv, request: TokenRequest): Promise<TokenResponseBody> {
  const form = parseTokenForm(request);
  const grantType = form.get("grant_type");
  if (!grantType) throw new OAuthError("invalid_request", "grant_type is missing");
  if (grantType === GRANT_TYPE.clientCredentials) return clientCredentials(env, request, form);
  if (grantType === GRANT_TYPE.tokenExchange) return tokenExchange(env, request, form);
  throw new OAuthError(
    "unsupported_grant_type",
    `supported grant types: ${GRANT_TYPE.clientCredentials}, ${GRANT_TYPE.tokenExchange}`,
  );
}

async function clientCredentials(
  env: TokenServiceEnv,
  request: TokenRequest,
  form: Map<string, string>,
): Promise<TokenResponseBody> {
  const client = await requestClient(env, request, form);
  if (!client) throw new OAuthError("invalid_client", "client authentication is required");
  const now = env.deps.clock();
  const minted = await mintAccessToken(
    env.keys().active,
    env.settings,
    { sub: client.agent.id, client_id: client.credential.clientId, ...confirmationOf(request) },
    now,
  );
  env.deps.logger.info(
    {
      grant: "client_credentials",
      agentId: client.agent.id,
      clientId: client.credential.clientId,
      certificateBound: request.certificate !== undefined,
      jti: minted.jti,
    },
    "agent access token issued",
  );
  return { access_token: minted.token, token_type: "Bearer", expires_in: minted.expiresIn };
}

async function tokenExchange(
  env: TokenServiceEnv,
  request: TokenRequest,
  form: Map<string, string>,
): Promise<TokenResponseBody> {
  const subjectToken = form.get("subject_token");
  const subjectTokenType = form.get("subject_token_type");
  if (!subjectToken) throw new OAuthError("invalid_request", "subject_token is missing");
  if (!subjectTokenType) throw new OAuthError("invalid_request", "subject_token_type is missing");
  if (!SUBJECT_TOKEN_TYPES.has(subjectTokenType)) {
    throw new OAuthError("invalid_request", `subject_token_type must be one of ${[...SUBJECT_TOKEN_TYPES].join(", ")}`);
  }
  const actorToken = form.get("actor_token");
  const actorTokenType = form.get("actor_token_type");
  if (actorToken !== undefined && actorTokenType !== TOKEN_TYPE.accessToken) {
    throw new OAuthError("invalid_request", `actor_token_type must be ${TOKEN_TYPE.accessToken}`);
  }
  if (actorToken === undefined && actorTokenType !== undefined) {
    throw new OAuthError("invalid_request", "actor_token_type without actor_token");
  }
  const requested = form.get("requested_token_type");
  if (requested !== undefined && requested !== TOKEN_TYPE.accessToken) {
    throw new OAuthError("invalid_request", `requested_token_type must be ${TOKEN_TYPE.accessToken}`);
  }
  for (const target of ["audience", "resource"] as const) {
    const value = form.get(target);
    if (value !== undefined && value !== env.settings.audience) {
      throw new OAuthError("invalid_target", `${target} must be ${env.settings.audience}`);
    }
  }

  const client = await requestClient(env, request, form);
  let actor: VerifiedActor;
  if (actorToken !== undefined) {
    actor = await verifyActorToken(env, actorToken);
    if (client && client.agent.id !== actor.agent.id) {
      throw new OAuthError("invalid_grant", "actor_token belongs to another agent than the authenticated client");
    }
  } else if (client) {
    actor = client;
  } else {
    throw new OAuthError(
      "invalid_request",
      "the acting agent is missing: authenticate as the agent's client, or send its access token as actor_token",
    );
  }

  const scope = parseScope(form.get("scope"));
  precheckJwt(subjectToken, "subject_token");
  if (issuedByControlPlane(env, subjectToken)) {
    return delegationExchange(env, {
      subjectToken,
      subjectTokenType,
      actor,
      scope,
      confirmation: confirmationOf(request),
    });
  }

  const subject = await verifySubjectToken(
    { db: env.deps.db, issuerKeys: env.issuerKeys, clock: env.deps.clock },
    subjectToken,
  );
  const operatorSub = subject.claims.sub as string;
  const op = await resolveOperatorClaims(env.deps.db, operatorSub, subject.claims, subject.issuer.claimMapping);

  const now = env.deps.clock();
  const { agent } = actor;
  const sessionId = newSessionId();
  const minted = await mintAccessToken(
    env.keys().active,
    env.settings,
    {
      sub: operatorSub,
      act: { sub: agent.id, name: agent.name, trust: agent.trust },
      sid: sessionId,
      client_id: actor.credential.clientId,
      op,
      ...(scope ? { scope: scope.join(" ") } : {}),
      ...confirmationOf(request),
    },
    now,
  );
  await env.deps.db.insert(gatewaySessions).values({
    id: sessionId,
    operatorSub,
    agentId: agent.id,
    delegation: {
      chain: [{ agentId: agent.id, agent: agent.name, trust: agent.trust, owner: agent.owner }],
      depth: 0,
      origin: "human",
    } satisfies SessionDelegation,
    startedAt: now,
    expiresAt: minted.expiresAt,
  });
  env.deps.logger.info(
    {
      grant: "token_exchange",
      sessionId,
      agentId: agent.id,
      clientId: actor.credential.clientId,
      issuer: subject.issuer.name,
      operatorSub,
      certificateBound: request.certificate !== undefined,
      jti: minted.jti,
    },
    "gateway session started",
  );
  return sessionTokenResponse(minted, scope);
}
