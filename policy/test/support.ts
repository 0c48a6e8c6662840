// Small builders for tests: a policy with defaults, and call/list contexts for one agent and one tool.
import {
  buildCallContext,
  buildListContext,
  type CallContext,
  type CallContextInput,
  type ListContext,
  type Policy,
} from "../src/index.ts";

export function policy(p: Partial<Policy> & Pick<Policy, "id" | "effect">): Policy {
  return {
    name: p.id,
    description: "",
    target: { agents: ["*"], tools: ["*"] },
    condition: "",
    mode: "enforce",
    priority: 0,
    ...p,
  };
}

const base: CallContextInput = {
  agent: { id: "agent-1", trust: "first_party", labels: { team: "finance" }, owner: "finance" },
  operator: {
    sub: "u1",
    email: "alice@company.com",
    groups: ["engineering"],
    department: "engineering",
    manager: "bob@company.com",
    cost_center: "eng-team-001",
    delegation_limit: 500,
  },
  tool: { name: "tool_a", upstream: "up" },
  request: { time: "2026-03-02T10:00:00Z", source: "10.0.0.1", protocol: "mcp", era: "2025-11-25" },
};

export function call(over: Partial<CallContextInput> = {}): CallContext {
  return buildCallContext({ ...base, ...over }, new Date("2026-03-02T10:00:00Z"));
}

export function listCtx(over: Partial<CallContextInput> = {}): ListContext {
  return buildListContext({ ...base, ...over });
}
