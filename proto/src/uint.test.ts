import { describe, expect, it } from "vitest";
import { parseSafeUint, toSafeUint } from "./uint.ts";

describe("uint64 conversion", () => {
  it("accepts safe integers as numbers, canonical decimal strings and bigints", () => {
    expect(toSafeUint(0)).toBe(0);
    expect(toSafeUint("42")).toBe(42);
    expect(toSafeUint("9007199254740991")).toBe(Number.MAX_SAFE_INTEGER);
    expect(toSafeUint(7n)).toBe(7);
  });

  it("refuses values it would have to round, and non-canonical strings", () => {
    for (const value of ["9007199254740992", "18446744073709551615", "-1", "01", "1e3", " 1", "", "0x10"]) {
      expect(parseSafeUint(value), value).toBeUndefined();
    }
    for (const value of [-1, 1.5, Number.NaN, 2 ** 53, 2n ** 53n, -1n]) {
      expect(parseSafeUint(value), String(value)).toBeUndefined();
    }
    expect(() => toSafeUint("18446744073709551615")).toThrow(RangeError);
  });
});
