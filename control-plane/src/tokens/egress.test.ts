import { describe, expect, it } from "vitest";
import { guardedLookup, isBlockedAddress, jwksUrlProblem } from "./egress.ts";

describe("JWKS URL checks", () => {
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
      expect(jwksUrlProblem(url, false), url).toBeDefined();
    }
  });

  it("allows http and loopback in development only", () => {
    expect(jwksUrlProblem("http://127.0.0.1:8080/jwks", false)).toBeUndefined();
    expect(jwksUrlProblem("https://login.example.com/jwks", true)).toBeUndefined();
    expect(jwksUrlProblem("http://login.example.com/jwks", true)).toMatch(/https/);
    expect(jwksUrlProblem("https://127.0.0.1/jwks", true)).toBeDefined();
    expect(jwksUrlProblem("https://0177.0.0.1/jwks", true)).toBeDefined();
    expect(jwksUrlProblem("https://localhost/jwks", true)).toBeDefined();
  });

  it("refuses other schemes and URLs with credentials", () => {
    expect(jwksUrlProblem("file:///etc/passwd", false)).toBeDefined();
    expect(jwksUrlProblem("ftp://example.com/jwks", false)).toBeDefined();
    expect(jwksUrlProblem("https://user:pw@example.com/jwks", false)).toBeDefined();
    expect(jwksUrlProblem("not a url", false)).toBeDefined();
  });

  it("classifies resolved addresses", () => {
    expect(isBlockedAddress("169.254.169.254", false)).toBe(true);
    expect(isBlockedAddress("::ffff:169.254.169.254", false)).toBe(true);
    expect(isBlockedAddress("fd00:ec2::254", false)).toBe(true);
    expect(isBlockedAddress("127.0.0.1", false)).toBe(false);
    expect(isBlockedAddress("127.0.0.1", true)).toBe(true);
    expect(isBlockedAddress("::1", true)).toBe(true);
    expect(isBlockedAddress("10.1.2.3", true)).toBe(false);
    expect(isBlockedAddress("not-an-ip", false)).toBe(true);
  });

  it("checks every resolved address when connecting (a name that resolves to a forbidden address is refused)", async () => {
    const resolve = (production: boolean) =>
      new Promise<string>((done) =>
        guardedLookup(production)("localhost", { all: true }, (err) => done(err ? String(err.message) : "ok")),
      );
    expect(await resolve(true)).toMatch(/forbidden address/);
    expect(await resolve(false)).toBe("ok");
  });
});
