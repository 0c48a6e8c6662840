// The quota stores' contract, run against both: the memory store with a controlled clock, and the Redis store on a
// real Redis (its own key prefix; Redis's clock, so its windows are the real ones).
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { deletePrefix, requireRedis, TEST_REDIS_URL, testPrefix } from "../../test/redis.ts";
import { createMemoryQuotaStore, createRedisQuotaStore, type QuotaStore } from "./quota-store.ts";
import type { QuotaCheck } from "./rate-limits.ts";

const check = (key: string, limit: number, windowMs: number, scope = "agent"): QuotaCheck => ({
  key,
  limit,
  windowMs,
  scope,
});

describe("memory quota store", () => {
  it("holds at most `limit` calls in any window and says when the next one fits", async () => {
    let now = 1_000_000;
    const store = createMemoryQuotaStore({ now: () => now });
    const perMinute = [check("a:x", 3, 60_000)];
    for (let i = 0; i < 3; i += 1) {
      expect(await store.take(perMinute)).toEqual({ ok: true });
      now += 10_000;
    }
    // Calls at 0 s, 10 s, 20 s; now 30 s: the window frees up when the first call is 60 s old.
    expect(await store.take(perMinute)).toEqual({
      ok: false,
      code: "rate_limited",
      scope: "agent",
      limit: 3,
      windowSeconds: 60,
      retryAfterMs: 30_000,
    });
    now += 30_000; // 60 s after the first call: it has left the window
    expect(await store.take(perMinute)).toEqual({ ok: true });
    expect((await store.take(perMinute)).ok).toBe(false);
    await store.close();
  });

  it("counts a call against every counter or none", async () => {
    const now = 5_000;
    const store = createMemoryQuotaStore({ now: () => now });
    expect(await store.take([check("a:x", 1, 1000)])).toEqual({ ok: true });
    // The tool counter has room, the agent's does not: refused, and the tool counter is untouched.
    const both = [check("t:send", 1, 1000, "tool"), check("a:x", 1, 1000)];
    expect(await store.take(both)).toMatchObject({ ok: false, scope: "agent" });
    expect(await store.take([check("t:send", 1, 1000, "tool")])).toEqual({ ok: true });
    await store.close();
  });

  it("keeps agents apart", async () => {
    const store = createMemoryQuotaStore();
    expect(await store.take([check("a:x", 1, 60_000)])).toEqual({ ok: true });
    expect((await store.take([check("a:x", 1, 60_000)])).ok).toBe(false);
    expect(await store.take([check("a:y", 1, 60_000)])).toEqual({ ok: true });
    await store.close();
  });
});

describe("Redis quota store", () => {
  const prefix = testPrefix("quota");
  const stores: QuotaStore[] = [];
  const open = () => {
    const store = createRedisQuotaStore({ url: TEST_REDIS_URL, keyPrefix: prefix });
    stores.push(store);
    return store;
  };
  afterAll(async () => {
    for (const s of stores) await s.close();
    await deletePrefix(prefix);
  });

  it("Z07: two nodes share the counters; 200 concurrent calls against a limit of 100 allow exactly 100", async () => {
    await requireRedis();
    const [a, b] = [open(), open()];
    const checks = [check("a:agent-z07", 100, 60_000)];
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).take(checks)));
    expect(results.filter((r) => r.ok)).toHaveLength(100);
    const refused = results.filter((r) => !r.ok);
    expect(refused).toHaveLength(100);
    for (const r of refused) {
      expect(r).toMatchObject({ code: "rate_limited", scope: "agent", limit: 100, windowSeconds: 60 });
      if (r.ok || r.code !== "rate_limited") throw new Error("unreachable");
      expect(r.retryAfterMs).toBeGreaterThan(0);
      expect(r.retryAfterMs).toBeLessThanOrEqual(60_000);
    }
    // Another agent is unaffected.
    expect(await a.take([check("a:other-agent", 100, 60_000)])).toEqual({ ok: true });
  });

  it("counts a call against every counter or none", async () => {
    await requireRedis();
    const store = open();
    expect(await store.take([check("a:all-or-none", 1, 60_000)])).toEqual({ ok: true });
    const both = [check("t:all-or-none", 1, 60_000, "tool"), check("a:all-or-none", 1, 60_000)];
    expect(await store.take(both)).toMatchObject({ ok: false, code: "rate_limited", scope: "agent" });
    expect(await store.take([check("t:all-or-none", 1, 60_000, "tool")])).toEqual({ ok: true });
    const client = new Redis(TEST_REDIS_URL);
    try {
      // The counters expire with their window: nothing is left behind for ever.
      const ttl = await client.pttl(`${prefix}t:all-or-none`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      client.disconnect();
    }
  });

  it("frees the window as calls age out of it", async () => {
    await requireRedis();
    const store = open();
    const checks = [check("a:short-window", 2, 1_000)];
    expect((await store.take(checks)).ok).toBe(true);
    expect((await store.take(checks)).ok).toBe(true);
    expect((await store.take(checks)).ok).toBe(false);
    await expect.poll(async () => (await store.take(checks)).ok, { timeout: 10_000, interval: 100 }).toBe(true);
  });

  it("fails closed with quota_unavailable when Redis is unreachable", async () => {
    const store = createRedisQuotaStore({ url: "redis://127.0.0.1:9", keyPrefix: prefix, commandTimeoutMs: 500 });
    stores.push(store);
    const result = await store.take([check("a:x", 100, 60_000)]);
    expect(result).toEqual({
      ok: false,
      code: "quota_unavailable",
      message: "the quota store is unavailable: the call was not counted, so it was not executed; retry later",
    });
    // Nothing about the store's address reaches the caller.
    expect(JSON.stringify(result)).not.toContain("127.0.0.1");
  });
});
