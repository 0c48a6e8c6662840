// Wire shapes of the control plane's signing keys (public halves only).
import { z } from "@hono/zod-openapi";
import type { SigningKeyView } from "../../services/signing-keys.ts";
import { Timestamp } from "../common.ts";

export const SigningKey = z
  .object({
    kid: z.string(),
    alg: z.string(),
    status: z.enum(["active", "pending", "retiring", "retired", "revoked"]).openapi({
      description:
        "active: signs now; pending: published, signs from activatesAt; retiring: verifies until retiresAt; " +
        "retired/revoked: no longer published",
    }),
    publicJwk: z.record(z.string(), z.unknown()),
    createdAt: Timestamp,
    activatesAt: Timestamp,
    retiresAt: Timestamp.nullable(),
    revokedAt: Timestamp.nullable(),
  })
  .openapi("SigningKey");

export function signingKeyOut(k: SigningKeyView): z.infer<typeof SigningKey> {
  return {
    kid: k.kid,
    alg: k.alg,
    status: k.status,
    publicJwk: k.publicJwk,
    createdAt: k.createdAt.toISOString(),
    activatesAt: k.activatesAt.toISOString(),
    retiresAt: k.retiresAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}
