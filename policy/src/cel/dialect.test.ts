import { describe, expect, test } from "vitest";
import { call, policy } from "../../test/support.ts";
import { CallBindings } from "../bindings.ts";
import { compilePolicySet } from "../compile.ts";
import { RECORDS, VARIABLES } from "../context-schema.ts";
import { money, normalizePath, pathWithin, SIGNATURES } from "./dialect.ts";
import { compileExpression, createExpressionEnv } from "./expression.ts";
import { Meter } from "./meter.ts";
import { T } from "./types.ts";

describe("money()", () => {
  test.each([
    [127.5, 127.5],
    ["127.50", 127.5],
    [" 500 ", 500],
    ["-3.25", -3.25],
    [7000n, 7000],
  ])("%s → %s", (input, out) => {
    expect(money(input)).toBe(out);
  });

  test.each([["$127.50"], ["1,200.00"], ["12e3"], [""], ["abc"], [Number.POSITIVE_INFINITY], [null], [true]])(
    "%s is an error",
    (input) => {
      expect(() => money(input)).toThrow(/money\(\)/);
    },
  );

  test("in a policy: a double or a decimal string compares the same; garbage fails closed", () => {
    const engine = compilePolicySet([
      policy({ id: "allow", effect: "allow" }),
      policy({ id: "cap", effect: "deny", condition: "money(args.amount) > 500.0" }),
    ]);
    expect(engine.decide(call({ args: { amount: 127.5 } })).outcome).toBe("allow");
    expect(engine.decide(call({ args: { amount: "127.50" } })).outcome).toBe("allow");
    expect(engine.decide(call({ args: { amount: "500.01" } })).outcome).toBe("deny");
    expect(engine.decide(call({ args: { amount: "five hundred" } })).code).toBe("denied_by_error");
  });
});

describe("normalize_path() and path_within()", () => {
  test.each([
    ["/a/b/../c", "/a/c"],
    ["/a/./b//c/", "/a/b/c"],
    ["/../../etc/passwd", "/etc/passwd"],
    ["a/../../b", "../b"],
    ["reports\\..\\secrets", "secrets"],
    ["", "."],
    ["/", "/"],
  ])("normalize_path(%j) = %j", (p, out) => {
    expect(normalizePath(p)).toBe(out);
  });

  test.each([
    ["/data/reports/q1.csv", "/data/reports", true],
    ["/data/reports", "/data/reports", true],
    ["/data/reports/../secrets/k", "/data/reports", false],
    ["/data/reports-old/x", "/data/reports", false],
    ["reports/../../etc", "reports", false],
    ["docs/a.md", ".", true],
    ["../a.md", ".", false],
    ["/abs", "rel", false],
    ["/anything", "/", true],
  ])("path_within(%j, %j) = %s", (p, base, out) => {
    expect(pathWithin(p, base)).toBe(out);
  });

  test("a NUL byte is an error", () => {
    expect(() => normalizePath("/a\0/b")).toThrow(/NUL/);
  });
});

describe("strings and regexes", () => {
  const allowIf = (condition: string, args: Record<string, unknown>) =>
    compilePolicySet([policy({ id: "a", effect: "allow", condition })]).decide(call({ args: args as never })).outcome;

  test("the kept string extension functions work", () => {
    expect(allowIf("args.s.lowerAscii().startsWith('abc')", { s: "ABCdef" })).toBe("allow");
    expect(allowIf("args.s.split('/').size() == 3", { s: "a/b/c" })).toBe("allow");
    expect(allowIf("args.s.trim().indexOf('x') == 0", { s: "  x" })).toBe("allow");
    expect(allowIf("['a', 'b'].join('-') == args.s", { s: "a-b" })).toBe("allow");
    expect(allowIf("args.s.size() == 3", { s: "héé" })).toBe("allow");
    expect(allowIf("size(args.s) == 2", { s: "😀😀" })).toBe("allow");
  });

  test("matches() uses RE2 syntax and both call forms", () => {
    expect(allowIf("args.s.matches('^[a-z]+@company\\\\.com$')", { s: "alice@company.com" })).toBe("allow");
    expect(allowIf("matches(args.s, '^[a-z]+@company\\\\.com$')", { s: "alice@evil.example" })).toBe("deny");
    expect(allowIf("args.s.matches('(')", { s: "x" })).toBe("deny");
  });
});

describe("every signature the checker accepts is implemented at run time", () => {
  const sample: Record<string, string> = {
    int: "1",
    uint: "1u",
    double: "1.0",
    string: "'UTC'",
    bytes: "b'a'",
    bool: "true",
    timestamp: "timestamp('2026-01-01T00:00:00Z')",
    duration: "duration('1s')",
    "list<A>": "[1]",
    "list<string>": "['a']",
    "map<K, V>": "{'a': 1}",
    A: "1",
    Session: "session",
  };
  const OPERATORS: Record<string, (a: string[]) => string> = {
    "_+_": ([a, b]) => `${a} + ${b}`,
    "_-_": ([a, b]) => `${a} - ${b}`,
    "_*_": ([a, b]) => `${a} * ${b}`,
    "_/_": ([a, b]) => `${a} / ${b}`,
    "_%_": ([a, b]) => `${a} % ${b}`,
    "_<_": ([a, b]) => `${a} < ${b}`,
    "_<=_": ([a, b]) => `${a} <= ${b}`,
    "_>_": ([a, b]) => `${a} > ${b}`,
    "_>=_": ([a, b]) => `${a} >= ${b}`,
    "-_": ([a]) => `-(${a})`,
    "!_": ([a]) => `!${a}`,
  };
  const env = createExpressionEnv(VARIABLES, RECORDS);
  const cases = SIGNATURES.map((sig) => {
    const m = /^(.+?)\((.*)\):/.exec(sig) as RegExpExecArray;
    const head = m[1] as string;
    const params = (m[2] as string)
      .split(/,(?![^<]*>)/)
      .map((p) => p.trim())
      .filter((p) => p !== "");
    const dot = head.lastIndexOf(".");
    const name = dot >= 0 ? head.slice(dot + 1) : head;
    const receiver = dot >= 0 ? head.slice(0, dot) : undefined;
    const args = params.map((p) => sample[p] ?? `<${p}>`);
    const op = OPERATORS[name];
    const source = op
      ? op(args)
      : receiver !== undefined
        ? `(${sample[receiver] ?? `<${receiver}>`}).${name}(${args.join(", ")})`
        : `${name}(${args.join(", ")})`;
    return [sig, source] as const;
  });

  test.each(cases)("%s  ←  %s", (_sig, source) => {
    const compiled = compileExpression(env, source, [T.dyn], "anything");
    if (!compiled.ok) throw new Error(compiled.issues.map((i) => i.message).join("; "));
    const out = compiled.expression.evaluate(
      new CallBindings(call()),
      new Meter({ maxSteps: 1000, maxMillis: 1000, maxRegexInput: 1000 }),
    );
    if (!out.ok) expect(out.error).not.toMatch(/unbound function|no matching overload|unsupported/);
  });
});
