import { describe, expect, test } from "vitest";
import { call, policy } from "../test/support.ts";
import { compilePolicy, compilePolicySet, inferExpressionType, PolicySetError } from "./compile.ts";
import { formatPolicyError, type PolicyError } from "./policy.ts";

const errorsOf = (input: unknown): readonly PolicyError[] => {
  const r = compilePolicy(input);
  return r.ok ? [] : r.errors;
};

describe("compilePolicy (validate on save)", () => {
  test("accepts a valid policy and normalizes defaults", () => {
    const r = compilePolicy({ id: "p1", name: "P1", effect: "allow", target: { agents: ["*"], tools: ["*"] } });
    expect(r).toEqual({
      ok: true,
      policy: {
        id: "p1",
        name: "P1",
        description: "",
        target: { agents: ["*"], tools: ["*"] },
        effect: "allow",
        condition: "",
        mode: "enforce",
        priority: 0,
      },
    });
    expect(r.ok && Object.isFrozen(r.policy)).toBe(true);
  });

  test("an unknown variable is refused with the policy and the position", () => {
    const errors = errorsOf(
      policy({ id: "p1", name: "Refund cap", effect: "deny", condition: 'agent.id == "x" &&\n  user.email == "y"' }),
    );
    expect(errors).toEqual([
      {
        policy: "p1",
        name: "Refund cap",
        field: "condition",
        message: "undeclared reference to 'user'",
        line: 2,
        column: 3,
      },
    ]);
    expect(formatPolicyError(errors[0] as PolicyError)).toBe(
      "policy 'p1' (Refund cap): condition 2:3: undeclared reference to 'user'",
    );
  });

  test.each([
    ["a misspelt field", "operator.emial == 'x'", /undefined field 'emial' on Operator/],
    ["a type error", "agent.id == 5", /cannot compare string with int/],
    ["a wrong argument type", "session.count(1) > 0", /no matching overload for 'Session.count' applied to \(int\)/],
    ["a non-boolean condition", "agent.id", /must evaluate to bool, but evaluates to string/],
    ["a function we do not offer", "agent.id.replace('a', 'b') == ''", /undeclared method 'replace'/],
    ["a message literal", "google.protobuf.Duration{seconds: 1} == duration('1s')", /message construction/],
    ["a syntax error", "agent.id ==", /syntax error/],
    ["mismatched ?: branches", "(agent.id == 'a' ? 1 : 'b') == 1", /branches of \?: have different types/],
    ["iterating a string", "agent.id.all(c, c == 'a')", /cannot iterate over string/],
    ["a field of a scalar", "agent.id.length == 1", /type string has no field 'length'/],
  ])("%s is a compile error", (_name, condition, message) => {
    const errors = errorsOf(policy({ id: "p", effect: "deny", condition }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ policy: "p", field: "condition", message: expect.stringMatching(message) });
    expect(errors[0]?.line).toBeGreaterThanOrEqual(1);
    expect(errors[0]?.column).toBeGreaterThanOrEqual(1);
  });

  test("the column points at the error", () => {
    expect(errorsOf(policy({ id: "p", effect: "deny", condition: "agent.id == 5" }))[0]).toMatchObject({
      line: 1,
      column: 10,
    });
    expect(errorsOf(policy({ id: "p", effect: "deny", condition: "true &&\n  nope" }))[0]).toMatchObject({
      line: 2,
      column: 3,
    });
    expect(errorsOf(policy({ id: "p", effect: "deny", condition: "1 +" }))[0]).toMatchObject({ line: 1, column: 3 });
  });

  test("every problem is reported, not just the first", () => {
    const errors = errorsOf(policy({ id: "p", effect: "deny", condition: "a == 1 && b == 2" }));
    expect(errors.map((e) => e.message)).toEqual(["undeclared reference to 'a'", "undeclared reference to 'b'"]);
  });

  test("dyn (tool arguments) is checked at run time, not refused", () => {
    expect(compilePolicy(policy({ id: "p", effect: "deny", condition: "args.amount + 1.0 > args.limit" })).ok).toBe(
      true,
    );
    expect(compilePolicy(policy({ id: "p", effect: "deny", condition: "args.flag" })).ok).toBe(true);
  });

  test("absurd sources are refused, not crashed on", () => {
    const deep = `${"(".repeat(5000)}true${")".repeat(5000)}`;
    expect(errorsOf(policy({ id: "p", effect: "deny", condition: deep }))[0]?.message).toMatch(
      /nested too deeply|longer than/,
    );
    expect(
      errorsOf(policy({ id: "p", effect: "deny", condition: `${"true || ".repeat(3000)}true` }))[0]?.message,
    ).toMatch(/longer than 16384/);
  });

  test.each([
    ["no id", { name: "x", effect: "allow", target: { agents: ["*"], tools: ["*"] } }, "id"],
    ["a bad id", { id: "has space", name: "x", effect: "allow", target: { agents: ["*"], tools: ["*"] } }, "id"],
    ["no name", { id: "p", effect: "allow", target: { agents: ["*"], tools: ["*"] } }, "name"],
    ["an unknown effect", { id: "p", name: "x", effect: "maybe", target: { agents: ["*"], tools: ["*"] } }, "effect"],
    [
      "an unknown mode",
      { id: "p", name: "x", effect: "allow", mode: "dry", target: { agents: ["*"], tools: ["*"] } },
      "mode",
    ],
    [
      "a fractional priority",
      { id: "p", name: "x", effect: "allow", priority: 1.5, target: { agents: ["*"], tools: ["*"] } },
      "priority",
    ],
    ["no target", { id: "p", name: "x", effect: "allow" }, "target"],
    [
      "an empty agent list",
      { id: "p", name: "x", effect: "allow", target: { agents: [], tools: ["*"] } },
      "target.agents",
    ],
    [
      "a bad label selector",
      { id: "p", name: "x", effect: "allow", target: { agents: ["label:team"], tools: ["*"] } },
      "target.agents",
    ],
    [
      "a blank tool name",
      { id: "p", name: "x", effect: "allow", target: { agents: ["*"], tools: [" "] } },
      "target.tools",
    ],
    [
      "a non-string condition",
      { id: "p", name: "x", effect: "allow", condition: 1, target: { agents: ["*"], tools: ["*"] } },
      "condition",
    ],
    [
      "approvers on an allow",
      { id: "p", name: "x", effect: "allow", approvers: "operator.manager", target: { agents: ["*"], tools: ["*"] } },
      "approvers",
    ],
  ])("%s is refused", (_name, input, field) => {
    expect(errorsOf(input).map((e) => e.field)).toContain(field);
  });

  test("approvers must yield a string or a list of strings", () => {
    const hold = (approvers: string) => policy({ id: "h", effect: "require_approval", approvers });
    expect(compilePolicy(hold("operator.manager")).ok).toBe(true);
    expect(compilePolicy(hold("[operator.manager, 'security@company.com']")).ok).toBe(true);
    expect(errorsOf(hold("operator.delegation_limit"))[0]).toMatchObject({
      field: "approvers",
      message: "must evaluate to a string or list(string), but evaluates to double",
    });
  });
});

describe("compilePolicySet", () => {
  test("refuses the whole set, listing every error with its policy", () => {
    let thrown: unknown;
    try {
      compilePolicySet([
        policy({ id: "ok", effect: "allow" }),
        policy({ id: "bad-cel", effect: "deny", condition: "nope" }),
        policy({ id: "ok", effect: "deny" }),
        { id: "shape" },
      ]);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(PolicySetError);
    const errors = (thrown as PolicySetError).errors;
    expect(errors.map((e) => `${e.policy}:${e.field}`).sort()).toEqual(
      ["bad-cel:condition", "ok:id", "shape:effect", "shape:name", "shape:target"].sort(),
    );
    expect((thrown as Error).message).toContain(
      "policy 'bad-cel' (bad-cel): condition 1:1: undeclared reference to 'nope'",
    );
  });

  test("returns an immutable engine exposing its policies in evaluation order", () => {
    const e = compilePolicySet([
      policy({ id: "b", effect: "allow" }),
      policy({ id: "a", effect: "deny", priority: 1 }),
    ]);
    expect(e.policies.map((p) => p.id)).toEqual(["a", "b"]);
    expect(Object.isFrozen(e)).toBe(true);
    expect(Object.isFrozen(e.policies)).toBe(true);
    expect(Object.isFrozen(e.limits)).toBe(true);
  });

  test("later changes to the input objects do not change the engine", () => {
    const input = { ...policy({ id: "a", effect: "allow" }), target: { agents: ["*"], tools: ["*"] } };
    const e = compilePolicySet([input]);
    (input as { effect: string }).effect = "deny";
    input.target.tools.length = 0;
    expect(e.decide(call()).outcome).toBe("allow");
  });
});

test("an empty approvers string means not set, on any effect", () => {
  for (const effect of ["allow", "deny", "require_approval"]) {
    const r = compilePolicy({ id: "p", name: "p", target: { agents: ["*"], tools: ["*"] }, effect, approvers: "" });
    expect(r.ok).toBe(true);
  }
  const bad = compilePolicy({
    id: "p",
    name: "p",
    target: { agents: ["*"], tools: ["*"] },
    effect: "allow",
    approvers: "operator.manager",
  });
  expect(bad.ok).toBe(false);
});

describe("inferExpressionType (editor hints)", () => {
  test.each([
    ['session.count("receipt_ocr") == 0', "bool"],
    ["agent.name", "string"],
    ["operator.groups", "list(string)"],
    ["[operator.manager]", "list(string)"],
  ])("%s : %s", (source, type) => {
    expect(inferExpressionType(source)).toBe(type);
  });

  test("is undefined for empty, unparsable or ill-typed expressions", () => {
    expect(inferExpressionType("  ")).toBeUndefined();
    expect(inferExpressionType("agent.name >")).toBeUndefined();
    expect(inferExpressionType("agent.name > 5")).toBeUndefined();
    expect(inferExpressionType("nobody.here")).toBeUndefined();
  });
});
