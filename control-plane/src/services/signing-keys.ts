// The control plane's signing keys as administrators manage them: list (kid, status, when it activates and
// retires) and rotate. Rotation publishes the new key at once (JWKS, snapshots) and lets it sign only after a
// delay longer than snapshot propagation, so every verifier knows it first; the old key keeps verifying until
// every token it signed has expired. One rotation at a time.
import { and, asc, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { signingKeys } from "../db/schema.ts";
import { rotateControlPlaneKey } from "../keys/control-plane-keys.ts";
import { CLOCK_LEEWAY_SECONDS, tokenSettings } from "../tokens/settings.ts";
import type { ServiceContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import { authorize } from "./rbac.ts";
import { mutate } from "./store.ts";

export type SigningKeyStatus = "active" | "pending" | "retiring" | "retired" | "revoked";

export interface SigningKeyView {
  kid: string;
  alg: string;
  status: SigningKeyStatus;
  publicJwk: Record<string, unknown>;
  createdAt: Date;
  activatesAt: Date;
  retiresAt: Date | null;
  revokedAt: Date | null;
}

/** After the new key activates, replicas may sign with the old one until their next key refresh (60 s). */
const KEY_REFRESH_MARGIN_MS = 60_000;

export async function listSigningKeys({ ctx }: { ctx: ServiceContext }): Promise<SigningKeyView[]> {
  authorize(ctx.actor, "keys:read");
  const now = ctx.clock();
  const rows = await ctx.db.select().from(signingKeys).orderBy(asc(signingKeys.activatesAt), asc(signingKeys.kid));
  const live = rows.filter((r) => !r.revokedAt && !(r.retiresAt && r.retiresAt <= now));
  // The same choice loadKeyRing makes: the newest key whose activation time has come signs.
  const active = [...live].reverse().find((r) => r.activatesAt <= now) ?? live[0];
  return rows
    .map((r) => {
      const status: SigningKeyStatus = r.revokedAt
        ? "revoked"
        : r.retiresAt && r.retiresAt <= now
          ? "retired"
          : r === active
            ? "active"
            : r.activatesAt > now
              ? "pending"
              : "retiring";
      return {
        kid: r.kid,
        alg: r.alg,
        status,
        publicJwk: r.publicJwk,
        createdAt: r.createdAt,
        activatesAt: r.activatesAt,
        retiresAt: r.retiresAt,
        revokedAt: r.revokedAt,
      };
    })
    .reverse();
}

export async function rotateSigningKey({
  ctx,
  activateAfterSeconds,
}: {
  ctx: ServiceContext;
  activateAfterSeconds?: number | undefined;
}): Promise<{ kid: string; activatesAt: Date; previousRetiresAt: Date }> {
  const settings = ctx.tokens ?? tokenSettings();
  const activateAfterMs =
    activateAfterSeconds === undefined ? settings.keyActivationDelayMs : activateAfterSeconds * 1000;
  // Tokens the old key signs up to activation (plus a refresh on every replica) must stay verifiable to expiry.
  const retireOldAfterMs =
    activateAfterMs + KEY_REFRESH_MARGIN_MS + (settings.accessTokenTtlSeconds + CLOCK_LEEWAY_SECONDS) * 1000;
  const result = await mutate(ctx, "keys:write", async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7070002)`);
    const now = ctx.clock();
    const [pending] = await tx
      .select({ kid: signingKeys.kid, activatesAt: signingKeys.activatesAt })
      .from(signingKeys)
      .where(and(gt(signingKeys.activatesAt, now), isNull(signingKeys.revokedAt)));
    if (pending) {
      throw new ApiError(
        "conflict",
        `key ${pending.kid} is already waiting to activate at ${pending.activatesAt.toISOString()}; rotate again after that`,
      );
    }
    const kid = await rotateControlPlaneKey(tx as unknown as Db, ctx.secretKey, {
      now,
      activateAfterMs,
      retireOldAfterMs,
    });
    const activatesAt = new Date(now.getTime() + activateAfterMs);
    const previousRetiresAt = new Date(now.getTime() + retireOldAfterMs);
    return {
      result: { kid, activatesAt, previousRetiresAt },
      audit: {
        action: "signing_key.rotate",
        targetType: "signing_key",
        targetId: kid,
        after: { kid, activatesAt },
        details: { activatesAt: activatesAt.toISOString(), previousRetiresAt: previousRetiresAt.toISOString() },
      },
    };
  });
  // Publish the new key from this replica at once; others pick it up at their next refresh (≤ 60 s).
  await ctx.reloadKeys?.().catch((err) => ctx.logger.warn({ err }, "could not reload signing keys after a rotation"));
  return result;
}
