// API tokens for automation: scoped to one role, shown once at creation, stored as a SHA-256 digest.
import { desc, eq, isNull } from "drizzle-orm";
import { apiTokens } from "../db/schema.ts";
import { randomToken, uuidv7 } from "../lib/ids.ts";
import { sha256Hex } from "../lib/secrets.ts";
import { API_TOKEN_PREFIX } from "./auth.ts";
import type { ServiceContext } from "./context.ts";
import { authorize, type Role } from "./rbac.ts";
import { firstOr404, mutate } from "./store.ts";

export type ApiTokenRow = typeof apiTokens.$inferSelect;

export async function listApiTokens({ ctx, includeRevoked }: { ctx: ServiceContext; includeRevoked: boolean }) {
  authorize(ctx.actor, "tokens:read");
  return ctx.db
    .select()
    .from(apiTokens)
    .where(includeRevoked ? undefined : isNull(apiTokens.revokedAt))
    .orderBy(desc(apiTokens.createdAt));
}

export async function createApiToken({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { name: string; role: Role; expiresInDays?: number | undefined };
}): Promise<{ row: ApiTokenRow; token: string }> {
  return mutate(ctx, "tokens:write", async (tx) => {
    const token = randomToken(API_TOKEN_PREFIX, 32);
    const now = ctx.clock();
    const [row] = await tx
      .insert(apiTokens)
      .values({
        id: uuidv7(),
        name: input.name,
        role: input.role,
        tokenHash: sha256Hex(token),
        prefix: token.slice(0, API_TOKEN_PREFIX.length + 4),
        createdBy: ctx.actor.type === "user" ? ctx.actor.id : null,
        createdAt: now,
        expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null,
      })
      .returning();
    const created = row as ApiTokenRow;
    return {
      result: { row: created, token },
      audit: {
        action: "api_token.create",
        targetType: "api_token",
        targetId: created.id,
        after: { name: input.name, role: input.role },
      },
    };
  });
}

export async function revokeApiToken({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<void> {
  await mutate(ctx, "tokens:write", async (tx) => {
    const before = await firstOr404(tx.select().from(apiTokens).where(eq(apiTokens.id, id)), "API token", id);
    await tx.update(apiTokens).set({ revokedAt: ctx.clock() }).where(eq(apiTokens.id, id));
    return {
      result: undefined,
      audit: {
        action: "api_token.revoke",
        targetType: "api_token",
        targetId: id,
        before: { name: before.name, role: before.role },
      },
    };
  });
}
