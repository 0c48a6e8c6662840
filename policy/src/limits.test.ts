// Z03 (shared/design/SECURITY-TESTS.md): hostile inputs and costly policies end in a deny with their own reason
// code, before or during evaluation, without a stack overflow. No timing assertions (shared CI machine): the input
// checks are shown to run before any policy is evaluated, and the evaluation budget in steps is deterministic.
import { describe, expect, test } from "vitest";
import { call, policy } from "../test/support.ts";
import { compilePolicySet } from "./compile.ts";
import type { JsonObject, JsonValue } from "./context.ts";
import { checkArgs, DEFAULT_LIMITS } from "./limits.ts";

const allowAll = policy({ id: "allow-all", effect: "allow" });
const itemsRule = policy({ id: "small-items", effect: "deny", condition: "!args.items.all(x, x.size() < 100)" });
const regexRule = policy({ id: "no-secrets", effect: "deny", condition: "args.text.matches('(a+)+$')" });
const engine = compilePolicySet([allowAll, itemsRule, regexRule]);

function nested(depth: number): JsonObject {
  let v: JsonValue = "leaf";
  for (let i = 0; i < depth; i++) v = [v];
  return { items: v as JsonValue[] };
}

describe("Z03: hostile arguments are refused before evaluation", () => {
  test("a 1,000,000-element list → limit_exceeded:args_too_large", () => {
    const items = Array.from({ length: 1_000_000 }, () => "x");
    const d = engine.decide(call({ args: { items } }));
    expect(d).toMatchObject({ outcome: "deny", code: "limit_exceeded:args_too_large", evaluated: [] });
    expect(d.reason).toContain("more than 100000 values");
  });

  test("50,000-deep nesting → limit_exceeded:args_too_deep, no stack overflow", () => {
    const d = engine.decide(call({ args: nested(50_000) }));
    expect(d).toMatchObject({ outcome: "deny", code: "limit_exceeded:args_too_deep", evaluated: [] });
  });

  test("a 10 MB string for a policy using matches() → limit_exceeded:args_too_large", () => {
    const d = engine.decide(call({ args: { text: "a".repeat(10 * 1024 * 1024) } }));
    expect(d).toMatchObject({ outcome: "deny", code: "limit_exceeded:args_too_large", evaluated: [] });
  });

  test("arguments that are not JSON data → invalid_args", () => {
    for (const args of [{ f: () => 1 }, { n: Number.NaN }, { d: new Date() }, { u: undefined }, Object.create(null)]) {
      const d = engine.decide(call({ args: args as JsonObject }));
      expect(d).toMatchObject({ outcome: "deny", code: "invalid_args", evaluated: [] });
    }
  });

  test("the same shapes within the limits are evaluated normally", () => {
    expect(engine.decide(call({ args: { items: ["a", "b"], text: "hello" } })).outcome).toBe("allow");
    expect(engine.decide(call({ args: { items: Array.from({ length: 1000 }, () => "x"), text: "b" } })).outcome).toBe(
      "allow",
    );
  });
});

describe("evaluation budget", () => {
  const quadratic = policy({
    id: "pairwise",
    effect: "deny",
    condition: "args.items.exists(x, args.items.exists(y, x == y + 1.0 && x == y - 1.0))",
  });

  test("a comprehension blow-up → limit_exceeded:eval_cost, and deny even if the policy is an allow", () => {
    const items = Array.from({ length: 2000 }, (_, i) => i);
    const lenient = { maxEvalMillis: 60_000 };
    const asDeny = compilePolicySet([allowAll, quadratic], { limits: lenient }).decide(call({ args: { items } }));
    expect(asDeny).toMatchObject({ outcome: "deny", code: "limit_exceeded:eval_cost", deciding: ["pairwise"] });
    expect(asDeny.errors[0]?.message).toContain(`${DEFAULT_LIMITS.maxEvalSteps} steps`);
    const asAllow = compilePolicySet([{ ...quadratic, effect: "allow" }], { limits: lenient }).decide(
      call({ args: { items } }),
    );
    expect(asAllow.code).toBe("limit_exceeded:eval_cost");
  });

  test("the step budget is a setting", () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const small = compilePolicySet([allowAll, quadratic], { limits: { maxEvalSteps: 50 } });
    expect(small.decide(call({ args: { items } })).code).toBe("limit_exceeded:eval_cost");
    const roomy = compilePolicySet([allowAll, quadratic], { limits: { maxEvalSteps: 1000 } });
    expect(roomy.decide(call({ args: { items } })).code).toBe("allowed");
  });

  test("the time budget → limit_exceeded:eval_time", () => {
    const e = compilePolicySet([allowAll, quadratic], { limits: { maxEvalMillis: 0 } });
    const d = e.decide(call({ args: { items: Array.from({ length: 500 }, (_, i) => i) } }));
    expect(d).toMatchObject({ outcome: "deny", code: "limit_exceeded:eval_time" });
  });

  test("matches() on a string longer than maxRegexInput → limit_exceeded:eval_cost", () => {
    const text = "a".repeat(DEFAULT_LIMITS.maxRegexInput + 1);
    const d = engine.decide(call({ args: { text } }));
    expect(d).toMatchObject({ outcome: "deny", code: "limit_exceeded:eval_cost", deciding: ["no-secrets"] });
    expect(d.reason).toContain("matches() input");
  });

  test("matches() charges the budget in proportion to its input", () => {
    const e = compilePolicySet([allowAll, regexRule], { limits: { maxEvalSteps: 100 } });
    expect(e.decide(call({ args: { text: "b".repeat(64 * 50) } })).code).toBe("allowed");
    expect(e.decide(call({ args: { text: "b".repeat(64 * 200) } })).code).toBe("limit_exceeded:eval_cost");
  });

  test("limit codes are distinct from every other reason code", () => {
    const items = Array.from({ length: 2000 }, (_, i) => i);
    const other = compilePolicySet([allowAll, policy({ id: "err", effect: "deny", condition: "args.nope" })]).decide(
      call(),
    );
    const limited = compilePolicySet([allowAll, quadratic], { limits: { maxEvalMillis: 60_000 } }).decide(
      call({ args: { items } }),
    );
    expect(other.code).toBe("denied_by_error");
    expect(limited.code).not.toBe(other.code);
  });

  test("a shadow policy that blows its budget never affects the live outcome", () => {
    const items = Array.from({ length: 2000 }, (_, i) => i);
    const e = compilePolicySet([allowAll, { ...quadratic, mode: "shadow" }], { limits: { maxEvalMillis: 60_000 } });
    const d = e.decide(call({ args: { items } }));
    expect(d).toMatchObject({ outcome: "allow", code: "allowed" });
    expect(d.shadow).toMatchObject({ outcome: "deny", code: "denied_by_error" });
    expect(d.errors[0]).toMatchObject({ policy: "pairwise", mode: "shadow" });
  });
});

describe("checkArgs", () => {
  const limits = { ...DEFAULT_LIMITS, maxArgsNodes: 10, maxArgsDepth: 3, maxArgsSize: 100 };
  test.each([
    ["a scalar", { a: 1 }, true],
    ["a short list", { a: [1, 2, 3] }, true],
    ["3 levels", { a: { b: { c: 1 } } }, true],
    ["4 levels", { a: { b: { c: { d: 1 } } } }, "args_too_deep"],
    ["11 values", { a: Array.from({ length: 11 }, () => 1) }, "args_too_large"],
    ["a long string", { a: "x".repeat(100) }, "args_too_large"],
    ["a long key", { ["k".repeat(100)]: 1 }, "args_too_large"],
    ["an array at the top", [1], "args_invalid"],
    ["a bigint", { a: 1n }, "args_invalid"],
  ])("%s → %s", (_name, args, expected) => {
    const r = checkArgs(args, limits);
    expect(r.ok ? true : r.problem).toBe(expected);
  });
});
