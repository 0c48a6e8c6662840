// The public JWK Set at /.well-known/jwks.json: the control plane's published keys (active, pending — published
// before they sign — and retiring) and the assertion key of every data-plane node that is not revoked, so tool
// owners verify both session tokens and the assertions nodes mint. Only public members are ever copied out.
// Built at most every few seconds: the endpoint is public and must not turn into database load.
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { dpNodes, nodeKeys } from "../db/schema.ts";
import type { KeyRing } from "../keys/control-plane-keys.ts";

export type PublicJwk = Record<string, unknown>;

const PUBLIC_MEMBERS = ["kty", "crv", "x", "y", "n", "e", "kid", "alg", "use"];
const REBUILD_AFTER_MS = 5_000;

function publicPart(jwk: Record<string, unknown>, kid: string): PublicJwk {
  const out: PublicJwk = {};
  for (const m of PUBLIC_MEMBERS) if (typeof jwk[m] === "string") out[m] = jwk[m];
  out.kid = kid;
  out.use = "sig";
  if (!out.alg && jwk.kty === "OKP") out.alg = "EdDSA";
  return out;
}

export interface JwksPublisher {
  document(): Promise<{ keys: PublicJwk[] }>;
}

export function createJwksPublisher(options: { db: Db; keys: () => KeyRing; now?: () => number }): JwksPublisher {
  const now = options.now ?? Date.now;
  let cached: { ring: KeyRing; at: number; doc: { keys: PublicJwk[] } } | undefined;
  return {
    async document() {
      const ring = options.keys();
      if (cached && cached.ring === ring && now() - cached.at < REBUILD_AFTER_MS) return cached.doc;
      const nodes = await options.db
        .select({ kid: nodeKeys.kid, jwk: nodeKeys.publicJwk })
        .from(nodeKeys)
        .innerJoin(dpNodes, eq(dpNodes.id, nodeKeys.nodeId))
        .where(and(eq(nodeKeys.use, "assertion"), isNull(nodeKeys.revokedAt), isNull(dpNodes.revokedAt)))
        .orderBy(asc(nodeKeys.kid));
      const doc = {
        keys: [
          ...ring.published.map((k) => publicPart(k.publicJwk, k.kid)),
          ...nodes.filter((n) => n.jwk.kty === "OKP").map((n) => publicPart(n.jwk, n.kid)),
        ],
      };
      cached = { ring, at: now(), doc };
      return doc;
    },
  };
}
