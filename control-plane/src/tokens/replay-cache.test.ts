import { describe, expect, it } from "vitest";
import { ReplayCache } from "./replay-cache.ts";

describe("replay cache", () => {
  it("accepts an id once until it expires", () => {
    const cache = new ReplayCache(10);
    expect(cache.remember("a", 2_000, 1_000)).toBe(true);
    expect(cache.remember("a", 2_000, 1_500)).toBe(false);
    expect(cache.remember("a", 4_000, 2_500)).toBe(true);
  });

  it("stays bounded and fails closed when full of live ids", () => {
    const cache = new ReplayCache(3);
    for (const id of ["a", "b", "c"]) expect(cache.remember(id, 10_000, 0)).toBe(true);
    expect(cache.remember("d", 10_000, 1)).toBe(false);
    expect(cache.size).toBe(3);
    // Once some have expired they are swept to make room.
    expect(cache.remember("d", 30_000, 20_000)).toBe(true);
    expect(cache.size).toBe(1);
  });
});
