import { describe, expect, it } from "vitest";
import { compileHttpMapping, type HttpMapping, planRequest } from "./http-mapping.ts";

function compile(http: unknown, reserved: string[] = []): HttpMapping {
  const result = compileHttpMapping(http, reserved);
  if (!result.ok) throw new Error(result.error);
  return result.mapping;
}

describe("http mapping", () => {
  it("POST: path placeholders URL-encoded, the other arguments as the JSON body", () => {
    const m = compile({ method: "POST", path: "/reports/{reportId}/submit" });
    expect(planRequest(m, { reportId: "a/b c?", amount: 12.5, note: { x: [1] } })).toEqual({
      ok: true,
      request: {
        method: "POST",
        path: "/reports/a%2Fb%20c%3F/submit",
        headers: {},
        body: '{"amount":12.5,"note":{"x":[1]}}',
      },
    });
    expect(planRequest(m, { reportId: 7 })).toMatchObject({
      ok: true,
      request: { path: "/reports/7/submit", body: "{}" },
    });
  });

  it("GET and DELETE: the other arguments as query parameters (lists repeat), no body", () => {
    const m = compile({ method: "GET", path: "/employees/{id}" });
    expect(planRequest(m, { id: "alice@company.com", fields: ["a", "b"], active: true })).toEqual({
      ok: true,
      request: { method: "GET", path: "/employees/alice%40company.com?fields=a&fields=b&active=true", headers: {} },
    });
    expect(planRequest(compile({ method: "DELETE", path: "/x" }), {})).toEqual({
      ok: true,
      request: { method: "DELETE", path: "/x", headers: {} },
    });
    expect(planRequest(m, { id: "x", filter: { a: 1 } })).toMatchObject({
      ok: false,
      message: /filter goes in the query/,
    });
  });

  it("honours explicit places, including headers", () => {
    const m = compile({
      method: "POST",
      path: "/r/{id}",
      arguments: { id: "path", page: "query", "X-Trace": "header", note: "body" },
    });
    expect(planRequest(m, { id: "1", page: 2, "X-Trace": "abc", note: "n", other: 1 })).toEqual({
      ok: true,
      request: { method: "POST", path: "/r/1?page=2", headers: { "x-trace": "abc" }, body: '{"note":"n","other":1}' },
    });
    expect(planRequest(m, { id: "1", "X-Trace": "a\r\nInjected: yes" })).toMatchObject({ ok: false });
  });

  it("refuses missing, structured, empty and dot-segment path arguments", () => {
    const m = compile({ method: "GET", path: "/files/{name}" });
    for (const args of [{}, { name: { a: 1 } }, { name: null }, { name: "" }, { name: ".." }, { name: "." }]) {
      expect(planRequest(m, args as Record<string, unknown>).ok, JSON.stringify(args)).toBe(false);
    }
  });

  it("refuses mappings that cannot be honoured safely", () => {
    expect(compileHttpMapping(null).ok).toBe(false);
    expect(compileHttpMapping({ method: "FETCH", path: "/x" }).ok).toBe(false);
    expect(compileHttpMapping({ method: "GET", path: "x" }).ok).toBe(false);
    expect(compileHttpMapping({ method: "GET", path: "/x?y=1" }).ok).toBe(false);
    expect(compileHttpMapping({ method: "GET", path: "/x/{a}", arguments: { a: "query" } }).ok).toBe(false);
    expect(compileHttpMapping({ method: "GET", path: "/x", arguments: { b: "path" } }).ok).toBe(false);
    for (const header of ["Authorization", "Cookie", "Host", "Portcullis-Assertion", "X-Api-Key"]) {
      expect(
        compileHttpMapping({ method: "GET", path: "/x", arguments: { [header]: "header" } }, ["x-api-key"]).ok,
        header,
      ).toBe(false);
    }
  });
});
