import { describe, expect, test } from "vitest";
import { call, listCtx, policy } from "../test/support.ts";
import { compilePolicySet } from "./compile.ts";
import { buildToolContext, type JsonObject, type SessionInput } from "./context.ts";
import type { Policy } from "./policy.ts";

const toolA = buildToolContext({ name: "tool_a", upstream: "up", labels: { risk: "low" } });
const toolB = buildToolContext({ name: "tool_b", upstream: "up", annotations: { destructive: true } });
const tools = [toolA, toolB];
const listed = (policies: Policy[], ctx = listCtx()) =>
  compilePolicySet(policies)
    .listTools(ctx, tools)
    .map((t) => t.name);

const allowAll = policy({ id: "allow-all", effect: "allow" });

describe("list phase", () => {
  test("lists nothing without an allow (default deny)", () => {
    expect(listed([])).toEqual([]);
  });

  test("an allow or require_approval policy that may apply lists the tool", () => {
    expect(listed([allowAll])).toEqual(["tool_a", "tool_b"]);
    expect(
      listed([policy({ id: "h", effect: "require_approval", target: { agents: ["*"], tools: ["tool_a"] } })]),
    ).toEqual(["tool_a"]);
  });

  test("an unconditional deny hides the tool", () => {
    expect(
      listed([allowAll, policy({ id: "d", effect: "deny", target: { agents: ["*"], tools: ["tool_b"] } })]),
    ).toEqual(["tool_a"]);
  });

  test("a deny whose condition reads only who calls what is decided at list time", () => {
    expect(listed([allowAll, policy({ id: "d", effect: "deny", condition: "tool.annotations.destructive" })])).toEqual([
      "tool_a",
    ]);
    expect(
      listed([allowAll, policy({ id: "d", effect: "deny", condition: '"engineering" in operator.groups' })]),
    ).toEqual([]);
    expect(listed([allowAll, policy({ id: "d", effect: "deny", condition: 'agent.labels.team == "sales"' })])).toEqual([
      "tool_a",
      "tool_b",
    ]);
  });

  test("an allow whose list-time condition is false does not list", () => {
    expect(listed([policy({ id: "a", effect: "allow", condition: "tool.labels.risk == 'low'" })])).toEqual(["tool_a"]);
  });

  test("conditions on args or session may match: an allow lists, a deny does not hide", () => {
    expect(listed([policy({ id: "a", effect: "allow", condition: "args.amount < 10" })])).toEqual(["tool_a", "tool_b"]);
    expect(listed([allowAll, policy({ id: "d", effect: "deny", condition: 'session.called("tool_a")' })])).toEqual([
      "tool_a",
      "tool_b",
    ]);
    expect(listed([allowAll, policy({ id: "d", effect: "deny", condition: "now.getHours() > 18" })])).toEqual([
      "tool_a",
      "tool_b",
    ]);
  });

  test("a part known at list time decides when && / || make the unknown part irrelevant", () => {
    const deny = (condition: string) => listed([allowAll, policy({ id: "d", effect: "deny", condition })]);
    expect(deny('tool.annotations.destructive || session.called("x")')).toEqual(["tool_a"]);
    expect(deny('session.called("x") || tool.annotations.destructive')).toEqual(["tool_a"]);
    expect(deny('tool.annotations.destructive && session.called("x")')).toEqual(["tool_a", "tool_b"]);
    const allow = (condition: string) => listed([policy({ id: "a", effect: "allow", condition })]);
    expect(allow("tool.annotations.destructive && args.x == 1")).toEqual(["tool_b"]);
    expect(allow("!tool.annotations.destructive || args.x == 1")).toEqual(["tool_a", "tool_b"]);
  });

  test("a list-time condition that errors hides for a deny and does not list for an allow", () => {
    expect(listed([allowAll, policy({ id: "d", effect: "deny", condition: "agent.labels.missing == 'x'" })])).toEqual(
      [],
    );
    expect(listed([policy({ id: "a", effect: "allow", condition: "agent.labels.missing == 'x'" })])).toEqual([]);
  });

  test("shadow policies do not change the list", () => {
    expect(listed([allowAll, policy({ id: "d", effect: "deny", mode: "shadow" })])).toEqual(["tool_a", "tool_b"]);
    expect(listed([policy({ id: "a", effect: "allow", mode: "shadow" })])).toEqual([]);
  });

  test("targets apply at list time as at call time", () => {
    const only = policy({ id: "a", effect: "allow", target: { agents: ["label:team=finance"], tools: ["up/tool_a"] } });
    expect(listed([only])).toEqual(["tool_a"]);
    expect(listed([only], listCtx({ agent: { id: "x", labels: { team: "sales" } } }))).toEqual([]);
  });

  test("a verdict that does not depend on the caller is reused; one that does is not", () => {
    // Reads only call-time data: the same verdict for every caller (computed once, then reused).
    const e = compilePolicySet([allowAll, policy({ id: "d", effect: "deny", condition: 'session.called("x")' })]);
    for (let i = 0; i < 3; i++) expect(e.listTools(listCtx(), tools).map((t) => t.name)).toEqual(["tool_a", "tool_b"]);
    // Reads the agent: decided per caller, every time.
    const byTeam = compilePolicySet([
      allowAll,
      policy({ id: "d", effect: "deny", condition: 'agent.labels.team == "sales" || args.x == 1' }),
    ]);
    const sales = listCtx({ agent: { id: "s", labels: { team: "sales" } } });
    expect(byTeam.listTools(listCtx(), tools)).toHaveLength(2);
    expect(byTeam.listTools(sales, tools)).toHaveLength(0);
    expect(byTeam.listTools(listCtx(), tools)).toHaveLength(2);
    // A constant condition reads nothing at all: reused, and still right.
    const never = compilePolicySet([allowAll, policy({ id: "d", effect: "deny", condition: "1 == 2" })]);
    expect(never.listTools(sales, tools)).toHaveLength(2);
    expect(never.listTools(listCtx(), tools)).toHaveLength(2);
  });

  test("returns the caller's tool objects, in order", () => {
    const e = compilePolicySet([allowAll]);
    const out = e.listTools(listCtx(), tools);
    expect(out[0]).toBe(toolA);
    expect(out[1]).toBe(toolB);
  });
});

describe("soundness: a hidden tool is never allowed at call time", () => {
  const conditions = [
    "",
    "tool.annotations.destructive",
    "!tool.annotations.destructive",
    '"engineering" in operator.groups',
    'agent.labels.team == "finance"',
    "args.x == 1",
    'session.called("tool_a")',
    'tool.annotations.destructive || session.called("tool_b")',
    "tool.annotations.destructive && args.x == 1",
    "!tool.annotations.destructive || args.x == 2",
    "agent.labels.missing == 'x'",
    "args.y",
    "now.getHours() >= 10",
  ];
  const effects = ["allow", "deny", "require_approval"] as const;

  // A small deterministic PRNG, so a failure reproduces.
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };

  const calls: { args: JsonObject; session: SessionInput }[] = [
    { args: {}, session: {} },
    { args: { x: 1 }, session: {} },
    { args: { x: 2, y: true }, session: { calls: [{ tool: "tool_a", decision: "allow" as const }] } },
    { args: { y: true }, session: { calls: [{ tool: "tool_b", decision: "allow" as const }] } },
  ];

  test("over 300 random policy sets", () => {
    let hiddenChecked = 0;
    for (let round = 0; round < 300; round++) {
      const policies = Array.from({ length: 1 + rand(4) }, (_, i) =>
        policy({
          id: `p${i}`,
          effect: effects[rand(3)] as Policy["effect"],
          condition: conditions[rand(conditions.length)] as string,
          target: { agents: ["*"], tools: rand(2) === 0 ? ["*"] : [rand(2) === 0 ? "tool_a" : "tool_b"] },
        }),
      );
      const engine = compilePolicySet(policies);
      const visible = new Set(engine.listTools(listCtx(), tools).map((t) => t.name));
      for (const tool of tools) {
        if (visible.has(tool.name)) continue;
        hiddenChecked++;
        for (const c of calls) {
          const d = engine.decide(
            call({
              tool: { name: tool.name, upstream: tool.upstream, labels: tool.labels, annotations: tool.annotations },
              ...c,
            }),
          );
          expect({ round, tool: tool.name, policies, outcome: d.outcome }).toMatchObject({ outcome: "deny" });
        }
      }
    }
    expect(hiddenChecked).toBeGreaterThan(100);
  });
});
