// The token service's public HTTP surface, outside /api (no cookies, no CSRF: OAuth clients authenticate in the
// request itself): the JWK Set, the RFC 8414 authorization-server metadata, and the token endpoint.
import type { HttpBindings } from "@hono/node-server";
import { peerCertificateIdentity } from "@portcullis/proto";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ApiApp, AppEnv } from "../http/common.ts";
import type { KeyRing } from "../keys/control-plane-keys.ts";
import type { Deps } from "../services/context.ts";
import { createIssuerKeys } from "./issuer-keys.ts";
import { createJwksPublisher } from "./jwks.ts";
import { OAuthError } from "./oauth-error.ts";
import { ReplayCache } from "./replay-cache.ts";
import { ACCEPTED_ALGORITHMS, GRANT_TYPE, TOKEN_TYPE, type TokenSettings, tokenEndpointUrl } from "./settings.ts";
import { handleTokenRequest } from "./token-endpoint.ts";

/** Token requests are small; this leaves room for an oversized token to be refused by name (invalid_request). */
const MAX_TOKEN_REQUEST_BYTES = 128 * 1024;

export function authorizationServerMetadata(settings: TokenSettings) {
  const issuer = settings.issuer.replace(/\/+$/, "");
  return {
    issuer: settings.issuer,
    token_endpoint: tokenEndpointUrl(settings.issuer),
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    grant_types_supported: [GRANT_TYPE.clientCredentials, GRANT_TYPE.tokenExchange],
    token_endpoint_auth_methods_supported: [
      "client_secret_post",
      "client_secret_basic",
      "private_key_jwt",
      ...(settings.mtlsTokenEndpoint ? ["tls_client_auth"] : []),
    ],
    // RFC 8705 §5 and §3.3: the mTLS token endpoint, where tokens are bound to the client certificate.
    ...(settings.mtlsTokenEndpoint
      ? {
          mtls_endpoint_aliases: { token_endpoint: settings.mtlsTokenEndpoint },
          tls_client_certificate_bound_access_tokens: true,
        }
      : {}),
    token_endpoint_auth_signing_alg_values_supported: [...ACCEPTED_ALGORITHMS],
    // RFC 8693 token types (Portcullis extension members; RFC 8414 §2 allows additional metadata).
    subject_token_types_supported: [TOKEN_TYPE.jwt, TOKEN_TYPE.idToken, TOKEN_TYPE.accessToken],
    actor_token_types_supported: [TOKEN_TYPE.accessToken],
    issued_token_types_supported: [TOKEN_TYPE.accessToken],
  };
}

function oauthError(c: Context<AppEnv>, err: OAuthError) {
  c.header("Cache-Control", "no-store");
  c.header("Pragma", "no-cache");
  if (err.status === 401) c.header("WWW-Authenticate", 'Basic realm="portcullis", charset="UTF-8"');
  return c.json({ error: err.code, error_description: err.message }, err.status);
}

export function registerTokenEndpoints(app: ApiApp, deps: Deps & { keys: () => KeyRing; tokens: TokenSettings }) {
  const settings = deps.tokens;
  const env = {
    deps,
    settings,
    keys: deps.keys,
    replay: new ReplayCache(),
    issuerKeys: createIssuerKeys({
      cooldownMs: settings.jwksCooldownMs,
      cacheMaxAgeMs: settings.jwksCacheMaxAgeMs,
      production: settings.production,
    }),
  };
  const jwks = createJwksPublisher({ db: deps.db, keys: deps.keys });

  app.get("/.well-known/jwks.json", async (c) => {
    c.header("Cache-Control", "public, max-age=300");
    return c.json(await jwks.document());
  });

  app.get("/.well-known/oauth-authorization-server", (c) => {
    c.header("Cache-Control", "public, max-age=300");
    return c.json(authorizationServerMetadata(settings));
  });

  app.post(
    "/oauth/token",
    bodyLimit({
      maxSize: MAX_TOKEN_REQUEST_BYTES,
      onError: (c) =>
        oauthError(c as Context<AppEnv>, new OAuthError("invalid_request", "the request body is too large")),
    }),
    async (c) => {
      try {
        const body = await handleTokenRequest(env, {
          contentType: c.req.header("content-type"),
          authorization: c.req.header("authorization"),
          body: await c.req.text(),
          // Only the mTLS token listener's sockets carry a verified client certificate.
          certificate: peerCertificateIdentity((c.env as Partial<HttpBindings> | undefined)?.incoming?.socket),
        });
        c.header("Cache-Control", "no-store");
        c.header("Pragma", "no-cache");
        return c.json(body, 200);
      } catch (err) {
        if (err instanceof OAuthError) {
          deps.logger.info(
            { requestId: c.get("requestId"), error: err.code, reason: err.message },
            "token request refused",
          );
          return oauthError(c, err);
        }
        throw err;
      }
    },
  );
}
