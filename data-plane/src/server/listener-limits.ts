// What the node's HTTP listener does against slow and greedy clients (SECURITY-TESTS R08): the parser's timeouts
// for headers and whole requests (Node answers 408 through answerClientError), checked every second or faster, and
// a per-client-IP connection cap: a client holding more than
// `max` open connections gets every further one closed as soon as it is accepted, before a byte is parsed.
// Addresses in `exempt` (a load balancer or ingress that carries every client's traffic) are not counted.
// IPv4-mapped IPv6 addresses count as their IPv4 address.
import type { Server, ServerOptions } from "node:http";
import { type BlockList, isIPv6 } from "node:net";
import { createLogBurst } from "../lib/log-burst.ts";
import type { Logger } from "../log.ts";

/** Largest request head (bytes); bigger ones get 431 from Node before any handler (and any crypto) runs. */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * The listener's parser limits. Node checks its timeouts every `connectionsCheckingInterval` (30 s by default,
 * which would let a slow client outlive a 10 s `headersTimeout` threefold): here a quarter of the shorter
 * timeout, at most a second.
 */
export function listenerOptions(limits: { headersTimeoutMs: number; requestTimeoutMs: number }): ServerOptions {
  return {
    maxHeaderSize: MAX_HEADER_BYTES,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(
      25,
      Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)),
    ),
  };
}

export interface ConnectionCap {
  /** Connections closed because their IP was at the cap, since the start. */
  refused(): number;
  /** Open connections counted against `ip`. */
  openFrom(ip: string): number;
}

const plainIp = (address: string): string => address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, "$1");

/** Counts the server's connections per remote IP and closes those over `max` (0: no cap). */
export function capConnectionsPerIp(
  server: Server,
  options: { max: number; exempt: BlockList; logger: Logger; onRefuse?: () => void },
): ConnectionCap {
  const open = new Map<string, number>();
  const log = createLogBurst(options.logger, "connection_refused");
  let refused = 0;
  if (options.max > 0) {
    server.on("connection", (socket) => {
      const address = socket.remoteAddress;
      if (address === undefined) return;
      const ip = plainIp(address);
      if (options.exempt.check(ip, isIPv6(ip) ? "ipv6" : "ipv4")) return;
      const count = open.get(ip) ?? 0;
      if (count >= options.max) {
        refused += 1;
        options.onRefuse?.();
        log({ remote: ip, open: count, max: options.max, refused });
        socket.destroy();
        return;
      }
      open.set(ip, count + 1);
      socket.once("close", () => {
        const left = (open.get(ip) ?? 1) - 1;
        if (left > 0) open.set(ip, left);
        else open.delete(ip);
      });
    });
  }
  return { refused: () => refused, openFrom: (ip) => open.get(plainIp(ip)) ?? 0 };
}
