import { describe, expect, test } from "vitest";
import { RECORDS, VARIABLES } from "../context-schema.ts";
import { compileExpression, createExpressionEnv } from "./expression.ts";
import { formatType, T } from "./types.ts";

const env = createExpressionEnv(VARIABLES, RECORDS);
const typeOf = (source: string) => {
  const r = compileExpression(env, source, [T.dyn], "anything");
  if (!r.ok) return `error: ${r.issues.map((i) => i.message).join("; ")}`;
  return formatType(r.expression.type);
};

describe("type inference", () => {
  test.each([
    ["agent.labels", "map(string, string)"],
    ["operator.groups", "list(string)"],
    ["delegation.chain[0]", "DelegationHop"],
    ["delegation.chain.map(h, h.agent)", "list(string)"],
    ["session.calls.filter(c, c.decision == 'allow')", "list(SessionCall)"],
    ["session.calls.exists_one(c, c.tool == 'x')", "bool"],
    ["session.counts['x'] + 1", "int"],
    ["args.x", "dyn"],
    ["args.x.y.z", "dyn"],
    ["{'a': 1, 'b': 2}", "map(string, int)"],
    ["[1, 'a']", "list(dyn)"],
    ["[]", "list(dyn)"],
    ["now - session.started_at", "duration"],
    ["now + duration('1h')", "timestamp"],
    ["has(operator.manager)", "bool"],
    ["tool['name']", "string"],
    ["agent.id.split('-')", "list(string)"],
    ["type(1) == int", "bool"],
    ["1 < 2.0 && 2u > 1", "bool"],
    ["money('1.00')", "double"],
    ["'x' in agent.labels", "bool"],
    ["agent.labels.all(k, k.startsWith('a'))", "bool"],
  ])("%s : %s", (source, type) => {
    expect(typeOf(source)).toBe(type);
  });

  test.each([
    ["tool['nope']", "undefined field 'nope' on Tool"],
    ["operator.groups[0] + 1", "no matching overload for '+' applied to (string, int)"],
    ["operator.groups['x']", "list index must be int, got string"],
    ["1 in operator.groups", "cannot look for int in list(string)"],
    ["!agent.id", "operand of ! must be bool, got string"],
    ["agent.id && true", "operand of && must be bool, got string"],
    ["agent.id ? 1 : 2", "condition of ?: must be bool, got string"],
    ["session.calls.all(c, c.tool)", "macro predicate must be bool, got string"],
    ["session.calls.exists(c, c.tool)", "macro predicate must be bool, got string"],
    ["session.calls.filter(c, c.tool).size() > 0", "macro predicate must be bool, got string"],
    ["session.calls.exists_one(c, c.at)", "macro predicate must be bool, got timestamp"],
    ["size(1)", "no matching overload for 'size' applied to (int)"],
    ["nosuch(1)", "undeclared function 'nosuch'"],
    ["{[1]: 2}", "map keys must be string, int, uint or bool"],
  ])("%s is refused: %s", (source, message) => {
    expect(typeOf(source)).toContain(message);
  });
});
