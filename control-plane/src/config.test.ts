import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./config.ts";

describe("configuration", () => {
  it("has local defaults for everything", () => {
    const c = parseConfig({});
    expect(c.PORTCULLIS_CP_HTTP).toEqual({ host: "127.0.0.1", port: 7070 });
    expect(c.PORTCULLIS_ENV).toBe("development");
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.PORTCULLIS_DATA_DIR).toBe(".portcullis");
  });

  it("approvals: the TTL is a duration (default 15 minutes); a webhook needs its signing secret", () => {
    expect(parseConfig({}).PORTCULLIS_APPROVAL_TTL).toBe(15 * 60_000);
    expect(parseConfig({ PORTCULLIS_APPROVAL_TTL: "90s" }).PORTCULLIS_APPROVAL_TTL).toBe(90_000);
    expect(parseConfig({ PORTCULLIS_APPROVAL_TTL: "2h" }).PORTCULLIS_APPROVAL_TTL).toBe(7_200_000);
    expect(parseConfig({ PORTCULLIS_APPROVAL_TTL: "30" }).PORTCULLIS_APPROVAL_TTL).toBe(30_000);
    expect(() => parseConfig({ PORTCULLIS_APPROVAL_TTL: "soon" })).toThrow(
      /PORTCULLIS_APPROVAL_TTL: expected a duration/,
    );
    expect(() => parseConfig({ PORTCULLIS_APPROVAL_TTL: "0s" })).toThrow(/PORTCULLIS_APPROVAL_TTL/);
    expect(() => parseConfig({ PORTCULLIS_APPROVAL_WEBHOOK_URL: "https://hooks.example/approvals" })).toThrow(
      /PORTCULLIS_APPROVAL_WEBHOOK_SECRET: required when PORTCULLIS_APPROVAL_WEBHOOK_URL is set/,
    );
    expect(() => parseConfig({ PORTCULLIS_APPROVAL_WEBHOOK_URL: "ftp://hooks.example" })).toThrow(
      /PORTCULLIS_APPROVAL_WEBHOOK_URL: expected an http\(s\) URL/,
    );
  });

  it("the admin listener (/metrics) is off unless PORTCULLIS_CP_ADMIN_HTTP is set", () => {
    expect(parseConfig({}).PORTCULLIS_CP_ADMIN_HTTP).toBeUndefined();
    expect(parseConfig({ PORTCULLIS_CP_ADMIN_HTTP: "0.0.0.0:9464" }).PORTCULLIS_CP_ADMIN_HTTP).toEqual({
      host: "0.0.0.0",
      port: 9464,
    });
    expect(() => parseConfig({ PORTCULLIS_CP_ADMIN_HTTP: "9464" })).toThrow(
      /PORTCULLIS_CP_ADMIN_HTTP: expected HOST:PORT/,
    );
  });

  it("names each bad variable and what it expects", () => {
    let err: unknown;
    try {
      parseConfig({ PORTCULLIS_CP_HTTP: "7070", DATABASE_URL: "mysql://x", PORTCULLIS_SECRET_KEY: "short" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).toContain("PORTCULLIS_CP_HTTP: expected HOST:PORT");
    expect(message).toContain("DATABASE_URL: expected a postgres://");
    expect(message).toContain("PORTCULLIS_SECRET_KEY: expected 32 bytes");
    expect(message).toContain("docs/configuration.md");
  });

  it("refuses to start in production without the production-only settings", () => {
    expect(() => parseConfig({ PORTCULLIS_ENV: "production" })).toThrow(
      /DATABASE_URL: required when PORTCULLIS_ENV=production[\s\S]*PORTCULLIS_SECRET_KEY[\s\S]*PORTCULLIS_PUBLIC_URL/,
    );
    const ok = parseConfig({
      PORTCULLIS_ENV: "production",
      DATABASE_URL: "postgres://db/portcullis",
      PORTCULLIS_SECRET_KEY: Buffer.alloc(32, 1).toString("base64"),
      PORTCULLIS_PUBLIC_URL: "https://portcullis.example.com",
    });
    expect(ok.PORTCULLIS_ENV).toBe("production");
  });

  it("bounds the token service's settings", () => {
    const c = parseConfig({});
    expect(c.PORTCULLIS_TOKEN_TTL_MINUTES).toBe(15);
    expect(c.PORTCULLIS_KEY_ACTIVATION_MINUTES).toBe(10);
    expect(c.PORTCULLIS_JWKS_COOLDOWN_SECONDS).toBe(30);
    expect(() => parseConfig({ PORTCULLIS_TOKEN_TTL_MINUTES: "60" })).toThrow(
      /PORTCULLIS_TOKEN_TTL_MINUTES: expected 1 to 15/,
    );
    expect(() => parseConfig({ PORTCULLIS_JWKS_COOLDOWN_SECONDS: "-1" })).toThrow(/PORTCULLIS_JWKS_COOLDOWN_SECONDS/);
    expect(c.PORTCULLIS_DELEGATION_MAX_DEPTH).toBe(5);
    expect(parseConfig({ PORTCULLIS_DELEGATION_MAX_DEPTH: "0" }).PORTCULLIS_DELEGATION_MAX_DEPTH).toBe(0);
    expect(() => parseConfig({ PORTCULLIS_DELEGATION_MAX_DEPTH: "17" })).toThrow(
      /PORTCULLIS_DELEGATION_MAX_DEPTH: expected 0 to 16/,
    );
  });

  it("J12: the mTLS token listener needs its certificate, key and client CA; the files alone need the listener", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pc-config-"));
    try {
      const pem = path.join(dir, "x.pem");
      writeFileSync(pem, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
      const all = {
        PORTCULLIS_CP_TOKEN_MTLS: "0.0.0.0:7443",
        PORTCULLIS_CP_TOKEN_TLS_CERT: pem,
        PORTCULLIS_CP_TOKEN_TLS_KEY: pem,
        PORTCULLIS_CP_TOKEN_TLS_CLIENT_CA: pem,
      };
      expect(parseConfig(all).PORTCULLIS_CP_TOKEN_MTLS).toEqual({ host: "0.0.0.0", port: 7443 });
      expect(parseConfig({}).PORTCULLIS_CP_TOKEN_MTLS).toBeUndefined();
      expect(() => parseConfig({ ...all, PORTCULLIS_CP_TOKEN_TLS_KEY: "" })).toThrow(
        /PORTCULLIS_CP_TOKEN_MTLS: needs PORTCULLIS_CP_TOKEN_TLS_CERT, PORTCULLIS_CP_TOKEN_TLS_KEY and PORTCULLIS_CP_TOKEN_TLS_CLIENT_CA/,
      );
      expect(() => parseConfig({ ...all, PORTCULLIS_CP_TOKEN_MTLS: "" })).toThrow(
        /PORTCULLIS_CP_TOKEN_TLS_\*: set, but PORTCULLIS_CP_TOKEN_MTLS/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("treats empty variables as unset", () => {
    expect(parseConfig({ DATABASE_URL: "" }).DATABASE_URL).toBeUndefined();
  });
});
