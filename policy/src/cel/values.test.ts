import { describe, expect, test } from "vitest";
import { call, listCtx, policy } from "../../test/support.ts";
import { compilePolicySet } from "../compile.ts";
import type { CallContext, SessionCall } from "../context.ts";
import { AgentT, OperatorT } from "../context-schema.ts";
import { toCelValue } from "./values.ts";

describe("conversion cache", () => {
  test("a deeply frozen record is converted once", () => {
    const agent = listCtx().agent;
    expect(Object.isFrozen(agent)).toBe(true);
    expect(toCelValue(agent, AgentT)).toBe(toCelValue(agent, AgentT));
  });

  test("a record that is not frozen, or holds something that is not, is converted every time", () => {
    const agent = { id: "a", name: "a", trust: "first_party", labels: {}, owner: "" };
    expect(toCelValue(agent, AgentT)).not.toBe(toCelValue(agent, AgentT));
    const operator = Object.freeze({ sub: "", email: "", groups: ["x"], attributes: {} });
    expect(toCelValue(operator, OperatorT)).not.toBe(toCelValue(operator, OperatorT));
  });

  test("a session history changed in place is never judged stale", () => {
    const engine = compilePolicySet([
      policy({ id: "allow", effect: "allow" }),
      policy({
        id: "once",
        effect: "deny",
        condition: 'session.calls.exists(c, c.tool == "tool_a" && c.decision == "allow")',
      }),
    ]);
    const base = call();
    const calls: SessionCall[] = [];
    const ctx: CallContext = { ...base, session: { ...base.session, calls } };
    expect(engine.decide(ctx).outcome).toBe("allow");
    const held = { tool: "tool_a", decision: "require_approval" as SessionCall["decision"], at: new Date(), args: {} };
    calls.push(held);
    expect(engine.decide(ctx).outcome).toBe("allow");
    held.decision = "allow";
    expect(engine.decide(ctx).outcome).toBe("deny");
  });
});
