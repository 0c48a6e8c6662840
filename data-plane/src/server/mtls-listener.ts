// The node's optional mTLS listener for agents (PORTCULLIS_DP_HTTPS): the same routes as the plain listener
// (/mcp, /tools, /a2a, health), over TLS with a required client certificate issued by PORTCULLIS_DP_TLS_CLIENT_CA.
// A certificate from another CA, an expired one, or none at all fails the TLS handshake (requestCert +
// rejectUnauthorized), before any HTTP is read. What the certificate proves is checked per call (call-steps.ts:
// certificate-bound tokens, and the agent's mtlsSubjects). See docs/adr/0020-mtls-agent-identity.md.
import type { ServerOptions as HttpServerOptions, IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { Logger } from "../log.ts";
import { answerClientError } from "./client-errors.ts";

export interface MtlsListenerSettings {
  PORTCULLIS_DP_HTTPS?: string | undefined;
  PORTCULLIS_DP_TLS_CERT?: Buffer | undefined;
  PORTCULLIS_DP_TLS_KEY?: Buffer | undefined;
  PORTCULLIS_DP_TLS_CLIENT_CA?: Buffer | undefined;
}

/** A TLS handshake (including the client certificate's) must finish within this. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** Configuration problems (one line each, naming the variables); empty when the settings are coherent. */
export function mtlsListenerProblems(config: MtlsListenerSettings): string[] {
  const files = [config.PORTCULLIS_DP_TLS_CERT, config.PORTCULLIS_DP_TLS_KEY, config.PORTCULLIS_DP_TLS_CLIENT_CA];
  if (config.PORTCULLIS_DP_HTTPS === undefined) {
    return files.some((f) => f !== undefined)
      ? ["  PORTCULLIS_DP_TLS_*: set, but PORTCULLIS_DP_HTTPS (the mTLS listener's HOST:PORT) is not"]
      : [];
  }
  return files.some((f) => f === undefined)
    ? [
        "  PORTCULLIS_DP_HTTPS: needs PORTCULLIS_DP_TLS_CERT, PORTCULLIS_DP_TLS_KEY and PORTCULLIS_DP_TLS_CLIENT_CA " +
          "(agents must present a certificate issued by that CA)",
      ]
    : [];
}

/**
 * The mTLS server, or undefined when PORTCULLIS_DP_HTTPS is not set. It takes the plain listener's limits (header
 * size, timeouts) and answers malformed requests the same way, so both listeners behave alike.
 */
export function createMtlsServer(
  config: MtlsListenerSettings,
  limits: HttpServerOptions,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  logger: Logger,
): Server | undefined {
  if (config.PORTCULLIS_DP_HTTPS === undefined) return undefined;
  const server = createServer(
    {
      ...limits,
      cert: config.PORTCULLIS_DP_TLS_CERT,
      key: config.PORTCULLIS_DP_TLS_KEY,
      ca: config.PORTCULLIS_DP_TLS_CLIENT_CA,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: "TLSv1.2",
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    },
    handler,
  );
  server.on("clientError", answerClientError);
  server.on("tlsClientError", (error: Error & { code?: string }) => {
    // Refused handshakes (no certificate, an unknown CA, an expired certificate) are expected noise at debug level.
    logger.debug({ code: error.code, reason: error.message.slice(0, 200) }, "mTLS handshake refused");
  });
  return server;
}
