// Outbound fetches of trusted issuers' JWK Sets: the only requests the token service makes on an administrator's
// say-so. The URL is checked when saved and every resolved address is checked again when connecting (so DNS
// rebinding gains nothing): link-local and cloud metadata addresses are always refused, loopback too in production,
// redirects are never followed, and bodies are capped. jose calls this through its `customFetch` hook, with its
// own timeout signal. The address rules are shared with the nodes (proto/src/egress.ts).
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { egressUrlProblem, guardedLookup } from "@portcullis/proto";

/** JWK Sets are small; a bigger answer is refused rather than buffered. */
export const MAX_JWKS_BYTES = 256 * 1024;

/** The address rules of the token service: loopback and plain http are refused in production only. */
const rulesOf = (production: boolean) => ({ blockLoopback: production, requireHttps: production });

/** Why this JWKS URL may not be used, or undefined when it may. */
export function jwksUrlProblem(value: string, production: boolean): string | undefined {
  return egressUrlProblem(value, rulesOf(production));
}

/** A fetch for jose's `customFetch`: GET only, no redirects, guarded addresses, capped body, honours the signal. */
export function guardedJwksFetch(production: boolean) {
  return (url: string, options: { headers: Headers; signal: AbortSignal }): Promise<Response> => {
    const problem = jwksUrlProblem(url, production);
    if (problem) return Promise.reject(new Error(`JWKS URL refused: ${problem}`));
    const target = new URL(url);
    const request = target.protocol === "https:" ? httpsRequest : httpRequest;
    const lookup = guardedLookup(rulesOf(production));
    return new Promise<Response>((resolve, reject) => {
      const req = request(
        target,
        {
          method: "GET",
          headers: Object.fromEntries(options.headers.entries()),
          lookup: lookup as never,
          signal: options.signal,
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_JWKS_BYTES) {
              res.destroy();
              reject(new Error("JWKS response too large"));
              return;
            }
            chunks.push(chunk);
          });
          res.on("error", reject);
          res.on("end", () => {
            // Redirects are answered as they are: jose accepts only 200, so a 3xx is a failure, never followed.
            const status = res.statusCode ?? 502;
            const ok = status === 200;
            resolve(
              new Response(ok ? Buffer.concat(chunks) : null, {
                status: status >= 200 && status <= 599 ? status : 502,
              }),
            );
          });
        },
      );
      req.on("error", reject);
      req.end();
    });
  };
}
