// era.ts on its own: which era a request is served in (T07's classification table), the Base64 sentinel of the
// mirror headers, and which x-mcp-header annotations make a tool's Mcp-Param-{name} headers.
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { checkParamHeaders, classifyEra, decodeHeaderValue, paramHeadersOf } from "./era.ts";

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const withMeta = (version: unknown) => ({ _meta: { "io.modelcontextprotocol/protocolVersion": version } });

describe("era classification", () => {
  it("T07: the header's version decides, the body's _meta version must equal it", () => {
    const cases: [Record<string, string>, string, Record<string, unknown>, unknown][] = [
      [{}, "tools/list", {}, { kind: "legacy" }],
      [{ "mcp-protocol-version": "2025-11-25" }, "tools/list", {}, { kind: "legacy" }],
      [{ "mcp-protocol-version": "2025-06-18" }, "tools/call", withMeta("2025-06-18"), { kind: "legacy" }],
      [
        { "mcp-protocol-version": "2026-07-28" },
        "tools/list",
        withMeta("2026-07-28"),
        { kind: "modern", version: "2026-07-28" },
      ],
      // Modern by header even without the _meta (which the modern checks then require: -32602).
      [{ "mcp-protocol-version": "2026-07-28" }, "tools/list", {}, { kind: "modern", version: "2026-07-28" }],
      // A legacy initialize negotiates in its params; an unknown header on it changes nothing (as before).
      [{ "mcp-protocol-version": "1999-01-01" }, "initialize", {}, { kind: "legacy" }],
    ];
    for (const [headers, method, params, expected] of cases)
      expect(classifyEra(req(headers), method, params)).toEqual(expected);

    const code = (headers: Record<string, string>, method: string, params: Record<string, unknown>) => {
      const era = classifyEra(req(headers), method, params);
      return era.kind === "reject" ? era.error.code : era.kind;
    };
    expect(code({ "mcp-protocol-version": "1999-01-01" }, "tools/list", {})).toBe(-32022);
    expect(code({ "mcp-protocol-version": "1999-01-01" }, "initialize", withMeta("1999-01-01"))).toBe(-32022);
    expect(code({}, "tools/list", withMeta("2026-07-28"))).toBe(-32020);
    expect(code({ "mcp-protocol-version": "2026-07-28" }, "tools/list", withMeta("2025-11-25"))).toBe(-32020);
    expect(code({ "mcp-protocol-version": "2025-11-25" }, "tools/list", withMeta("2026-07-28"))).toBe(-32020);
    expect(code({ "mcp-protocol-version": "2026-07-28" }, "tools/list", withMeta(20260728))).toBe(-32020);
    const unsupported = classifyEra(req({ "mcp-protocol-version": "x".repeat(500) }), "tools/list", {});
    expect(unsupported).toMatchObject({
      kind: "reject",
      error: { data: { supported: ["2026-07-28", "2025-11-25", "2025-06-18"], requested: "x".repeat(100) } },
    });
  });
});

describe("mirror header values", () => {
  it("decodes the =?base64?…?= sentinel (strict Base64 of UTF-8) and refuses unsafe plain values", () => {
    const examples: [string, string][] = [
      ["us-west1", "us-west1"],
      ["=?base64?SGVsbG8sIOS4lueVjA==?=", "Hello, 世界"],
      ["=?base64?IHBhZGRlZCA=?=", " padded "],
      ["=?base64?bGluZTEKbGluZTI=?=", "line1\nline2"],
      ["=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=", "=?base64?literal?="],
      ["=?base64??=", ""],
      ["=?BASE64?eA==?=", "=?BASE64?eA==?="],
    ];
    for (const [raw, value] of examples) expect(decodeHeaderValue(raw)).toEqual({ ok: true, value });
    expect(decodeHeaderValue("=?base64?eA?=")).toEqual({ ok: false, why: "is not valid Base64" });
    expect(decodeHeaderValue("=?base64?e A=?=")).toEqual({ ok: false, why: "is not valid Base64" });
    expect(decodeHeaderValue("=?base64?gA==?=")).toEqual({ ok: false, why: "is not Base64 of UTF-8" });
    expect(decodeHeaderValue("caf\u00e9")).toEqual({ ok: false, why: "contains invalid characters" });
    expect(decodeHeaderValue("a\u0001b")).toEqual({ ok: false, why: "contains invalid characters" });
  });
});

describe("x-mcp-header annotations", () => {
  it("collects annotations reachable through properties only; breaking a constraint invalidates the definition", () => {
    expect(
      paramHeadersOf({
        type: "object",
        properties: {
          region: { type: "string", "x-mcp-header": "Region" },
          nested: { type: "object", properties: { id: { type: "integer", "x-mcp-header": "Id" } } },
          list: {
            type: "array",
            items: { type: "object", properties: { x: { type: "string", "x-mcp-header": "X" } } },
          },
        },
      }),
    ).toEqual({
      ok: true,
      headers: [
        { name: "Region", path: ["region"] },
        { name: "Id", path: ["nested", "id"] },
      ],
    });
    const invalid = [
      { a: { type: "string", "x-mcp-header": "" } },
      { a: { type: "string", "x-mcp-header": "Bad Name" } },
      { a: { type: "number", "x-mcp-header": "N" } },
      { a: { type: "string", "x-mcp-header": "Dup" }, b: { type: "string", "x-mcp-header": "dup" } },
      { a: { type: "string", "x-mcp-header": 5 } },
    ];
    for (const properties of invalid) expect(paramHeadersOf({ type: "object", properties })).toEqual({ ok: false });
  });

  it("checks each annotated value against its header: integers numerically, booleans as true/false", () => {
    const schema = {
      type: "object",
      properties: {
        n: { type: "integer", "x-mcp-header": "N" },
        b: { type: "boolean", "x-mcp-header": "B" },
      },
    };
    const check = (headers: Record<string, string>, args: Record<string, unknown>) =>
      checkParamHeaders(req(headers), schema, args)?.code;
    expect(check({ "mcp-param-n": "42", "mcp-param-b": "true" }, { n: 42, b: true })).toBeUndefined();
    expect(check({ "mcp-param-n": "4.2e1" }, { n: 42 })).toBeUndefined();
    expect(check({ "mcp-param-n": "-7" }, { n: -7 })).toBeUndefined();
    expect(check({ "mcp-param-n": "0x2a" }, { n: 42 })).toBe(-32020);
    expect(check({ "mcp-param-b": "True" }, { b: true })).toBe(-32020);
    expect(check({ "mcp-param-b": "false" }, { b: true })).toBe(-32020);
    expect(check({}, { n: 1 })).toBe(-32020);
    expect(check({}, {})).toBeUndefined();
    // An invalid definition has no headers to check (clients drop such tools).
    expect(
      checkParamHeaders(req({}), { properties: { a: { type: "number", "x-mcp-header": "A" } } }, { a: 1 }),
    ).toBeUndefined();
  });
});
