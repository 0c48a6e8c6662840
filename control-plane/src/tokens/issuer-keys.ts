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
      // Revoked kids are part of the version: revoking one drops the cached set, so it applies at the next exchange.
      const version = `${row.jwksUrl ?? ""}\n${JSON.stringify(row.staticJwks ?? null)}\n${JSON.stringify(row.revokedKids)}`;
      const revoked = new Set(row.revokedKids);
      const cached = resolvers.get(row.id);
      if (cached && cached.version === version) return cached.resolve;
      let resolve: JWTVerifyGetKey;
      if (row.staticJwks) {
        resolve = createLocalJWKSet(withoutRevoked(row.staticJwks, revoked) as Parameters<typeof createLocalJWKSet>[0]);
      } else if (row.jwksUrl) {
        resolve = createRemoteJWKSet(new URL(row.jwksUrl), {
          cooldownDuration: options.cooldownMs,
          timeoutDuration: options.fetchTimeoutMs ?? 5_000,
          cacheMaxAge: options.cacheMaxAgeMs ?? 10 * 60_000,
          [customFetch]: (revoked.size > 0 ? filteringFetch(fetchImpl, revoked) : fetchImpl) as never,
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

/** The JWK Set without the revoked key ids: a revoked key is simply not one of the issuer's keys (J11). */
function withoutRevoked(jwks: { keys: Record<string, unknown>[] }, revoked: ReadonlySet<string>) {
  return { ...jwks, keys: jwks.keys.filter((k) => !(typeof k.kid === "string" && revoked.has(k.kid))) };
}

type JwksFetch = ReturnType<typeof guardedJwksFetch>;

/** The guarded fetch, with revoked keys taken out of what the issuer publishes before jose sees it. */
function filteringFetch(fetchImpl: JwksFetch, revoked: ReadonlySet<string>): JwksFetch {
  return async (url, options) => {
    const response = await fetchImpl(url, options);
    if (response.status !== 200) return response;
    const text = await response.text();
    try {
      const jwks = JSON.parse(text) as { keys?: unknown };
      if (!Array.isArray(jwks.keys)) return new Response(text, { status: 200 });
      return new Response(JSON.stringify(withoutRevoked(jwks as { keys: Record<string, unknown>[] }, revoked)), {
        status: 200,
      });
    } catch {
      return new Response(text, { status: 200 }); // jose reports the unusable body
    }
  };
}
