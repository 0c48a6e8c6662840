// API tokens for automation: scoped to one role, shown once at creation, stored as a SHA-256 digest.
import { eq, isNull } from "drizzle-orm";
import { apiTokens } from "../db/schema.ts";
import { randomToken, uuidv7 } from "../lib/ids.ts";
import { sha256Hex } from "../lib/secrets.ts";
import { API_TOKEN_PREFIX } from "./auth.ts";
import type { ServiceContext } from "./context.ts";
import { authorize, type Role } from "./rbac.ts";
import { firstOr404, keysetPage, mutate, type Page } from "./store.ts";

export type ApiTokenRow = typeof apiTokens.$inferSelect;

/** Newest first; revoked tokens only when asked for. Rows carry digests, so transports map them before output. */
export async function listApiTokens({
  ctx,
  filter,
}: {
  ctx: ServiceContext;
  filter: { includeRevoked: boolean; limit: number; cursor?: string | undefined };
}): Promise<Page<ApiTokenRow>> {
  authorize(ctx.actor, "tokens:read");
  return keysetPage<ApiTokenRow>(
    ctx.db,
    apiTokens,
    apiTokens.id,
    [filter.includeRevoked ? undefined : isNull(apiTokens.revokedAt)],
    filter.limit,
    filter.cursor,
    "desc",
  );
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
    // Revoking twice keeps the first revocation time.
    await tx
      .update(apiTokens)
      .set({ revokedAt: before.revokedAt ?? ctx.clock() })
      .where(eq(apiTokens.id, id));
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
