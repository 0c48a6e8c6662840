// Console users: who may sign in to the console, with one role each. Passwords are stored as scrypt hashes and
// never returned. Changing a user's password, role or disabled flag ends their console sessions. There is always
// at least one enabled admin, and nobody deletes their own account.
import { and, eq, ilike, or } from "drizzle-orm";
import type { Tx } from "../db/client.ts";
import { consoleSessions, consoleUsers } from "../db/schema.ts";
import { uuidv7 } from "../lib/ids.ts";
import { hashPassword } from "../lib/secrets.ts";
import { definedOnly } from "./agents.ts";
import type { ServiceContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import { authorize, type Role } from "./rbac.ts";
import { keysetPage, likeContains, mutate, type Page, rowById } from "./store.ts";

export type UserRow = typeof consoleUsers.$inferSelect;

export interface UserInput {
  email: string;
  displayName?: string | undefined;
  role: Role;
  password: string;
  disabled?: boolean | undefined;
}

export interface UserFilter {
  q?: string | undefined;
  role?: Role | undefined;
  limit: number;
  cursor?: string | undefined;
}

const duplicateEmail = (email: string | undefined) => `a user with email "${normalEmail(email ?? "")}" already exists`;
const normalEmail = (email: string) => email.trim().toLowerCase();

export async function listUsers({ ctx, filter }: { ctx: ServiceContext; filter: UserFilter }): Promise<Page<UserRow>> {
  authorize(ctx.actor, "users:read");
  const q = filter.q ? likeContains(filter.q) : undefined;
  return keysetPage<UserRow>(
    ctx.db,
    consoleUsers,
    consoleUsers.id,
    [
      q ? or(ilike(consoleUsers.email, q), ilike(consoleUsers.displayName, q)) : undefined,
      filter.role ? eq(consoleUsers.role, filter.role) : undefined,
    ],
    filter.limit,
    filter.cursor,
  );
}

export async function getUser({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<UserRow> {
  authorize(ctx.actor, "users:read");
  return rowById(ctx.db, consoleUsers, "user", id);
}

export async function createUser({ ctx, input }: { ctx: ServiceContext; input: UserInput }): Promise<UserRow> {
  authorize(ctx.actor, "users:write");
  // Hashing is deliberately slow: do it before the transaction opens.
  const passwordHash = await hashPassword(input.password);
  return mutate(
    ctx,
    "users:write",
    async (tx) => {
      const now = ctx.clock();
      const [row] = await tx
        .insert(consoleUsers)
        .values({
          id: uuidv7(),
          email: normalEmail(input.email),
          displayName: input.displayName ?? "",
          role: input.role,
          passwordHash,
          disabled: input.disabled ?? false,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const user = row as UserRow;
      return {
        result: user,
        audit: { action: "user.create", targetType: "user", targetId: user.id, after: auditView(user) },
      };
    },
    duplicateEmail(input.email),
  );
}

export async function updateUser({
  ctx,
  id,
  input,
}: {
  ctx: ServiceContext;
  id: string;
  input: Partial<UserInput>;
}): Promise<UserRow> {
  authorize(ctx.actor, "users:write");
  const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
  return mutate(
    ctx,
    "users:write",
    async (tx) => {
      const before = await rowById(tx, consoleUsers, "user", id);
      const demoted = input.role !== undefined && input.role !== "admin";
      if (isEnabledAdmin(before) && (demoted || input.disabled === true)) {
        await requireAnotherAdmin(tx, before, demoted ? "demote" : "disable");
      }
      const [row] = await tx
        .update(consoleUsers)
        .set({
          ...definedOnly({
            email: input.email === undefined ? undefined : normalEmail(input.email),
            displayName: input.displayName,
            role: input.role,
            disabled: input.disabled,
            passwordHash,
          }),
          updatedAt: ctx.clock(),
        })
        .where(eq(consoleUsers.id, id))
        .returning();
      const after = row as UserRow;
      const accessChanged =
        passwordHash !== undefined || after.role !== before.role || after.disabled !== before.disabled;
      const ended = accessChanged
        ? await tx
            .delete(consoleSessions)
            .where(eq(consoleSessions.userId, id))
            .returning({ userId: consoleSessions.userId })
        : [];
      return {
        result: after,
        audit: {
          action: "user.update",
          targetType: "user",
          targetId: id,
          before: auditView(before),
          after: auditView(after),
          details: { passwordChanged: passwordHash !== undefined, sessionsEnded: ended.length },
        },
      };
    },
    duplicateEmail(input.email),
  );
}

export async function deleteUser({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<void> {
  await mutate(ctx, "users:write", async (tx) => {
    if (ctx.actor.type === "user" && ctx.actor.id === id) {
      throw new ApiError("conflict", "you cannot delete your own account; ask another admin");
    }
    const before = await rowById(tx, consoleUsers, "user", id);
    if (isEnabledAdmin(before)) await requireAnotherAdmin(tx, before, "delete");
    await tx.delete(consoleUsers).where(eq(consoleUsers.id, id));
    return {
      result: undefined,
      audit: { action: "user.delete", targetType: "user", targetId: id, before: auditView(before) },
    };
  });
}

const isEnabledAdmin = (u: UserRow) => u.role === "admin" && !u.disabled;

/**
 * Refuses to remove the last enabled admin. Locks every enabled admin row in id order, so two concurrent
 * demotions serialize and the second one sees the first one's result instead of both passing.
 */
async function requireAnotherAdmin(tx: Tx, user: UserRow, verb: string): Promise<void> {
  const admins = await tx
    .select({ id: consoleUsers.id })
    .from(consoleUsers)
    .where(and(eq(consoleUsers.role, "admin"), eq(consoleUsers.disabled, false)))
    .orderBy(consoleUsers.id)
    .for("update");
  if (!admins.some((a) => a.id !== user.id)) {
    throw new ApiError(
      "conflict",
      `${user.email} is the last enabled admin; make another user an admin before you ${verb} them`,
    );
  }
}

/** What the admin-audit trail hashes: the user without the password hash. */
function auditView(user: UserRow) {
  const { passwordHash: _secret, ...rest } = user;
  return rest;
}
