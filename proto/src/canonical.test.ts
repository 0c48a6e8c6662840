import { describe, expect, it } from "vitest";
import { CanonicalJsonError, canonicalBytes, canonicalJson, parseCanonical, sha256Hex } from "./canonical.ts";

describe("canonicalJson", () => {
  it("matches the RFC 8785 §3.2.4 example", () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    expect(canonicalJson(JSON.parse(input))).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it("sorts keys by UTF-16 code units (RFC 8785 §3.2.3), recursively", () => {
    const value = {
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    };
    // (Object.keys of the parsed result would put the integer-like "1" first, so read the keys from the text.)
    const keys = [...canonicalJson(value).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) => JSON.parse(`"${m[1]}"`));
    expect(keys).toEqual(["\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"]);
    expect(canonicalJson({ b: { d: 1, c: [{ z: 1, y: 2 }] }, a: null })).toBe(
      '{"a":null,"b":{"c":[{"y":2,"z":1}],"d":1}}',
    );
  });

  it("serializes numbers as ECMAScript does (RFC 8785 Appendix B samples)", () => {
    const cases: [number, string][] = [
      [0, "0"],
      [-0, "0"],
      [5e-324, "5e-324"],
      [1.7976931348623157e308, "1.7976931348623157e+308"],
      [9007199254740992, "9007199254740992"],
      [295147905179352830000, "295147905179352830000"],
      [1e21, "1e+21"],
      [1e-7, "1e-7"],
      [0.000001, "0.000001"],
      [-1.5, "-1.5"],
    ];
    for (const [n, text] of cases) {
      expect(canonicalJson(n)).toBe(text);
    }
  });

  it("refuses values with no JSON form instead of dropping them", () => {
    const bad: unknown[] = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      undefined,
      { a: undefined },
      [1, undefined],
      // biome-ignore lint/suspicious/noSparseArray: a hole is what is tested
      [1, , 3],
      () => 1,
      Symbol("s"),
      10n,
      new Date(0),
      new Map(),
      Buffer.from("x"),
      "lone \ud800 surrogate",
      { "\udc00": 1 },
    ];
    for (const value of bad) {
      expect(() => canonicalJson(value), String(typeof value)).toThrow(CanonicalJsonError);
    }
  });

  it("refuses cycles and absurd nesting with an error, not a stack overflow", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/nested deeper/);
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(CanonicalJsonError);
  });

  it("accepts objects with a null prototype and names the path of an error", () => {
    const bare = Object.assign(Object.create(null), { b: 2, a: 1 });
    expect(canonicalJson(bare)).toBe('{"a":1,"b":2}');
    expect(() => canonicalJson({ rules: [{ limit: Number.NaN }] })).toThrow("$.rules[0].limit");
    // The path is that of the failing member, not of siblings encoded before it.
    expect(() => canonicalJson({ a: { x: [1, 2] }, b: [true, { c: "\ud800" }] })).toThrow(
      "$.b[1].c: string contains a lone surrogate",
    );
    expect(() => canonicalJson([[1], [2, [3, undefined]]])).toThrow("$[1][1][1]: undefined has no JSON form");
    expect(() => canonicalJson({ ok: 1, when: new Date(0) })).toThrow("$.when: only plain objects");
  });

  it("gives UTF-8 bytes and a stable SHA-256", () => {
    const bytes = canonicalBytes({ tool: "café", n: 1 });
    expect(bytes.toString("utf8")).toBe('{"n":1,"tool":"café"}');
    expect(sha256Hex(bytes)).toBe(sha256Hex(canonicalBytes({ n: 1, tool: "café" })));
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
});

describe("parseCanonical", () => {
  it("round-trips canonical bytes", () => {
    const value = { z: [1, 2.5, "x"], a: { b: true } };
    expect(parseCanonical(canonicalBytes(value))).toEqual(value);
  });

  it("refuses duplicate keys, whitespace, unsorted keys, other number forms and invalid UTF-8", () => {
    const bad = ['{"a":1,"a":2}', '{"a": 1}', '{"b":1,"a":2}', '{"a":1.0}', '{"a":1E3}', '"\\u00e9"', "[1,]", " 1"];
    for (const text of bad) {
      expect(() => parseCanonical(Buffer.from(text)), text).toThrow(CanonicalJsonError);
    }
    expect(() => parseCanonical(Buffer.from([0x22, 0xff, 0x22]))).toThrow("UTF-8");
    expect(() => parseCanonical(Buffer.from([0xef, 0xbb, 0xbf, 0x31]))).toThrow(CanonicalJsonError);
  });
});
