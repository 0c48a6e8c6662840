import { describe, expect, it } from "vitest";
import { createBackoff, sleep } from "./backoff.ts";

describe("backoff", () => {
  it("grows exponentially up to the cap, with the random factor applied to the whole ceiling", () => {
    const b = createBackoff({ baseMs: 100, capMs: 1000, random: () => 0.999999 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([99, 199, 399, 799, 999, 999]);
    expect(b.attempt).toBe(6);
  });

  it("uses full jitter: a zero random value gives a zero delay", () => {
    const b = createBackoff({ baseMs: 100, capMs: 1000, random: () => 0 });
    expect([b.next(), b.next(), b.next()]).toEqual([0, 0, 0]);
  });

  it("stays within [0, cap) with real randomness, even after many attempts", () => {
    const b = createBackoff({ baseMs: 50, capMs: 30_000 });
    for (let i = 0; i < 2000; i++) {
      const d = b.next();
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(30_000);
      expect(Number.isFinite(d)).toBe(true);
    }
  });

  it("starts over after reset", () => {
    const b = createBackoff({ baseMs: 100, capMs: 10_000, random: () => 0.5 });
    b.next();
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(50);
  });

  it("refuses nonsense settings", () => {
    expect(() => createBackoff({ baseMs: 0, capMs: 10 })).toThrow(RangeError);
    expect(() => createBackoff({ baseMs: 100, capMs: 10 })).toThrow(RangeError);
  });

  it("sleep is cut short by an abort", async () => {
    const ac = new AbortController();
    const p = sleep(60_000, ac.signal);
    ac.abort(new Error("shutdown"));
    await expect(p).rejects.toThrow("shutdown");
    await expect(sleep(1)).resolves.toBeUndefined();
  });
});
