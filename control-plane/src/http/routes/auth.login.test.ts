// Sign-in throttling: wrong passwords for one account are refused with 429 and Retry-After once past the limit,
// even with the right password, until the failures age out; other accounts are unaffected; success clears.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_EMAIL, ADMIN_PASSWORD, createTestApp, type TestApp } from "../../../test/app-harness.ts";
import { createLoginThrottle } from "../../services/login-throttle.ts";

let t: TestApp;
let now = Date.parse("2026-12-07T10:00:00Z");
beforeAll(async () => {
  t = await createTestApp();
  (t.deps as { clock: () => Date }).clock = () => new Date(now);
});
afterAll(() => t.close());

const login = (email: string, password: string) =>
  t.call("POST", "/api/v1/auth/login", { role: null, body: { email, password } });

describe("POST /api/v1/auth/login throttling", () => {
  it("refuses an account after 5 wrong passwords, even the right one, until the window passes", async () => {
    const created = await t.call("POST", "/api/v1/users", {
      body: { email: "fay@example.com", displayName: "Fay", role: "auditor", password: "fays-real-password" },
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 5; i++) {
      now += 1_000;
      expect((await login("fay@example.com", `guess-${i}`)).status).toBe(401);
    }
    now += 1_000;
    const refused = await login("FAY@example.com", "fays-real-password");
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({
      code: "rate_limited",
      message: expect.stringMatching(/retry in \d+ s/),
    });
    const retryAfter = Number(refused.headers.get("retry-after"));
    // The first failure was 6 s ago: it leaves the 15-minute window in 894 s.
    expect(retryAfter).toBe(15 * 60 - 5);
    expect(JSON.stringify(refused.body)).not.toMatch(/fays-real-password/);

    // Another account from the same client is not affected.
    expect((await login(ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(200);

    now += retryAfter * 1000;
    expect((await login("fay@example.com", "fays-real-password")).status).toBe(200);
    // Success cleared the account's failures: a new typo is a plain 401, not a 429.
    expect((await login("fay@example.com", "typo")).status).toBe(401);
  });

  it("bounds one client address across accounts (password spraying)", () => {
    let at = 0;
    const throttle = createLoginThrottle({ maxFailures: 2, windowMs: 60_000, clock: () => new Date(at) });
    for (let i = 0; i < 8; i++) throttle.failed(`user${i}@example.com`, "203.0.113.9");
    expect(throttle.retryAfterSeconds("someone-else@example.com", "203.0.113.9")).toBe(60);
    expect(throttle.retryAfterSeconds("someone-else@example.com", "198.51.100.1")).toBe(0);
    at = 60_000;
    expect(throttle.retryAfterSeconds("someone-else@example.com", "203.0.113.9")).toBe(0);
  });

  it("forgets the least recently failed keys past its bound", () => {
    const throttle = createLoginThrottle({ maxFailures: 1, windowMs: 60_000, clock: () => new Date(0), maxKeys: 4 });
    throttle.failed("a@example.com", "c1");
    throttle.failed("b@example.com", "c2");
    throttle.failed("c@example.com", "c3");
    expect(throttle.retryAfterSeconds("a@example.com", "c9")).toBe(0);
    expect(throttle.retryAfterSeconds("c@example.com", "c9")).toBe(60);
  });
});
