// Delegation (RFC 8693 token exchange with a gateway session token as the subject): agent A, in a session this
// control plane opened, hands work to agent B. The subject token is A's session token, verified with our own keys
// only; the actor is B (its access token or its client authentication). Every hop of A's nested `act` chain was
// verified when its token was minted; here each hop is checked again against the database (the agents still
// exist and are enabled, each still allows the next), then B is checked: A allows B (`allowedDelegates`), B is
// not already in the chain (no cycles), the new depth is within PORTCULLIS_DELEGATION_MAX_DEPTH, the requested
// scope is within A's, and B's token expires no later than A's. B's token carries the nested `act` chain (RFC 8693
// §4.1, the current actor outermost) and `parent_sid`; its session records the parent session.
import { eq, inArray } from "drizzle-orm";
import { errors, type JWTPayload, jwtVerify } from "jose";
import { agents, gatewaySessions } from "../db/schema.ts";
import type { AgentRow } from "../services/agents.ts";
import { controlPlaneKeyResolver, type VerifiedActor } from "./actor-token.ts";
import { ACCESS_TOKEN_TYP, mintAccessToken } from "./mint.ts";
import { OAuthError } from "./oauth-error.ts";
import { MAX_DELEGATION_DEPTH, TOKEN_TYPE } from "./settings.ts";
import { precheckJwt } from "./subject-token.ts";
import { newSessionId, sessionTokenResponse, type TokenResponseBody, type TokenServiceEnv } from "./token-endpoint.ts";

/** One agent of a verified chain as a token's `act` level states it. */
export interface ActHop {
  sub: string;
  name: string;
  trust: string;
}

/** One hop as the session row (and the sessions API) records it: origin first. */
export interface SessionHop {
  agentId: string;
  agent: string;
  trust: string;
  owner: string;
}

export interface SessionDelegation {
  chain: SessionHop[];
  depth: number;
  origin: "human" | "system" | "agent";
}

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;

/** The `scope` parameter (RFC 6749 §3.3) as a set; undefined when absent. */
export function parseScope(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const tokens = value.split(" ").filter((s) => s !== "");
  if (tokens.length === 0 || tokens.length > 64 || !tokens.every((t) => SCOPE_TOKEN.test(t))) {
    throw new OAuthError("invalid_scope", "scope must be 1 to 64 space-separated scope tokens (RFC 6749 §3.3)");
  }
  return [...new Set(tokens)];
}

/** The nested `act` claim for a chain given origin first: the last agent (the current actor) is outermost. */
export function nestAct(hops: readonly ActHop[]): Record<string, unknown> {
  let act: Record<string, unknown> | undefined;
  for (const h of hops) act = { sub: h.sub, name: h.name, trust: h.trust, ...(act ? { act } : {}) };
  if (!act) throw new Error("an act chain needs at least one agent");
  return act;
}

/** The hops of a nested `act` claim, origin first; a string says why it is unusable. */
export function actChainOf(act: unknown, maxLevels: number): ActHop[] | string {
  const hops: ActHop[] = [];
  let level: unknown = act;
  while (level !== undefined) {
    if (level === null || typeof level !== "object" || Array.isArray(level)) return "an act level is not an object";
    if (hops.length >= maxLevels) return `the act chain is deeper than ${maxLevels - 1} delegations`;
    const l = level as Record<string, unknown>;
    if (typeof l.sub !== "string" || l.sub === "") return "an act level has no sub";
    hops.push({ sub: l.sub, name: typeof l.name === "string" ? l.name : l.sub, trust: String(l.trust ?? "") });
    level = l.act;
  }
  if (hops.length === 0) return "the act claim is missing";
  hops.reverse();
  if (new Set(hops.map((h) => h.sub)).size !== hops.length) return "the act chain names an agent twice";
  return hops;
}

/** Whether a (prechecked) subject token names this control plane as its issuer: then it is a delegation. */
export function issuedByControlPlane(env: TokenServiceEnv, token: string): boolean {
  const payload = token.split(".")[1] ?? "";
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")).iss === env.settings.issuer;
  } catch {
    return false;
  }
}

/** The delegating agent's session token: ours (EdDSA, our keys, `at+jwt`), a session token, not expired. */
async function verifyDelegatorToken(env: TokenServiceEnv, token: string): Promise<JWTPayload & { sid: string }> {
  precheckJwt(token, "subject_token");
  try {
    const { payload } = await jwtVerify(token, controlPlaneKeyResolver(env.keys), {
      algorithms: ["EdDSA"],
      issuer: env.settings.issuer,
      audience: env.settings.audience,
      typ: ACCESS_TOKEN_TYP,
      requiredClaims: ["exp", "iat", "jti", "sub", "sid", "act"],
      currentDate: env.deps.clock(),
    });
    if (typeof payload.sid !== "string") throw new OAuthError("invalid_grant", "subject_token has no session id");
    return payload as JWTPayload & { sid: string };
  } catch (err) {
    if (err instanceof OAuthError) throw err;
    if (err instanceof errors.JWTExpired) throw new OAuthError("invalid_grant", "subject_token has expired");
    throw new OAuthError("invalid_grant", "subject_token is not a valid gateway session token of this control plane");
  }
}

const refuse = (message: string) => new OAuthError("invalid_grant", message);

export async function delegationExchange(
  env: TokenServiceEnv,
  input: {
    subjectToken: string;
    subjectTokenType: string;
    actor: VerifiedActor;
    scope: string[] | undefined;
    /** `cnf` when the delegate authenticated with a client certificate (the new token is bound to it). */
    confirmation?: { cnf: { "x5t#S256": string } } | Record<string, never>;
  },
): Promise<TokenResponseBody> {
  if (input.subjectTokenType !== TOKEN_TYPE.accessToken) {
    throw new OAuthError(
      "invalid_request",
      `a gateway session token is delegated with subject_token_type ${TOKEN_TYPE.accessToken}`,
    );
  }
  const maxDepth = env.settings.delegationMaxDepth;
  const claims = await verifyDelegatorToken(env, input.subjectToken);
  const hops = actChainOf(claims.act, MAX_DELEGATION_DEPTH + 1);
  if (typeof hops === "string") throw refuse(`subject_token's delegation chain is unusable: ${hops}`);
  const delegator = hops[hops.length - 1] as ActHop;
  const delegate = input.actor.agent;

  // The parent session: still open, and the one this token speaks for.
  const { db } = env.deps;
  const [parent] = await db.select().from(gatewaySessions).where(eq(gatewaySessions.id, claims.sid));
  if (!parent || parent.endedAt || parent.agentId !== delegator.sub || parent.operatorSub !== claims.sub) {
    throw refuse("the delegating session is unknown or has ended");
  }

  // Every hop again, against today's configuration.
  const rows = await db
    .select()
    .from(agents)
    .where(inArray(agents.id, [...hops.map((h) => h.sub), delegate.id]));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const chain: AgentRow[] = [];
  for (const h of hops) {
    const row = byId.get(h.sub);
    if (!row || row.disabled) throw refuse(`agent ${h.name} in the delegation chain is disabled or unknown`);
    const previous = chain[chain.length - 1];
    if (previous && !previous.allowedDelegates.includes(row.id)) {
      throw refuse(`agent ${previous.name} no longer allows ${row.name} to act for it`);
    }
    chain.push(row);
  }
  const delegatorRow = chain[chain.length - 1] as AgentRow;
  if (chain.some((a) => a.id === delegate.id)) {
    throw refuse(`delegation cycle: agent ${delegate.name} is already in the chain`);
  }
  const depth = chain.length; // delegations after this one
  if (depth > maxDepth) {
    throw refuse(`the delegation chain would be ${depth} deep; the limit is ${maxDepth}`);
  }
  if (!delegatorRow.allowedDelegates.includes(delegate.id)) {
    throw refuse(`agent ${delegatorRow.name} does not allow ${delegate.name} to act for it`);
  }

  // Never more authority than the delegator: scope within its scope, expiry no later than its token's.
  const delegatorScope = typeof claims.scope === "string" ? claims.scope.split(" ").filter(Boolean) : undefined;
  if (input.scope && delegatorScope) {
    const wider = input.scope.filter((s) => !delegatorScope.includes(s));
    if (wider.length > 0) {
      throw new OAuthError("invalid_scope", `scope ${wider.join(" ")} is not within the delegating session's scope`);
    }
  }
  const scope = input.scope ?? delegatorScope;
  const now = env.deps.clock();
  const remaining = (claims.exp as number) - Math.floor(now.getTime() / 1000);
  if (remaining < 1) throw refuse("subject_token has expired");
  const ttl = Math.min(env.settings.accessTokenTtlSeconds, remaining);

  const full = [...chain, delegate];
  const sessionId = newSessionId();
  const minted = await mintAccessToken(
    env.keys().active,
    env.settings,
    {
      sub: claims.sub as string,
      act: nestAct(full.map((a) => ({ sub: a.id, name: a.name, trust: a.trust }))),
      sid: sessionId,
      parent_sid: parent.id,
      client_id: input.actor.credential.clientId,
      ...(claims.op !== undefined ? { op: claims.op } : {}),
      ...(scope ? { scope: scope.join(" ") } : {}),
      ...input.confirmation,
    },
    now,
    ttl,
  );
  const parentOrigin = (parent.delegation as Partial<SessionDelegation>).origin;
  const delegation: SessionDelegation = {
    chain: full.map((a) => ({ agentId: a.id, agent: a.name, trust: a.trust, owner: a.owner })),
    depth,
    origin: parentOrigin === "system" || parentOrigin === "agent" ? parentOrigin : "human",
  };
  await db.insert(gatewaySessions).values({
    id: sessionId,
    operatorSub: claims.sub as string,
    agentId: delegate.id,
    parentSessionId: parent.id,
    delegation: delegation as unknown as Record<string, unknown>,
    startedAt: now,
    expiresAt: minted.expiresAt,
  });
  env.deps.logger.info(
    {
      grant: "token_exchange",
      sessionId,
      parentSessionId: parent.id,
      agentId: delegate.id,
      delegatorId: delegatorRow.id,
      depth,
      jti: minted.jti,
    },
    "delegated session started",
  );
  return sessionTokenResponse(minted, scope);
}
