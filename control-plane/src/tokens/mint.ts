// Mints the control plane's access tokens (RFC 9068 `at+jwt`), signed EdDSA with the active control-plane key
// and verifiable with /.well-known/jwks.json: `iss` = the control plane, `aud` = the gateway, `iat`, `exp`
// (at most 15 minutes), a fresh `jti`, and the caller's claims (`sub`, `client_id`, and for sessions `act`,
// `sid` and `op`).
import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import type { ActiveKey } from "../keys/control-plane-keys.ts";
import { MAX_ACCESS_TOKEN_TTL_SECONDS, type TokenSettings } from "./settings.ts";

export const ACCESS_TOKEN_TYP = "at+jwt";

export interface MintedToken {
  token: string;
  jti: string;
  expiresAt: Date;
  /** Seconds until expiry, for `expires_in`. */
  expiresIn: number;
}

export async function mintAccessToken(
  key: ActiveKey,
  settings: TokenSettings,
  claims: { sub: string; client_id: string } & Record<string, unknown>,
  now: Date,
  ttlSeconds: number = settings.accessTokenTtlSeconds,
): Promise<MintedToken> {
  const expiresIn = Math.max(1, Math.min(ttlSeconds, MAX_ACCESS_TOKEN_TTL_SECONDS));
  const iat = Math.floor(now.getTime() / 1000);
  const jti = randomUUID();
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: ACCESS_TOKEN_TYP })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + expiresIn)
    .setJti(jti)
    .sign(key.privateKey);
  return { token, jti, expiresAt: new Date((iat + expiresIn) * 1000), expiresIn };
}
