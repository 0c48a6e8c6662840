import { describe, expect, test } from "vitest";
import { call, listCtx, policy } from "../../test/support.ts";
import { compilePolicySet } from "../compile.ts";
import type { CallContext, SessionCall } from "../context.ts";
import { buildSessionContext } from "../context.ts";
import { AgentT, OperatorT, SessionT } from "../context-schema.ts";
import { T } from "./types.ts";
import { noteListExtends, toCelValue } from "./values.ts";

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

  test("a growing ledger history is built and converted incrementally, and stays exact", () => {
    // A ledger's live history: frozen records, appended to between decisions.
    const history: { tool: string; decision: SessionCall["decision"]; at: Date; args: Record<string, never> }[] = [];
    const record = (tool: string, decision: SessionCall["decision"]) =>
      Object.freeze({ tool, decision, at: new Date(1_700_000_000_000 + history.length * 1000), args: {} });
    const tools = (v: unknown) => {
      const calls = (toCelValue(v, SessionT) as ReadonlyMap<string, unknown>).get("calls");
      return [...(calls as Iterable<ReadonlyMap<string, unknown>>)].map((c) => c.get("tool"));
    };
    for (let i = 0; i < 5; i++) history.push(record(`t${i}`, "allow"));
    const first = buildSessionContext({ calls: history });
    expect(tools(first)).toEqual(["t0", "t1", "t2", "t3", "t4"]);
    history.push(record("t5", "deny"));
    const second = buildSessionContext({ calls: history });
    // The earlier calls are the same objects; the new one is added; earlier contexts are unchanged.
    expect(second.calls[0]).toBe(first.calls[0]);
    expect(second.calls.map((c) => c.tool)).toEqual(["t0", "t1", "t2", "t3", "t4", "t5"]);
    expect(first.calls).toHaveLength(5);
    expect(tools(second)).toEqual(["t0", "t1", "t2", "t3", "t4", "t5"]);
    expect(tools(first)).toEqual(["t0", "t1", "t2", "t3", "t4"]);
    expect({ ...second.counts }).toEqual({ t0: 1, t1: 1, t2: 1, t3: 1, t4: 1 });
    // Replaced in place (not appended): rebuilt from scratch, never judged on the old element.
    history[2] = record("replaced", "allow");
    const third = buildSessionContext({ calls: history });
    expect(third.calls.map((c) => c.tool)).toEqual(["t0", "t1", "replaced", "t3", "t4", "t5"]);
    expect(tools(third)).toEqual(["t0", "t1", "replaced", "t3", "t4", "t5"]);
    expect({ ...third.counts }).toMatchObject({ replaced: 1 });
    expect(third.counts.t2).toBeUndefined();
    // Shortened: rebuilt too.
    history.length = 2;
    expect(tools(buildSessionContext({ calls: history }))).toEqual(["t0", "t1"]);
  });

  test("a history with records that are not frozen is rebuilt on every decision", () => {
    const open = { tool: "a", decision: "allow" as SessionCall["decision"], at: new Date(), args: {} };
    const history = [Object.freeze({ ...open, tool: "frozen" }), open];
    expect(buildSessionContext({ calls: history }).calls.map((c) => c.tool)).toEqual(["frozen", "a"]);
    open.tool = "b";
    history.push(Object.freeze({ ...open, tool: "c" }));
    expect(buildSessionContext({ calls: history }).calls.map((c) => c.tool)).toEqual(["frozen", "b", "c"]);
  });

  test("a list claimed to extend another is trusted only when it really begins with its elements", () => {
    const a = Object.freeze({ id: "a", name: "a", trust: "first_party", labels: Object.freeze({}), owner: "" });
    const b = Object.freeze({ ...a, id: "b", name: "b" });
    const c = Object.freeze({ ...a, id: "c", name: "c" });
    const ids = (v: unknown) =>
      [...(toCelValue(v, T.list(AgentT)) as Iterable<ReadonlyMap<string, unknown>>)].map((x) => x.get("id"));
    const base = Object.freeze([a, b]);
    expect(ids(base)).toEqual(["a", "b"]);
    const honest = Object.freeze([a, b, c]);
    noteListExtends(honest, base);
    expect(ids(honest)).toEqual(["a", "b", "c"]);
    const lying = Object.freeze([c, b, a]);
    noteListExtends(lying, base);
    expect(ids(lying)).toEqual(["c", "b", "a"]);
  });
});
