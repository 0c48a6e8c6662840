import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, hashPassword, verifyPassword } from "./secrets.ts";

describe("secrets", () => {
  it("hashes passwords with scrypt and verifies only the right one", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(hash).toMatch(/^scrypt\$/);
    expect(hash).not.toContain("correct");
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
    expect(await verifyPassword("correct horse batterx", hash)).toBe(false);
    expect(await verifyPassword("x", "garbage")).toBe(false);
  });

  it("encrypts with AES-GCM bound to its row, and detects tampering", () => {
    const key = randomBytes(32);
    const sealed = encryptSecret(key, "sk-live-123", "upstream:1");
    expect(sealed.includes(Buffer.from("sk-live-123"))).toBe(false);
    expect(decryptSecret(key, sealed, "upstream:1")).toBe("sk-live-123");
    expect(() => decryptSecret(key, sealed, "upstream:2")).toThrow();
    const flipped = Buffer.from(sealed);
    flipped[14] = (flipped[14] as number) ^ 1;
    expect(() => decryptSecret(key, flipped, "upstream:1")).toThrow();
    expect(() => decryptSecret(randomBytes(32), sealed, "upstream:1")).toThrow();
  });
});
