import { describe, expect, it } from "vitest";
import { parseStrictJson, StrictJsonError } from "./strict-json.ts";

describe("parseStrictJson", () => {
  it("parses what JSON.parse parses, to the same value", () => {
    const samples = [
      '{"a":1,"b":[true,false,null],"c":{"d":"e"}}',
      ' { "x" : -0.5e+3 , "y" : "\\u00e9\\n\\"\\\\\\/" , "z" : [ ] , "w" : { } } ',
      '"just a string"',
      "123",
      "[1,2,[3,[4]]]",
      '{"emoji":"😀","esc":"\\ud83d\\ude00"}',
    ];
    for (const text of samples) expect(parseStrictJson(text)).toEqual(JSON.parse(text));
  });

  it("R11: refuses malformed JSON with a position", () => {
    for (const text of [
      "",
      "{",
      '{"a":}',
      "{'a':1}",
      '{"a":1,}',
      "[1,]",
      "tru",
      "01",
      "1.",
      '{"a":1} x',
      "NaN",
      '"\u0001"',
    ]) {
      expect(() => parseStrictJson(text), text).toThrow(StrictJsonError);
    }
  });

  it("R11: refuses duplicate keys, at any depth, naming the key", () => {
    expect(() => parseStrictJson('{"amount":1,"amount":2}')).toThrow(/duplicate key "amount"/);
    expect(() => parseStrictJson('{"a":[{"b":1,"c":2,"b":3}]}')).toThrow(/duplicate key "b"/);
    // Keys that differ only by escaping are the same key.
    expect(() => parseStrictJson('{"a":1,"\\u0061":2}')).toThrow(/duplicate key "a"/);
  });

  it("R11: refuses 100k-deep nesting without a stack overflow", () => {
    const deep = `{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    expect(() => parseStrictJson(deep)).toThrow(/nested deeper than 64 levels/);
    const deepObjects = `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`;
    expect(() => parseStrictJson(deepObjects)).toThrow(/nested deeper than 64 levels/);
  });

  it("accepts nesting up to the limit", () => {
    const ok = `${"[".repeat(64)}${"]".repeat(64)}`;
    expect(() => parseStrictJson(ok)).not.toThrow();
    expect(() => parseStrictJson(`[${ok}]`)).toThrow(/nested deeper/);
  });

  it("refuses numbers that overflow", () => {
    expect(() => parseStrictJson('{"a":1e400}')).toThrow(/number out of range/);
  });

  it("keeps __proto__ as an own property, never as the prototype", () => {
    const value = parseStrictJson('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(["__proto__", "a"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(value)).toBe('{"__proto__":{"polluted":true},"a":1}');
  });
});
