import { describe, expect, test } from "vitest";
import { call, listCtx, policy } from "../test/support.ts";
import { compilePolicySet } from "./compile.ts";
import type { AgentContext, DelegationHop } from "./context.ts";
import { decideForChain, listToolsForChain } from "./delegation.ts";
import { agents, cast, expenseReportPolicies, tools } from "./scenarios/expense-report.ts";

const origin: AgentContext = { id: "a-origin", name: "origin", trust: "first_party", labels: {}, owner: "team-o" };
const middle: AgentContext = { id: "a-middle", name: "middle", trust: "first_party", labels: {}, owner: "team-m" };
const actor: AgentContext = { id: "a-actor", name: "actor", trust: "third_party", labels: {}, owner: "vendor" };
const hop = (a: AgentContext): DelegationHop => ({ agent: a.name, trust: a.trust, owner: a.owner });
const chain = [hop(origin), hop(middle), hop(actor)];
const delegated = (tool = "tool_a") =>
  call({ agent: actor, delegation: { chain }, tool: { name: tool, upstream: "up" } });

describe("decideForChain", () => {
  const engine = compilePolicySet([
    policy({ id: "actor-all", effect: "allow", target: { agents: ["actor"], tools: ["*"] } }),
    policy({ id: "origin-a-b", effect: "allow", target: { agents: ["origin"], tools: ["tool_a", "tool_b"] } }),
    policy({ id: "middle-a", effect: "allow", target: { agents: ["middle"], tools: ["tool_a"] } }),
  ]);

  test("allowed when the actor and every delegator may make the call", () => {
    expect(decideForChain(engine, delegated("tool_a"), [origin, middle])).toMatchObject({
      outcome: "allow",
      code: "allowed",
      deciding: ["actor-all"],
    });
  });

  test("denied with delegator_denied when a delegator may not make the call itself", () => {
    const d = decideForChain(engine, delegated("tool_b"), [origin, middle]);
    expect(d).toMatchObject({ outcome: "deny", code: "delegator_denied" });
    expect(d.reason).toBe(
      "denied: delegator 'middle' may not call 'tool_b' itself (denied: no policy allows agent 'a-middle' to call 'tool_b')",
    );
  });

  test("the actor's own denial comes first", () => {
    const d = decideForChain(
      compilePolicySet([policy({ id: "origin-a-b", effect: "allow", target: { agents: ["origin"], tools: ["*"] } })]),
      delegated("tool_a"),
      [origin, middle],
    );
    expect(d.code).toBe("default_deny");
  });

  test("each delegator sees the chain up to itself", () => {
    const seen = compilePolicySet([
      policy({ id: "actor-all", effect: "allow", target: { agents: ["actor"], tools: ["*"] } }),
      policy({
        id: "origin-direct",
        effect: "allow",
        target: { agents: ["origin"], tools: ["*"] },
        condition: 'delegation.depth == 0 && delegation.chain[0].agent == "origin" && agent.name == "origin"',
      }),
      policy({
        id: "middle-second",
        effect: "allow",
        target: { agents: ["middle"], tools: ["*"] },
        condition: 'delegation.depth == 1 && delegation.chain[1].agent == "middle" && delegation.origin == "human"',
      }),
    ]);
    expect(decideForChain(seen, delegated(), [origin, middle]).outcome).toBe("allow");
  });

  test("a delegator that would need an approval denies the delegated call (fails closed)", () => {
    const held = compilePolicySet([
      policy({ id: "all", effect: "allow" }),
      policy({ id: "hold-origin", effect: "require_approval", target: { agents: ["origin"], tools: ["*"] } }),
    ]);
    const d = decideForChain(held, delegated(), [origin, middle]);
    expect(d).toMatchObject({ outcome: "deny", code: "delegator_denied", deciding: ["hold-origin"] });
    expect(d.reason).toContain("it would need an approval itself");
  });

  test("a chain that does not match the delegators denies with engine_error", () => {
    expect(decideForChain(engine, delegated(), [origin]).code).toBe("engine_error");
  });

  test("without delegators it is the engine's decision", () => {
    const ctx = call({ agent: actor });
    expect(decideForChain(engine, ctx, [])).toEqual(engine.decide(ctx));
  });
});

describe("listToolsForChain", () => {
  const engine = compilePolicySet([
    policy({ id: "actor-all", effect: "allow", target: { agents: ["actor"], tools: ["*"] } }),
    policy({ id: "origin-a-b", effect: "allow", target: { agents: ["origin"], tools: ["tool_a", "tool_b"] } }),
    policy({ id: "middle-a-c", effect: "allow", target: { agents: ["middle"], tools: ["tool_a", "tool_c"] } }),
  ]);
  const all = ["tool_a", "tool_b", "tool_c"].map((name) => ({
    name,
    upstream: "up",
    labels: {},
    annotations: { destructive: false, read_only: false, idempotent: false, open_world: false },
    definition_hash: "",
  }));

  test("lists only the tools the whole chain may call", () => {
    const ctx = listCtx({ agent: actor, delegation: { chain } });
    expect(listToolsForChain(engine, ctx, [origin, middle], all).map((t) => t.name)).toEqual(["tool_a"]);
    expect(engine.listTools(ctx, all)).toHaveLength(3);
  });

  test("a mismatched chain lists nothing", () => {
    expect(listToolsForChain(engine, listCtx({ agent: actor, delegation: { chain } }), [origin], all)).toEqual([]);
  });
});

describe("the expense-report scenario, delegated", () => {
  const engine = compilePolicySet(expenseReportPolicies);
  const scenarioChain = [hop(agents.expenseReport), hop(agents.ocrHelper)];
  const ctx = (tool: keyof typeof tools, args = {}) =>
    call({
      agent: agents.ocrHelper,
      operator: cast.alice,
      delegation: { chain: scenarioChain },
      tool: tools[tool],
      args,
    });

  test("ocr-helper-v2 for expense-report-v1 may run receipt_ocr", () => {
    expect(decideForChain(engine, ctx("receipt_ocr"), [agents.expenseReport]).outcome).toBe("allow");
  });

  test("and nothing else", () => {
    const d = decideForChain(engine, ctx("get_employee_cost_center", { employee_id: "alice@company.com" }), [
      agents.expenseReport,
    ]);
    expect(d).toMatchObject({ outcome: "deny", deciding: ["third-party-delegation-ocr-only"] });
  });
});
