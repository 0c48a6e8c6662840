// Trusted issuers: the identity providers whose tokens name operators in token exchange. Each has the exact
// `iss` its tokens carry, one key source (a JWKS URL fetched through the guarded egress, or a static JWK Set of
// public keys only), an optional required audience, and a claim mapping from our operator attributes to its
// claims. Checked on save, so a bad issuer is refused here rather than failing at every exchange.
import { eq, ilike, or } from "drizzle-orm";
import { trustedIssuers } from "../db/schema.ts";
import { uuidv7 } from "../lib/ids.ts";
import { jwksUrlProblem } from "../tokens/egress.ts";
import { MAPPABLE_CLAIMS } from "../tokens/operator-claims.ts";
import { publicJwkProblem } from "../tokens/public-jwk.ts";
import { tokenSettings } from "../tokens/settings.ts";
import { definedOnly } from "./agents.ts";
import type { ServiceContext } from "./context.ts";
import { ApiError, type FieldIssue } from "./errors.ts";
import { authorize } from "./rbac.ts";
import { keysetPage, likeContains, mutate, type Page, rowById } from "./store.ts";

export type TrustedIssuerRow = typeof trustedIssuers.$inferSelect;

export interface TrustedIssuerInput {
  name: string;
  issuer: string;
  jwksUrl?: string | null | undefined;
  staticJwks?: { keys: Record<string, unknown>[] } | null | undefined;
  audience?: string | null | undefined;
  claimMapping?: Record<string, string> | undefined;
  revokedKids?: string[] | undefined;
  enabled?: boolean | undefined;
}

export interface TrustedIssuerFilter {
  q?: string | undefined;
  enabled?: boolean | undefined;
  limit: number;
  cursor?: string | undefined;
}

export const MAX_STATIC_KEYS = 20;

const duplicate = (input: Partial<TrustedIssuerInput>) =>
  `a trusted issuer with the name "${input.name}" or the issuer "${input.issuer}" already exists`;

/** Every problem of an issuer as it would be stored, each naming its input field. */
async function issuerProblems(
  ctx: ServiceContext,
  value: Omit<TrustedIssuerInput, "enabled" | "claimMapping"> & { claimMapping: Record<string, string> },
): Promise<FieldIssue[]> {
  const { production } = ctx.tokens ?? tokenSettings();
  const problems: FieldIssue[] = [];
  const issue = (field: string, message: string) => problems.push({ field: `body.${field}`, message });

  let issuerUrl: URL | undefined;
  try {
    issuerUrl = new URL(value.issuer);
  } catch {
    issue("issuer", "expected the issuer's URL, exactly as its tokens carry it in `iss`");
  }
  if (issuerUrl && issuerUrl.protocol !== "https:" && !(issuerUrl.protocol === "http:" && !production)) {
    issue("issuer", production ? "must be an https:// URL" : "must be an http:// or https:// URL");
  }

  const hasUrl = value.jwksUrl !== undefined && value.jwksUrl !== null;
  const hasStatic = value.staticJwks !== undefined && value.staticJwks !== null;
  if (hasUrl === hasStatic) {
    issue(hasUrl ? "staticJwks" : "jwksUrl", "give exactly one of jwksUrl and staticJwks");
  }
  if (hasUrl) {
    const problem = jwksUrlProblem(value.jwksUrl as string, production);
    if (problem) issue("jwksUrl", problem);
  }
  if (hasStatic) {
    const keys = (value.staticJwks as { keys: unknown }).keys;
    if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_STATIC_KEYS) {
      issue("staticJwks.keys", `expected 1 to ${MAX_STATIC_KEYS} public keys`);
    } else {
      const kids = new Set<string>();
      for (const [i, key] of keys.entries()) {
        const problem = await publicJwkProblem(key);
        if (problem) issue(`staticJwks.keys.${i}`, problem);
        const kid = (key as { kid?: unknown }).kid;
        if (typeof kid === "string") {
          if (kids.has(kid)) issue(`staticJwks.keys.${i}.kid`, `kid "${kid}" is used twice`);
          kids.add(kid);
        }
      }
    }
  }
  for (const name of Object.keys(value.claimMapping)) {
    if (!Object.hasOwn(MAPPABLE_CLAIMS, name)) {
      issue(`claimMapping.${name}`, `unknown attribute; expected one of ${Object.keys(MAPPABLE_CLAIMS).join(", ")}`);
    }
  }
  return problems;
}

async function check(ctx: ServiceContext, row: Parameters<typeof issuerProblems>[1]) {
  const problems = await issuerProblems(ctx, row);
  if (problems.length > 0) {
    throw new ApiError("validation_failed", problems.map((p) => `${p.field}: ${p.message}`).join("; "), problems);
  }
}

export async function listTrustedIssuers({
  ctx,
  filter,
}: {
  ctx: ServiceContext;
  filter: TrustedIssuerFilter;
}): Promise<Page<TrustedIssuerRow>> {
  authorize(ctx.actor, "issuers:read");
  const q = filter.q ? likeContains(filter.q) : undefined;
  return keysetPage<TrustedIssuerRow>(
    ctx.db,
    trustedIssuers,
    trustedIssuers.id,
    [
      q ? or(ilike(trustedIssuers.name, q), ilike(trustedIssuers.issuer, q)) : undefined,
      filter.enabled !== undefined ? eq(trustedIssuers.enabled, filter.enabled) : undefined,
    ],
    filter.limit,
    filter.cursor,
  );
}

export async function getTrustedIssuer({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<TrustedIssuerRow> {
  authorize(ctx.actor, "issuers:read");
  return rowById(ctx.db, trustedIssuers, "trusted issuer", id);
}

export async function createTrustedIssuer({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: TrustedIssuerInput;
}): Promise<TrustedIssuerRow> {
  authorize(ctx.actor, "issuers:write");
  const claimMapping = input.claimMapping ?? {};
  await check(ctx, { ...input, claimMapping });
  return mutate(
    ctx,
    "issuers:write",
    async (tx) => {
      const now = ctx.clock();
      const [row] = await tx
        .insert(trustedIssuers)
        .values({
          id: uuidv7(),
          name: input.name,
          issuer: input.issuer,
          jwksUrl: input.jwksUrl ?? null,
          staticJwks: input.staticJwks ?? null,
          audience: input.audience ?? null,
          claimMapping,
          revokedKids: [...new Set(input.revokedKids ?? [])],
          enabled: input.enabled ?? true,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const created = row as TrustedIssuerRow;
      return {
        result: created,
        audit: { action: "trusted_issuer.create", targetType: "trusted_issuer", targetId: created.id, after: created },
      };
    },
    duplicate(input),
  );
}

export async function updateTrustedIssuer({
  ctx,
  id,
  input,
}: {
  ctx: ServiceContext;
  id: string;
  input: Partial<TrustedIssuerInput>;
}): Promise<TrustedIssuerRow> {
  authorize(ctx.actor, "issuers:write");
  return mutate(
    ctx,
    "issuers:write",
    async (tx) => {
      const before = await rowById(tx, trustedIssuers, "trusted issuer", id);
      const changes = definedOnly({
        ...input,
        ...(input.revokedKids ? { revokedKids: [...new Set(input.revokedKids)] } : {}),
      });
      await check(ctx, { ...before, ...changes, claimMapping: changes.claimMapping ?? before.claimMapping });
      const [row] = await tx
        .update(trustedIssuers)
        .set({ ...changes, updatedAt: ctx.clock() })
        .where(eq(trustedIssuers.id, id))
        .returning();
      const after = row as TrustedIssuerRow;
      return {
        result: after,
        audit: { action: "trusted_issuer.update", targetType: "trusted_issuer", targetId: id, before, after },
      };
    },
    duplicate(input),
  );
}

export async function deleteTrustedIssuer({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<void> {
  await mutate(ctx, "issuers:write", async (tx) => {
    const before = await rowById(tx, trustedIssuers, "trusted issuer", id);
    await tx.delete(trustedIssuers).where(eq(trustedIssuers.id, id));
    return {
      result: undefined,
      audit: { action: "trusted_issuer.delete", targetType: "trusted_issuer", targetId: id, before },
    };
  });
}
