// Wire shapes of API tokens: the token itself appears once, in the response that creates it; afterwards only
// its prefix identifies it.
import { z } from "@hono/zod-openapi";
import type { ApiTokenRow } from "../../services/api-tokens.ts";
import { roles } from "../../services/rbac.ts";
import { pageOf, RoleName, Timestamp } from "../common.ts";

export const ApiTokenInput = z
  .object({
    name: z
      .string({ error: "expected a name that says what uses the token" })
      .min(1, "expected a name that says what uses the token")
      .max(100, "expected at most 100 characters")
      .openapi({ example: "ci-deploy" }),
    role: RoleName,
    expiresInDays: z
      .number({ error: "expected a number of days" })
      .int("expected a whole number of days")
      .min(1, "expected at least 1 day")
      .max(3650, "expected at most 3650 days")
      .optional()
      .openapi({ description: "Omit for a token that does not expire" }),
  })
  .strict()
  .openapi("ApiTokenInput");

export const ApiTokenQuery = {
  includeRevoked: z
    .enum(["true", "false"], { error: "expected true or false" })
    .optional()
    .openapi({ description: "Also list revoked tokens" }),
};

export const ApiToken = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(roles),
    prefix: z.string().openapi({ description: "The token's first characters, to recognise it", example: "pc_at_Ab3x" }),
    createdAt: Timestamp,
    expiresAt: Timestamp.nullable(),
    lastUsedAt: Timestamp.nullable(),
    revokedAt: Timestamp.nullable(),
  })
  .openapi("ApiToken");

export const ApiTokenCreated = ApiToken.extend({
  token: z.string().openapi({ description: "The token; shown only in this response, stored only as a digest" }),
}).openapi("ApiTokenCreated");

export const ApiTokenPage = pageOf(ApiToken, "ApiTokenPage");

export function apiTokenOut(t: ApiTokenRow): z.infer<typeof ApiToken> {
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    prefix: t.prefix,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}
