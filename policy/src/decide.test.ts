import { describe, expect, test } from "vitest";
import { call, policy } from "../test/support.ts";
import { digestArgs } from "./approvals.ts";
import { compilePolicySet } from "./compile.ts";
import type { Policy } from "./policy.ts";

const allowAll = policy({ id: "allow-all", effect: "allow" });
const decide = (policies: Policy[], ctx = call()) => compilePolicySet(policies).decide(ctx);

describe("combining", () => {
  test("default deny when nothing applies", () => {
    const d = decide([]);
    expect(d).toMatchObject({ outcome: "deny", code: "default_deny", deciding: [], evaluated: [] });
    expect(d.reason).toBe("denied: no policy allows agent 'agent-1' to call 'tool_a'");
  });

  test("an allow that matches allows", () => {
    expect(decide([allowAll])).toMatchObject({ outcome: "allow", code: "allowed", deciding: ["allow-all"] });
  });

  test("deny overrides require_approval overrides allow", () => {
    const hold = policy({ id: "hold", effect: "require_approval" });
    const deny = policy({ id: "deny", effect: "deny", description: "no" });
    expect(decide([allowAll, hold]).outcome).toBe("require_approval");
    expect(decide([allowAll, hold, deny])).toMatchObject({
      outcome: "deny",
      code: "denied_by_policy",
      deciding: ["deny"],
    });
    expect(decide([hold]).outcome).toBe("require_approval");
  });

  test("an allow whose condition is false does not allow", () => {
    const d = decide([policy({ id: "a", effect: "allow", condition: "args.x == 1" })], call({ args: { x: 2 } }));
    expect(d).toMatchObject({ outcome: "deny", code: "default_deny", matched: [], evaluated: ["a"] });
    expect(d.reason).toContain("not matched: 'a'");
  });

  test("the human reason names the deciding policy and its description", () => {
    const d = decide([
      allowAll,
      policy({ id: "ocr-once-per-session", effect: "deny", description: "receipt_ocr may be called once per session" }),
    ]);
    expect(d.reason).toBe("denied by policy 'ocr-once-per-session': receipt_ocr may be called once per session");
  });
});

describe("priority", () => {
  test("orders evaluation and explanation: higher first, then id", () => {
    const d = decide([
      policy({ id: "b", effect: "allow", priority: 5 }),
      policy({ id: "a", effect: "allow", priority: 5 }),
      policy({ id: "z", effect: "allow", priority: 10 }),
      policy({ id: "low", effect: "allow", priority: -1 }),
    ]);
    expect(d.evaluated).toEqual(["z", "a", "b", "low"]);
    expect(d.deciding).toEqual(["z", "a", "b", "low"]);
    expect(d.reason).toBe("allowed by policy 'z'");
  });

  test("never lets an allow beat a deny", () => {
    const d = decide([
      policy({ id: "allow-high", effect: "allow", priority: 1_000_000 }),
      policy({ id: "deny-low", effect: "deny", priority: -1_000_000 }),
    ]);
    expect(d).toMatchObject({ outcome: "deny", deciding: ["deny-low"] });
  });

  test("picks which of several matching denies the reason names", () => {
    const d = decide([
      allowAll,
      policy({ id: "deny-a", effect: "deny", priority: 1, description: "A" }),
      policy({ id: "deny-b", effect: "deny", priority: 2, description: "B" }),
    ]);
    expect(d.deciding).toEqual(["deny-b", "deny-a"]);
    expect(d.reason).toBe("denied by policy 'deny-b': B (and 1 more)");
  });
});

describe("errors fail closed", () => {
  const cases: { name: string; condition: string; args?: Record<string, unknown> }[] = [
    { name: "runtime error (division by zero)", condition: "1 / (args.n - args.n) > 0", args: { n: 1 } },
    { name: "no such overload at run time (string vs int)", condition: "args.amount > 5", args: { amount: "lots" } },
    { name: "missing argument", condition: 'args.recipient == "bob"' },
    { name: "missing context field (operator without manager)", condition: 'operator.manager == "bob"' },
    { name: "non-boolean result", condition: "args.flag", args: { flag: "yes" } },
    { name: "non-boolean result (null)", condition: "args.flag", args: { flag: null } },
  ];
  const noManager = (args: Record<string, unknown> = {}) =>
    call({
      args: args as never,
      operator: { sub: "u", email: "alice@company.com", groups: [] },
    });

  test.each(cases)("$name: in a deny rule → matched → deny", ({ condition, args }) => {
    const d = decide([allowAll, policy({ id: "d", effect: "deny", condition })], noManager(args));
    expect(d.outcome).toBe("deny");
    expect(d.code).toBe("denied_by_error");
    expect(d.deciding).toEqual(["d"]);
    expect(d.errors).toHaveLength(1);
    expect(d.errors[0]?.policy).toBe("d");
    expect(d.results.find((r) => r.id === "d")).toMatchObject({ matched: true, error: expect.any(String) });
    expect(d.reason).toMatch(/^denied by policy 'd': its condition could not be evaluated/);
  });

  test.each(cases)("$name: in an allow rule → not matched → default deny", ({ condition, args }) => {
    const d = decide([policy({ id: "a", effect: "allow", condition })], noManager(args));
    expect(d).toMatchObject({ outcome: "deny", code: "default_deny", matched: [] });
    expect(d.errors.map((e) => e.policy)).toEqual(["a"]);
  });

  test.each(cases)("$name: in a require_approval rule → matched → held", ({ condition, args }) => {
    const d = decide([allowAll, policy({ id: "h", effect: "require_approval", condition })], noManager(args));
    expect(d).toMatchObject({ outcome: "require_approval", code: "approval_required", deciding: ["h"] });
    expect(d.errors).toHaveLength(1);
  });

  test("a genuine deny is reported before an erroring one", () => {
    const d = decide([
      allowAll,
      policy({ id: "broken", effect: "deny", priority: 10, condition: "args.n / 0 > 1", description: "B" }),
      policy({ id: "real", effect: "deny", condition: "true", description: "R" }),
    ]);
    expect(d.code).toBe("denied_by_policy");
    expect(d.reason).toBe("denied by policy 'real': R (and 1 more)");
  });

  test("an error in a policy that does not decide is still recorded", () => {
    const d = decide([allowAll, policy({ id: "a2", effect: "allow", condition: "args.missing" })]);
    expect(d.outcome).toBe("allow");
    expect(d.errors).toEqual([{ policy: "a2", mode: "enforce", message: expect.stringContaining("missing") }]);
  });
});

describe("shadow mode", () => {
  const shadowDeny = policy({ id: "stricter", effect: "deny", mode: "shadow", condition: "args.amount > 100" });

  test("is evaluated and recorded but never changes the outcome", () => {
    const d = decide([allowAll, shadowDeny], call({ args: { amount: 500 } }));
    expect(d.outcome).toBe("allow");
    expect(d.evaluated).toContain("stricter");
    expect(d.matched).not.toContain("stricter");
    expect(d.shadow).toMatchObject({
      outcome: "deny",
      code: "denied_by_policy",
      deciding: ["stricter"],
      matched: ["stricter"],
      differs: true,
    });
  });

  test("reports no difference when the shadow policy does not match", () => {
    const d = decide([allowAll, shadowDeny], call({ args: { amount: 50 } }));
    expect(d.shadow).toMatchObject({ outcome: "allow", matched: [], differs: false });
  });

  test("a shadow allow cannot allow", () => {
    const d = decide([policy({ id: "s", effect: "allow", mode: "shadow" })]);
    expect(d.outcome).toBe("deny");
    expect(d.shadow).toMatchObject({ outcome: "allow", differs: true });
  });

  test("a shadow policy's error is recorded and does not change the outcome", () => {
    const d = decide([allowAll, policy({ id: "s", effect: "deny", mode: "shadow", condition: "args.nope" })]);
    expect(d.outcome).toBe("allow");
    expect(d.errors).toEqual([{ policy: "s", mode: "shadow", message: expect.any(String) }]);
    expect(d.shadow?.code).toBe("denied_by_error");
  });

  test("there is no shadow report when no shadow policy applies", () => {
    expect(decide([allowAll]).shadow).toBeUndefined();
  });
});

describe("targets", () => {
  const only = (agents: string[], tools: string[]) =>
    compilePolicySet([policy({ id: "p", effect: "allow", target: { agents, tools } })]);

  test.each([
    [["agent-1"], ["tool_a"], true],
    [["agent-2"], ["tool_a"], false],
    [["agent-1"], ["tool_b"], false],
    [["*"], ["*"], true],
    [["label:team=finance"], ["*"], true],
    [["label:team=sales"], ["*"], false],
    [["*"], ["up/tool_a"], true],
    [["*"], ["other/tool_a"], false],
    [["*"], ["label:risk=high"], true],
    [["*"], ["label:risk=low"], false],
  ])("agents %j tools %j → applies: %s", (agents, tools, applies) => {
    const d = only(agents, tools).decide(call({ tool: { name: "tool_a", upstream: "up", labels: { risk: "high" } } }));
    expect(d.evaluated.length === 1).toBe(applies);
  });

  test("only the policies whose target matches are evaluated", () => {
    const policies = Array.from({ length: 50 }, (_, i) =>
      policy({ id: `p${i}`, effect: "allow", target: { agents: ["*"], tools: [`tool_${i}`] } }),
    );
    const d = decide([
      ...policies,
      policy({ id: "mine", effect: "allow", target: { agents: ["agent-1"], tools: ["tool_a"] } }),
    ]);
    expect(d.evaluated).toEqual(["mine"]);
  });

  test("a policy listed under several matching selectors is evaluated once", () => {
    const d = decide([
      policy({
        id: "p",
        effect: "allow",
        target: { agents: ["agent-1", "label:team=finance", "*"], tools: ["tool_a", "*"] },
      }),
    ]);
    expect(d.evaluated).toEqual(["p"]);
  });
});

describe("approvals", () => {
  const hold = policy({
    id: "manager-approval",
    effect: "require_approval",
    condition: "money(args.amount) > operator.delegation_limit",
    approvers: "operator.manager",
    description: "above the delegation limit",
  });
  const args = { amount: 1200, cost_center: "eng-team-001" };
  const grant = (over: Record<string, unknown> = {}) => ({
    id: "g1",
    tool: "tool_a",
    args_digest: digestArgs(args),
    approver: "bob@company.com",
    policy: "manager-approval",
    ...over,
  });

  test("a hold names the approvers and binds to the exact arguments", () => {
    const d = decide([allowAll, hold], call({ args }));
    expect(d).toMatchObject({ outcome: "require_approval", code: "approval_required", adaptable: true });
    expect(d.approval).toEqual({
      status: "required",
      args_digest: digestArgs(args),
      requests: [{ policy: "manager-approval", approvers: ["bob@company.com"] }],
    });
    expect(d.reason).toBe(
      "approval by bob@company.com required by policy 'manager-approval': above the delegation limit",
    );
  });

  test("a matching grant lets the same call through and names the grant to consume", () => {
    const d = decide([allowAll, hold], call({ args, session: { approvals: [grant()] } }));
    expect(d).toMatchObject({ outcome: "allow", code: "approved", deciding: ["manager-approval"] });
    expect(d.approval).toEqual({ status: "granted", args_digest: digestArgs(args), grants: ["g1"] });
  });

  test("the digest ignores key order", () => {
    expect(digestArgs({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(digestArgs({ b: [1, { d: 3, c: 2 }], a: 1 }));
  });

  test.each([
    ["other arguments (1300)", { args_digest: digestArgs({ ...args, amount: 1300 }) }],
    ["another tool", { tool: "tool_b" }],
    ["another policy", { policy: "other" }],
    ["someone who may not approve", { approver: "mallory@evil.example" }],
  ])("a grant for %s does not apply", (_name, over) => {
    const d = decide([allowAll, hold], call({ args, session: { approvals: [grant(over)] } }));
    expect(d.outcome).toBe("require_approval");
  });

  test("a deny still overrides an approved call", () => {
    const d = decide(
      [allowAll, hold, policy({ id: "no", effect: "deny" })],
      call({ args, session: { approvals: [grant()] } }),
    );
    expect(d.outcome).toBe("deny");
  });

  test("approvers that fail to evaluate are recorded and no grant can satisfy them", () => {
    const broken = { ...hold, approvers: "args.approver" };
    const d = decide([allowAll, broken], call({ args, session: { approvals: [grant()] } }));
    expect(d.outcome).toBe("require_approval");
    expect(d.errors).toEqual([
      { policy: "manager-approval", mode: "enforce", message: expect.stringMatching(/^approvers:/) },
    ]);
  });
});

describe("adaptable", () => {
  test("a deny on who calls which tool is hard", () => {
    const d = decide([allowAll, policy({ id: "d", effect: "deny", condition: 'agent.trust == "first_party"' })]);
    expect(d.adaptable).toBe(false);
  });

  test("a deny that depends on the arguments or the session can be adapted to", () => {
    expect(
      decide([allowAll, policy({ id: "d", effect: "deny", condition: "args.x == 1" })], call({ args: { x: 1 } }))
        .adaptable,
    ).toBe(true);
    expect(
      decide(
        [allowAll, policy({ id: "d", effect: "deny", condition: 'session.called("tool_a")' })],
        call({ session: { calls: [{ tool: "tool_a", decision: "allow" }] } }),
      ).adaptable,
    ).toBe(true);
  });

  test("a default deny is adaptable only when some allow depends on the call", () => {
    expect(decide([]).adaptable).toBe(false);
    expect(decide([policy({ id: "a", effect: "allow", condition: 'agent.id == "x"' })]).adaptable).toBe(false);
    expect(decide([policy({ id: "a", effect: "allow", condition: "args.x == 1" })]).adaptable).toBe(true);
  });
});

describe("context", () => {
  test("session.count counts calls that went through, per session", () => {
    const p = [allowAll, policy({ id: "twice", effect: "deny", condition: 'session.count("tool_a") >= 2' })];
    const calls = [
      { tool: "tool_a", decision: "allow" as const },
      { tool: "tool_a", decision: "deny" as const },
      { tool: "tool_b", decision: "allow" as const },
    ];
    expect(decide(p, call({ session: { calls } })).outcome).toBe("allow");
    expect(decide(p, call({ session: { calls: [...calls, calls[0] as (typeof calls)[0]] } })).outcome).toBe("deny");
  });

  test("time, delegation, taints and env are readable", () => {
    const p = [
      policy({
        id: "a",
        effect: "allow",
        condition: [
          "now == request.time",
          "now.getHours() == 10",
          "now - session.started_at < duration('1h')",
          "delegation.depth == 0 && delegation.origin == 'human'",
          "delegation.chain[0].agent == agent.id",
          "!('read_sensitive_data' in session.taints)",
          "env.gateway == 'gw-1' && env.node_labels.region == 'eu'",
          "request.protocol == 'mcp'",
        ].join(" && "),
      }),
    ];
    const d = decide(p, call({ env: { gateway: "gw-1", node_labels: { region: "eu" } } }));
    expect(d.errors).toEqual([]);
    expect(d.outcome).toBe("allow");
  });

  test("a context value of the wrong type reads as missing (and fails closed)", () => {
    const ctx = call();
    const bad = { ...ctx, delegation: { ...ctx.delegation, depth: 0.5 } };
    const d = compilePolicySet([policy({ id: "a", effect: "allow", condition: "delegation.depth == 0" })]).decide(bad);
    expect(d.outcome).toBe("deny");
    expect(d.errors).toHaveLength(1);
  });
});
