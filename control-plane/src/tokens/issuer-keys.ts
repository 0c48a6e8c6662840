// Verification keys of trusted issuers, one resolver per issuer row: a static JWK Set from the row, or the
// issuer's JWKS URL through jose's remote set (cached for its max age; an unknown `kid` refetches at most once
// per cooldown, so a flood of made-up kids cannot turn into a flood of fetches). A resolver only ever holds one
// issuer's keys, which is what makes "the key must belong to the `iss`" (RFC 8725 §3.8) true by construction.
import { createLocalJWKSet, createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from "jose";
import type { trustedIssuers } from "../db/schema.ts";
import { guardedJwksFetch } from "./egress.ts";

export type TrustedIssuerRow = typeof trustedIssuers.$inferSelect;

export interface IssuerKeyOptions {
  cooldownMs: number;
  production: boolean;
  /** How long one JWKS fetch may take (default 5 s). */
  fetchTimeoutMs?: number;
  /** How long fetched keys are used before they are fetched again (default 10 min). */
  cacheMaxAgeMs?: number;
}

export interface IssuerKeys {
  /** The key resolver for this issuer row; rebuilt when the row's key source changed. */
  resolverFor(row: TrustedIssuerRow): JWTVerifyGetKey;
}

export function createIssuerKeys(options: IssuerKeyOptions): IssuerKeys {
  const resolvers = new Map<string, { version: string; resolve: JWTVerifyGetKey }>();
  const fetchImpl = guardedJwksFetch(options.production);
  return {
    resolverFor(row) {
      const version = `${row.jwksUrl ?? ""}\n${JSON.stringify(row.staticJwks ?? null)}`;
      const cached = resolvers.get(row.id);
      if (cached && cached.version === version) return cached.resolve;
      let resolve: JWTVerifyGetKey;
      if (row.staticJwks) {
        resolve = createLocalJWKSet(row.staticJwks as Parameters<typeof createLocalJWKSet>[0]);
      } else if (row.jwksUrl) {
        resolve = createRemoteJWKSet(new URL(row.jwksUrl), {
          cooldownDuration: options.cooldownMs,
          timeoutDuration: options.fetchTimeoutMs ?? 5_000,
          cacheMaxAge: options.cacheMaxAgeMs ?? 10 * 60_000,
          [customFetch]: fetchImpl as never,
        });
      } else {
        resolve = async () => {
          throw new Error("the issuer has no keys configured");
        };
      }
      // Issuers are few and administrator-made; dropping the whole map when it grows odd keeps it bounded.
      if (resolvers.size > 1000) resolvers.clear();
      resolvers.set(row.id, { version, resolve });
      return resolve;
    },
  };
}
