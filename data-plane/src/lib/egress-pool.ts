// Connection pools to upstreams (MCP servers, HTTP APIs, A2A agents) that refuse forbidden addresses when they
// connect (SECURITY-TESTS T11). The control plane refuses such URLs when they are saved; this is the second check,
// at the node, for what the snapshot says and for what a name resolves to at connect time (DNS rebinding): a
// literal address is checked before connecting, a name is resolved and every address checked. Redirects are never
// followed (undici's `request` does not), so a 3xx cannot lead a node elsewhere. A refused connection fails like
// any connection error, with code EGRESS_BLOCKED, which the call paths audit and log; the agent sees only a
// generic upstream error.
import { isIP, type TcpNetConnectOpts } from "node:net";
import { EgressBlockedError, type EgressRules, guardedLookup, isBlockedAddress } from "@portcullis/proto";
import { buildConnector, Pool } from "undici";

/** The default node rules: link-local, metadata, unspecified, multicast and reserved refused; loopback allowed. */
export const DEFAULT_EGRESS_RULES: EgressRules = Object.freeze({ blockLoopback: false });

const CONNECT_TIMEOUT_MS = 10_000;
const POOL_SIZE = { connections: 64, keepAliveTimeout: 4_000 } as const;

/** A keep-alive pool to one origin whose every new connection is checked against `rules`. */
export function egressPool(origin: string, rules: EgressRules): Pool {
  const lookup = guardedLookup(rules) as TcpNetConnectOpts["lookup"];
  const connector = buildConnector({ timeout: CONNECT_TIMEOUT_MS, lookup });
  const connect: buildConnector.connector = (options, callback) => {
    const host = options.hostname.replace(/^\[|\]$/g, "");
    if (isIP(host) !== 0 && isBlockedAddress(host, rules)) {
      callback(new EgressBlockedError(host), null);
      return;
    }
    connector(options, callback);
  };
  return new Pool(origin, { ...POOL_SIZE, connect });
}

/** True when an upstream failure reason (as recorded) is a refused egress. */
export const isEgressBlocked = (reason: string | undefined) =>
  reason !== undefined && /\bEGRESS_BLOCKED\b/.test(reason);
