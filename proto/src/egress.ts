// Where the gateway may connect on an administrator's say-so (SECURITY-TESTS T11): the addresses no upstream, JWKS
// or agent card may live at, shared by both planes. The control plane checks URLs when they are saved; nodes and
// the token service check every resolved address again when connecting, so a DNS name that resolves (or rebinds)
// to a forbidden address gains nothing. IPv4-mapped IPv6 addresses count as their IPv4 address, and the WHATWG URL
// parser has already turned decimal (`2852039166`) and octal (`0177.0.0.1`) spellings into dotted quads.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";

/** Names of cloud metadata services, refused whatever they resolve to. */
export const METADATA_HOSTS: ReadonlySet<string> = new Set([
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "metadata.azure.com",
  "instance-data",
  "instance-data.ec2.internal",
]);

export interface EgressRules {
  /** Whether 127.0.0.0/8 and ::1 are refused too (production control planes; nodes configured so). */
  blockLoopback: boolean;
}

function blockList(loopback: boolean): BlockList {
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
  if (loopback) {
    list.addSubnet("127.0.0.0", 8, "ipv4");
    list.addAddress("::1", "ipv6");
  }
  return list;
}

const lists = { open: blockList(false), strict: blockList(true) };

/** The IPv4 address an IPv4-mapped IPv6 address stands for (`::ffff:a9fe:a9fe` → 169.254.169.254), else undefined. */
function mappedIpv4(address: string): string | undefined {
  const m = /^::ffff:(?:([0-9a-f]{1,4}):([0-9a-f]{1,4})|(\d+\.\d+\.\d+\.\d+))$/i.exec(address);
  if (!m) return undefined;
  if (m[3]) return m[3];
  const hi = Number.parseInt(m[1] as string, 16);
  const lo = Number.parseInt(m[2] as string, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** True when connecting to this IP address is refused (anything that is not an IP address is refused too). */
export function isBlockedAddress(address: string, rules: EgressRules): boolean {
  const bare = address.replace(/^\[|\]$/g, "");
  const v4 = mappedIpv4(bare);
  const ip = v4 ?? bare;
  const kind = isIP(ip);
  if (kind === 0) return true;
  return lists[rules.blockLoopback ? "strict" : "open"].check(ip, kind === 4 ? "ipv4" : "ipv6");
}

/**
 * Why a URL the gateway would connect to is refused, or undefined when it may be used: not http(s) (or not https
 * when `requireHttps`), credentials in it, a metadata host name, localhost when loopback is blocked, or a literal
 * address in the blocked ranges. Names are checked again, address by address, when connecting.
 */
export function egressUrlProblem(value: string, rules: EgressRules & { requireHttps?: boolean }): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "expected an absolute URL";
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && !rules.requireHttps)) {
    return rules.requireHttps ? "must be an https:// URL" : "must be an http:// or https:// URL";
  }
  if (url.username || url.password) return "must not carry credentials";
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (METADATA_HOSTS.has(host.replace(/\.$/, ""))) return "points to a cloud metadata service";
  if (rules.blockLoopback && (host === "localhost" || host.endsWith(".localhost")))
    return "must not point to localhost";
  if (isIP(host) !== 0 && isBlockedAddress(host, rules)) {
    return "points to a link-local, metadata or otherwise forbidden address";
  }
  return undefined;
}

/** The error a guarded connection fails with; `code` lets callers tell it from other connection failures. */
export class EgressBlockedError extends Error {
  override name = "EgressBlockedError";
  readonly code = "EGRESS_BLOCKED";
  constructor(host: string) {
    super(`connection to ${host.slice(0, 100)} refused: it is (or resolves to) a forbidden address`);
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node:net / node:http / undici's connector that refuses the connection when any resolved address
 * is forbidden (all addresses are checked, so a name that also resolves to a forbidden one is refused as a whole).
 */
export function guardedLookup(rules: EgressRules) {
  return (hostname: string, opts: { all?: boolean; family?: number }, callback: LookupCallback) => {
    dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      if (list.length === 0 || list.some((a) => isBlockedAddress(a.address, rules))) {
        return callback(new EgressBlockedError(hostname) as unknown as NodeJS.ErrnoException, []);
      }
      if (opts.all) return callback(null, list);
      const first = list[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}
