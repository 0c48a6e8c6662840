// The push notification URL check (T13): every spelling of a non-public address is refused, names are resolved and
// every address they stand for must be public, and PORTCULLIS_DP_A2A_PUSH_ALLOW opens exactly the listed ranges.
import { describe, expect, it } from "vitest";
import { parseDataPlaneConfig } from "../cli-dp.ts";
import { checkPushUrl, parsePushAllow, type Resolve } from "./push-url.ts";

const none = parsePushAllow(undefined);
const dns =
  (table: Record<string, string[]>): Resolve =>
  async (host) => {
    const found = table[host];
    if (!found) throw new Error(`ENOTFOUND ${host}`);
    return found;
  };

describe("T13: push notification URLs", () => {
  it("T13: refuses loopback, private, link-local, CGNAT, reserved and mapped addresses in every spelling", async () => {
    const refused = [
      "http://10.0.0.5/hook",
      "http://127.0.0.1/",
      "http://169.254.169.254/latest/meta-data/",
      "http://2852039166/",
      "http://0xA9.0xFE.0xA9.0xFE/",
      "http://0177.0.0.1/",
      "http://[::ffff:a9fe:a9fe]/",
      "http://[::ffff:127.0.0.1]/",
      "http://[::1]/",
      "http://[fe80::1]/",
      "http://[fd12:3456::1]/",
      "http://[64:ff9b::a9fe:a9fe]/",
      "http://100.64.0.1/",
      "http://0.0.0.0/",
      "http://224.0.0.1/",
      "http://255.255.255.255/",
      "gopher://93.184.215.14/",
      "http://u:p@93.184.215.14/",
      "not a url",
    ];
    for (const url of refused) expect((await checkPushUrl(url, none, dns({}))).ok, url).toBe(false);
    expect((await checkPushUrl(42, none)).ok).toBe(false);
  });

  it("T13: resolves names: every address must be public; a name that does not resolve is refused", async () => {
    const resolve = dns({
      "hooks.example.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
      "rebind.example.com": ["93.184.215.14", "10.0.0.5"],
      "metadata.example.com": ["169.254.169.254"],
    });
    expect(await checkPushUrl("https://hooks.example.com/a2a", none, resolve)).toEqual({ ok: true });
    expect((await checkPushUrl("https://rebind.example.com/a2a", none, resolve)).ok).toBe(false);
    expect((await checkPushUrl("https://metadata.example.com/", none, resolve)).ok).toBe(false);
    expect(await checkPushUrl("https://nowhere.example.com/", none, resolve)).toEqual({
      ok: false,
      reason: "the URL's host does not resolve",
    });
  });

  it("opens exactly the ranges PORTCULLIS_DP_A2A_PUSH_ALLOW lists", async () => {
    const allow = parsePushAllow("10.20.0.0/16, 127.0.0.1");
    expect((await checkPushUrl("http://10.20.3.4/hook", allow)).ok).toBe(true);
    expect((await checkPushUrl("http://127.0.0.1:9000/hook", allow)).ok).toBe(true);
    expect((await checkPushUrl("http://[::ffff:127.0.0.1]/hook", allow)).ok).toBe(true);
    expect((await checkPushUrl("http://10.21.0.1/hook", allow)).ok).toBe(false);
    expect((await checkPushUrl("http://127.0.0.2/hook", allow)).ok).toBe(false);
    expect(() => parsePushAllow("10.0.0.0/33")).toThrow(/prefix/);
    expect(() => parsePushAllow("internal.example.com")).toThrow(/not an IP/);
    expect(() => parseDataPlaneConfig({ PORTCULLIS_DP_A2A_PUSH_ALLOW: "nope" })).toThrow(
      /PORTCULLIS_DP_A2A_PUSH_ALLOW: expected comma-separated IP addresses or CIDR ranges/,
    );
    expect(parseDataPlaneConfig({ PORTCULLIS_DP_A2A_PUSH_ALLOW: "10.0.0.0/8" }).PORTCULLIS_DP_A2A_PUSH_ALLOW).toBe(
      "10.0.0.0/8",
    );
  });
});
