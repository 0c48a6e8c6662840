import { describe, expect, it } from "vitest";
import { createUuidV7Generator, isUuidV7, uuidv7, uuidv7Timestamp } from "./uuid.ts";

describe("uuidv7", () => {
  it("has version 7, the RFC 9562 variant, and the timestamp in the first 48 bits", () => {
    const next = createUuidV7Generator();
    const ms = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    const id = next(ms);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(isUuidV7(id)).toBe(true);
    expect(uuidv7Timestamp(id)).toBe(ms);
    // RFC 9562 Appendix A.6: 0x017F22E279B0 is Tuesday, February 22, 2022 2:22:22.00 PM GMT-05:00.
    expect(createUuidV7Generator()(0x017f22e279b0).slice(0, 13)).toBe("017f22e2-79b0");
  });

  it("sorts in creation order within one millisecond, across milliseconds, and when the clock steps back", () => {
    const next = createUuidV7Generator();
    const ms = 1_800_000_000_000;
    const ids: string[] = [];
    for (let i = 0; i < 10_000; i++) ids.push(next(ms)); // overflows the 12-bit counter at least once
    for (let i = 0; i < 100; i++) ids.push(next(ms + 5 + i));
    for (let i = 0; i < 100; i++) ids.push(next(ms - 1000)); // clock stepped back
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every(isUuidV7)).toBe(true);
  });

  it("is unique across many calls of the process-wide generator", () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7());
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("rejects other UUID versions and upper case", () => {
    expect(isUuidV7("550e8400-e29b-41d4-a716-446655440000")).toBe(false);
    expect(isUuidV7(uuidv7().toUpperCase())).toBe(false);
    expect(isUuidV7("017f22e2-79b0-7cc3-18c4-dc0c0c07398f")).toBe(false); // variant bits 00
    expect(() => uuidv7Timestamp("nope")).toThrow(TypeError);
  });
});
