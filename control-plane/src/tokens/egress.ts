// Outbound fetches of trusted issuers' JWK Sets: the only requests the token service makes on an administrator's
// say-so. The URL is checked when saved and every resolved address is checked again when connecting (so DNS
// rebinding gains nothing): link-local and cloud metadata addresses are always refused, loopback too in production,
// redirects are never followed, and bodies are capped. jose calls this through its `customFetch` hook, with its
// own timeout signal.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP } from "node:net";

/** JWK Sets are small; a bigger answer is refused rather than buffered. */
export const MAX_JWKS_BYTES = 256 * 1024;

const METADATA_HOSTS = new Set([
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "metadata.azure.com",
  "instance-data",
  "instance-data.ec2.internal",
]);

function blockList(production: boolean): BlockList {
  const list = new BlockList();
  list.addSubnet("0.0.0.0", 8, "ipv4"); // "this network", including 0.0.0.0
  list.addSubnet("169.254.0.0", 16, "ipv4"); // link-local, cloud metadata (169.254.169.254)
  list.addSubnet("224.0.0.0", 4, "ipv4"); // multicast
  list.addSubnet("240.0.0.0", 4, "ipv4"); // reserved, broadcast
  list.addAddress("100.100.100.200", "ipv4"); // Alibaba Cloud metadata
  list.addAddress("::", "ipv6");
  list.addSubnet("fe80::", 10, "ipv6"); // link-local
  list.addSubnet("ff00::", 8, "ipv6"); // multicast
  list.addAddress("fd00:ec2::254", "ipv6"); // AWS metadata over IPv6
  if (production) {
    list.addSubnet("127.0.0.0", 8, "ipv4");
    list.addAddress("::1", "ipv6");
  }
  return list;
}

const lists = { development: blockList(false), production: blockList(true) };

/** True when connecting to this IP address is refused. IPv4-mapped IPv6 addresses count as their IPv4 address. */
export function isBlockedAddress(address: string, production: boolean): boolean {
  const kind = isIP(address);
  if (kind === 0) return true;
  return lists[production ? "production" : "development"].check(address, kind === 4 ? "ipv4" : "ipv6");
}

/** Why this JWKS URL may not be used, or undefined when it may. */
export function jwksUrlProblem(value: string, production: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "expected an absolute URL";
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && !production)) {
    return production ? "must be an https:// URL" : "must be an http:// or https:// URL";
  }
  if (url.username || url.password) return "must not carry credentials";
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (METADATA_HOSTS.has(host.replace(/\.$/, ""))) return "points to a cloud metadata service";
  if (production && (host === "localhost" || host.endsWith(".localhost"))) return "must not point to localhost";
  if (isIP(host) !== 0 && isBlockedAddress(host, production)) {
    return "points to a link-local, metadata or otherwise forbidden address";
  }
  return undefined;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for node:http that refuses the connection when any resolved address is forbidden. */
export function guardedLookup(production: boolean) {
  return (hostname: string, opts: { all?: boolean; family?: number }, callback: LookupCallback) => {
    dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      if (list.length === 0 || list.some((a) => isBlockedAddress(a.address, production))) {
        return callback(Object.assign(new Error("JWKS host resolves to a forbidden address"), { code: "EACCES" }), []);
      }
      if (opts.all) return callback(null, list);
      const first = list[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

/** A fetch for jose's `customFetch`: GET only, no redirects, guarded addresses, capped body, honours the signal. */
export function guardedJwksFetch(production: boolean) {
  return (url: string, options: { headers: Headers; signal: AbortSignal }): Promise<Response> => {
    const problem = jwksUrlProblem(url, production);
    if (problem) return Promise.reject(new Error(`JWKS URL refused: ${problem}`));
    const target = new URL(url);
    const request = target.protocol === "https:" ? httpsRequest : httpRequest;
    const lookup = guardedLookup(production);
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
