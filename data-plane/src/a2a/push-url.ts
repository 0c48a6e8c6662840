// Push notification URLs are called later by the upstream agent, from inside its network: a URL the gateway lets
// through is a request the agent makes for the caller. So each one must be http(s), without credentials, and
// every address its host stands for must be public: no loopback, private, link-local (cloud metadata), CGNAT,
// multicast, reserved or IPv4-mapped/NAT64 forms of them, unless the operator lists the range in
// PORTCULLIS_DP_A2A_PUSH_ALLOW. Names are resolved (all addresses); a name that does not resolve is refused.
// The URL is never fetched by the gateway.
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

const BLOCKED_V4 = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const;
const BLOCKED_V6 = [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
] as const;

const blocked = new BlockList();
for (const [net, prefix] of BLOCKED_V4) blocked.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of BLOCKED_V6) blocked.addSubnet(net, prefix, "ipv6");

/** Parses PORTCULLIS_DP_A2A_PUSH_ALLOW: comma-separated addresses or CIDR ranges. Throws on a bad entry. */
export function parsePushAllow(value: string | undefined): BlockList {
  const allow = new BlockList();
  for (const raw of (value ?? "").split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const [address, prefixText] = entry.split("/") as [string, string | undefined];
    const family = isIP(address);
    if (family === 0) throw new Error(`not an IP address or CIDR range: ${entry}`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (prefixText === undefined) {
      allow.addAddress(address, type);
      continue;
    }
    const prefix = Number(prefixText);
    if (!/^\d{1,3}$/.test(prefixText) || prefix > (family === 4 ? 32 : 128)) {
      throw new Error(`bad prefix length in ${entry}`);
    }
    allow.addSubnet(address, prefix, type);
  }
  return allow;
}

/** The IPv4 address an IPv4-mapped or IPv4-compatible IPv6 address stands for. */
function embeddedV4(address: string): string | undefined {
  const m = /^::(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (m) return m[1];
  const hex = /^::(?:ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const hi = Number.parseInt(hex[1] as string, 16);
  const lo = Number.parseInt(hex[2] as string, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** True when the address is public, or listed in `allow`. */
export function addressAllowed(address: string, allow: BlockList): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const type = family === 4 ? "ipv4" : "ipv6";
  if (allow.check(address, type)) return true;
  if (family === 6) {
    const v4 = embeddedV4(address);
    if (v4 !== undefined) return addressAllowed(v4, allow);
  }
  return !blocked.check(address, type);
}

export type PushUrlCheck = { ok: true } | { ok: false; reason: string };

export type Resolve = (host: string) => Promise<string[]>;

const resolveAll: Resolve = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** Checks one push notification URL (see the file comment). `reason` is safe to show the caller. */
export async function checkPushUrl(
  value: unknown,
  allow: BlockList,
  resolve: Resolve = resolveAll,
): Promise<PushUrlCheck> {
  if (typeof value !== "string" || value.length > 2048) return { ok: false, reason: "the URL must be a string" };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, reason: "the URL is not a URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: "the URL must be http(s)" };
  if (url.username || url.password) return { ok: false, reason: "the URL must not carry credentials" };
  // WHATWG parsing already turned 2852039166, 0177.0.0.1 and 0xA9.254.169.254 into dotted IPv4.
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: string[];
  if (isIP(host) !== 0) addresses = [host];
  else {
    try {
      addresses = await resolve(host);
    } catch {
      return { ok: false, reason: "the URL's host does not resolve" };
    }
  }
  if (addresses.length === 0) return { ok: false, reason: "the URL's host does not resolve" };
  for (const address of addresses) {
    if (!addressAllowed(address, allow)) {
      return { ok: false, reason: "the URL points to a loopback, private, link-local or reserved address" };
    }
  }
  return { ok: true };
}
