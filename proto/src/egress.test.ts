import { describe, expect, it } from "vitest";
import { type EgressBlockedError, egressUrlProblem, guardedLookup, isBlockedAddress } from "./egress.ts";

const open = { blockLoopback: false };
const strict = { blockLoopback: true, requireHttps: true };

describe("T11: egress address rules (upstreams, JWKS, agent cards)", () => {
  it("refuses link-local and cloud metadata addresses in every spelling", () => {
    for (const url of [
      "http://169.254.169.254/latest/meta-data/",
      "http://2852039166/",
      "http://0xa9.0xfe.0xa9.0xfe/",
      "http://[::ffff:a9fe:a9fe]/",
      "http://[::ffff:169.254.169.254]/",
      "http://[fe80::1]/jwks",
      "http://metadata.google.internal/computeMetadata/v1/",
      "http://100.100.100.200/",
      "http://0.0.0.0:8080/jwks",
    ]) {
      expect(egressUrlProblem(url, open), url).toBeDefined();
    }
  });

  it("allows http and loopback unless the rules block them", () => {
    expect(egressUrlProblem("http://127.0.0.1:8080/jwks", open)).toBeUndefined();
    expect(egressUrlProblem("https://login.example.com/jwks", strict)).toBeUndefined();
    expect(egressUrlProblem("http://login.example.com/jwks", strict)).toMatch(/https/);
    expect(egressUrlProblem("https://127.0.0.1/jwks", strict)).toBeDefined();
    expect(egressUrlProblem("https://0177.0.0.1/jwks", strict)).toBeDefined();
    expect(egressUrlProblem("http://0177.0.0.1/", { blockLoopback: true })).toBeDefined();
    expect(egressUrlProblem("https://localhost/jwks", strict)).toBeDefined();
  });

  it("refuses other schemes and URLs with credentials", () => {
    expect(egressUrlProblem("file:///etc/passwd", open)).toBeDefined();
    expect(egressUrlProblem("ftp://example.com/jwks", open)).toBeDefined();
    expect(egressUrlProblem("https://user:pw@example.com/jwks", open)).toBeDefined();
    expect(egressUrlProblem("not a url", open)).toBeDefined();
  });

  it("classifies resolved addresses", () => {
    expect(isBlockedAddress("169.254.169.254", open)).toBe(true);
    expect(isBlockedAddress("::ffff:169.254.169.254", open)).toBe(true);
    expect(isBlockedAddress("::ffff:a9fe:a9fe", open)).toBe(true);
    expect(isBlockedAddress("[::ffff:a9fe:a9fe]", open)).toBe(true);
    expect(isBlockedAddress("fd00:ec2::254", open)).toBe(true);
    expect(isBlockedAddress("127.0.0.1", open)).toBe(false);
    expect(isBlockedAddress("::ffff:7f00:1", open)).toBe(false);
    expect(isBlockedAddress("::ffff:7f00:1", { blockLoopback: true })).toBe(true);
    expect(isBlockedAddress("127.0.0.1", { blockLoopback: true })).toBe(true);
    expect(isBlockedAddress("::1", { blockLoopback: true })).toBe(true);
    expect(isBlockedAddress("10.1.2.3", { blockLoopback: true })).toBe(false);
    expect(isBlockedAddress("not-an-ip", open)).toBe(true);
  });

  it("checks every resolved address when connecting (a name that resolves to a forbidden address is refused)", async () => {
    const resolve = (blockLoopback: boolean) =>
      new Promise<string>((done) =>
        guardedLookup({ blockLoopback })("localhost", { all: true }, (err) =>
          done(err ? `${(err as unknown as EgressBlockedError).code}: ${err.message}` : "ok"),
        ),
      );
    expect(await resolve(true)).toMatch(/^EGRESS_BLOCKED: .*forbidden address/);
    expect(await resolve(false)).toBe("ok");
  });
});
