// Who is calling: console users sign in with a password and get a cookie session (new id on every login,
// idle and absolute timeouts, a CSRF token bound to it); automation uses API tokens scoped to a role. Only
// hashes of session ids and tokens are stored.
import { and, eq, gt, isNull, lt, or } from "drizzle-orm";
import { apiTokens, consoleSessions, consoleUsers } from "../db/schema.ts";
import { randomToken, uuidv7 } from "../lib/ids.ts";
import { constantTimeEqual, hashPassword, sha256Hex, verifyPassword } from "../lib/secrets.ts";
import { recordAdminAction } from "./admin-audit.ts";
import type { Deps } from "./context.ts";
import { ApiError } from "./errors.ts";
import type { LoginThrottle } from "./login-throttle.ts";
import type { Actor, Role } from "./rbac.ts";

export interface SessionPolicy {
  idleMinutes: number;
  absoluteHours: number;
}

export interface SignedIn {
  user: { id: string; email: string; displayName: string; role: Role };
  sessionToken: string;
  csrfToken: string;
  expiresAt: Date;
}

// A fixed hash to compare against when the user does not exist, so timing does not reveal which emails exist.
let dummyHash: Promise<string> | undefined;

export async function signIn(
  deps: Deps,
  policy: SessionPolicy,
  input: { email: string; password: string },
  requestId: string,
  guard?: { throttle: LoginThrottle; client: string },
): Promise<SignedIn> {
  const email = input.email.trim().toLowerCase();
  const wait = guard?.throttle.retryAfterSeconds(email, guard.client) ?? 0;
  if (wait > 0) {
    throw new ApiError(
      "rate_limited",
      `too many failed sign-ins for this account or from this address; retry in ${wait} s (an admin can reset the password meanwhile)`,
      undefined,
      wait,
    );
  }
  const [user] = await deps.db.select().from(consoleUsers).where(eq(consoleUsers.email, email));
  dummyHash ??= hashPassword("portcullis-timing-equaliser");
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await dummyHash));
  if (!user || !ok || user.disabled) {
    guard?.throttle.failed(email, guard.client);
    throw new ApiError("unauthenticated", "email or password is wrong, or the account is disabled");
  }
  guard?.throttle.succeeded(email);
  const now = deps.clock();
  const sessionToken = randomToken("", 32);
  const csrfToken = randomToken("", 24);
  const expiresAt = new Date(now.getTime() + policy.absoluteHours * 3600_000);
  await deps.db.transaction(async (tx) => {
    await tx.insert(consoleSessions).values({
      tokenHash: sha256Hex(sessionToken),
      userId: user.id,
      csrfToken,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
    });
    await tx.update(consoleUsers).set({ lastLoginAt: now }).where(eq(consoleUsers.id, user.id));
    const actor: Actor = { type: "user", id: user.id, name: user.email, role: user.role };
    await recordAdminAction(
      tx,
      { ...deps, actor, requestId },
      { action: "user.login", targetType: "user", targetId: user.id },
    );
  });
  return {
    user: { id: user.id, email: user.email, displayName: user.displayName, role: user.role },
    sessionToken,
    csrfToken,
    expiresAt,
  };
}

export interface ResolvedSession {
  actor: Actor;
  csrfToken: string;
  tokenHash: string;
}

export async function resolveSession(
  deps: Deps,
  policy: SessionPolicy,
  sessionToken: string,
): Promise<ResolvedSession | undefined> {
  const tokenHash = sha256Hex(sessionToken);
  const now = deps.clock();
  const idleCutoff = new Date(now.getTime() - policy.idleMinutes * 60_000);
  const [row] = await deps.db
    .select({ session: consoleSessions, user: consoleUsers })
    .from(consoleSessions)
    .innerJoin(consoleUsers, eq(consoleUsers.id, consoleSessions.userId))
    .where(
      and(
        eq(consoleSessions.tokenHash, tokenHash),
        gt(consoleSessions.expiresAt, now),
        gt(consoleSessions.lastSeenAt, idleCutoff),
      ),
    );
  if (!row || row.user.disabled) return undefined;
  // Touch at most once a minute so reads do not turn into a write per request.
  if (now.getTime() - row.session.lastSeenAt.getTime() > 60_000) {
    await deps.db.update(consoleSessions).set({ lastSeenAt: now }).where(eq(consoleSessions.tokenHash, tokenHash));
  }
  return {
    actor: { type: "user", id: row.user.id, name: row.user.email, role: row.user.role },
    csrfToken: row.session.csrfToken,
    tokenHash,
  };
}

export async function signOut(deps: Deps, tokenHash: string): Promise<void> {
  await deps.db.delete(consoleSessions).where(eq(consoleSessions.tokenHash, tokenHash));
}

export async function purgeExpiredSessions(deps: Deps, policy: SessionPolicy): Promise<void> {
  const now = deps.clock();
  await deps.db
    .delete(consoleSessions)
    .where(
      or(
        lt(consoleSessions.expiresAt, now),
        lt(consoleSessions.lastSeenAt, new Date(now.getTime() - policy.idleMinutes * 60_000)),
      ),
    );
}

export const API_TOKEN_PREFIX = "pc_at_";

export async function resolveApiToken(deps: Deps, token: string): Promise<Actor | undefined> {
  if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 200) return undefined;
  const now = deps.clock();
  const [row] = await deps.db
    .select()
    .from(apiTokens)
    .where(
      and(
        eq(apiTokens.tokenHash, sha256Hex(token)),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
      ),
    );
  if (!row) return undefined;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await deps.db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id));
  }
  return { type: "api_token", id: row.id, name: `token:${row.name}`, role: row.role };
}

export function csrfMatches(expected: string, presented: string | undefined): boolean {
  return presented !== undefined && constantTimeEqual(expected, presented);
}

/** Creates the first admin when there are no users; returns the one-time password if it generated one. */
export async function ensureFirstAdmin(
  deps: Deps,
  input: { email: string; password?: string | undefined },
): Promise<{ created: boolean; email: string; generatedPassword?: string }> {
  const existing = await deps.db.select({ id: consoleUsers.id }).from(consoleUsers).limit(1);
  if (existing.length > 0) return { created: false, email: input.email };
  const generated = input.password ? undefined : randomToken("", 18);
  const password = input.password ?? (generated as string);
  const id = uuidv7();
  const actor: Actor = { type: "system", id: "bootstrap", name: "system", role: "admin" };
  await deps.db.transaction(async (tx) => {
    await tx.insert(consoleUsers).values({
      id,
      email: input.email.toLowerCase(),
      displayName: "Administrator",
      role: "admin",
      passwordHash: await hashPassword(password),
      mustChangePassword: generated !== undefined,
    });
    await recordAdminAction(
      tx,
      { ...deps, actor, requestId: "startup" },
      {
        action: "user.create",
        targetType: "user",
        targetId: id,
        after: { email: input.email, role: "admin" },
        details: { reason: "first start" },
      },
    );
  });
  return generated
    ? { created: true, email: input.email, generatedPassword: generated }
    : { created: true, email: input.email };
}
