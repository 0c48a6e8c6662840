// The control plane's optional mTLS listener for agents (PORTCULLIS_CP_TOKEN_MTLS): the token service only
// (`POST /oauth/token` and the two well-known documents), over TLS with a required client certificate issued by
// PORTCULLIS_CP_TOKEN_TLS_CLIENT_CA. A certificate from another CA, an expired one, or none fails the handshake;
// a verified one authenticates the agent and binds what it is issued (certificate-auth.ts, RFC 8705). Everything
// else (the console, the REST API) is not served here: 404.
import type { Server } from "node:https";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Logger } from "pino";

export interface TokenMtlsSettings {
  PORTCULLIS_CP_TOKEN_MTLS?: { host: string; port: number } | undefined;
  PORTCULLIS_CP_TOKEN_TLS_CERT?: Buffer | undefined;
  PORTCULLIS_CP_TOKEN_TLS_KEY?: Buffer | undefined;
  PORTCULLIS_CP_TOKEN_TLS_CLIENT_CA?: Buffer | undefined;
}

const TOKEN_SERVICE_PATHS = new Set([
  "/oauth/token",
  "/.well-known/jwks.json",
  "/.well-known/oauth-authorization-server",
]);

/** Configuration problems, one line each naming the variables; empty when coherent. */
export function tokenMtlsProblems(config: TokenMtlsSettings): string[] {
  const files = [
    config.PORTCULLIS_CP_TOKEN_TLS_CERT,
    config.PORTCULLIS_CP_TOKEN_TLS_KEY,
    config.PORTCULLIS_CP_TOKEN_TLS_CLIENT_CA,
  ];
  if (config.PORTCULLIS_CP_TOKEN_MTLS === undefined) {
    return files.some((f) => f !== undefined)
      ? ["  PORTCULLIS_CP_TOKEN_TLS_*: set, but PORTCULLIS_CP_TOKEN_MTLS (the mTLS token listener's HOST:PORT) is not"]
      : [];
  }
  return files.some((f) => f === undefined)
    ? [
        "  PORTCULLIS_CP_TOKEN_MTLS: needs PORTCULLIS_CP_TOKEN_TLS_CERT, PORTCULLIS_CP_TOKEN_TLS_KEY and " +
          "PORTCULLIS_CP_TOKEN_TLS_CLIENT_CA (agents must present a certificate issued by that CA)",
      ]
    : [];
}

export interface TokenMtlsListener {
  /** https://HOST:PORT of the listener. */
  url: string;
  close(): Promise<void>;
}

/** Starts the listener when PORTCULLIS_CP_TOKEN_MTLS is set; `fetch` is the control plane's HTTP app. */
export async function startTokenMtlsListener(
  config: TokenMtlsSettings,
  fetch: (request: Request, env: unknown) => Response | Promise<Response>,
  logger: Logger,
): Promise<TokenMtlsListener | undefined> {
  const address = config.PORTCULLIS_CP_TOKEN_MTLS;
  if (!address) return undefined;
  const server = serve({
    fetch: (request, env) =>
      TOKEN_SERVICE_PATHS.has(new URL(request.url).pathname)
        ? fetch(request, env)
        : Response.json(
            { error: { code: "not_found", message: "this listener serves the token service only (/oauth/token)" } },
            { status: 404 },
          ),
    createServer,
    serverOptions: {
      cert: config.PORTCULLIS_CP_TOKEN_TLS_CERT,
      key: config.PORTCULLIS_CP_TOKEN_TLS_KEY,
      ca: config.PORTCULLIS_CP_TOKEN_TLS_CLIENT_CA,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: "TLSv1.2",
      handshakeTimeout: 10_000,
    },
    hostname: address.host,
    port: address.port,
  }) as Server;
  server.on("tlsClientError", (error: Error & { code?: string }) => {
    logger.debug({ code: error.code, reason: error.message.slice(0, 200) }, "mTLS handshake refused");
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const bound = server.address() as AddressInfo;
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  const url = `https://${host}:${bound.port}`;
  logger.info({ url }, "mTLS token endpoint listening");
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
