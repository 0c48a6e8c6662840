import { describe, expect, it, test } from "vitest";
import {
  annotationsFromMcp,
  buildCallContext,
  buildListContext,
  countAllowedCalls,
  operatorFromDirectory,
} from "./context.ts";

describe("context builders", () => {
  test("fill least-privilege defaults", () => {
    const ctx = buildCallContext({ agent: { id: "a1" }, tool: { name: "t" } }, new Date("2026-01-01T00:00:00Z"));
    expect(ctx.agent).toEqual({ id: "a1", name: "a1", trust: "third_party", labels: {}, owner: "" });
    expect(ctx.operator).toEqual({ sub: "", email: "", groups: [], attributes: {} });
    expect(ctx.delegation).toEqual({
      chain: [{ agent: "a1", trust: "third_party", owner: "" }],
      depth: 0,
      origin: "human",
    });
    expect(ctx.tool.annotations).toEqual({
      destructive: false,
      read_only: false,
      idempotent: false,
      open_world: false,
    });
    expect(ctx.session).toMatchObject({
      calls: [],
      approvals: [],
      taints: [],
      started_at: new Date("2026-01-01T00:00:00Z"),
    });
    expect(ctx.request).toMatchObject({ time: new Date("2026-01-01T00:00:00Z"), protocol: "mcp" });
    expect(ctx.args).toEqual({});
  });

  test("derive the delegation depth from the chain", () => {
    const ctx = buildListContext({
      agent: { id: "helper" },
      delegation: {
        chain: [
          { agent: "main", trust: "first_party", owner: "x" },
          { agent: "helper", trust: "third_party", owner: "y" },
        ],
      },
    });
    expect(ctx.delegation.depth).toBe(1);
  });

  test("count only the calls that went through", () => {
    const at = new Date();
    const counts = countAllowedCalls([
      { tool: "a", decision: "allow", at, args: {} },
      { tool: "a", decision: "deny", at, args: {} },
      { tool: "a", decision: "require_approval", at, args: {} },
      { tool: "b", decision: "allow", at, args: {} },
      { tool: "__proto__", decision: "allow", at, args: {} },
    ]);
    expect({ ...counts }).toEqual({ a: 1, b: 1, ["__proto__"]: 1 });
  });

  test("MCP annotations count only when stated explicitly", () => {
    expect(annotationsFromMcp({})).toEqual({
      destructive: false,
      read_only: false,
      idempotent: false,
      open_world: false,
    });
    expect(annotationsFromMcp({ destructiveHint: true, readOnlyHint: false })).toMatchObject({ destructive: true });
    expect(annotationsFromMcp({ readOnlyHint: true, openWorldHint: true })).toMatchObject({
      read_only: true,
      open_world: true,
    });
  });
});

describe("operatorFromDirectory", () => {
  it("lifts the well-known attributes into typed fields and keeps the rest", () => {
    const op = operatorFromDirectory({
      subject: "alice@company.com",
      email: "alice@company.com",
      department: "engineering",
      manager: "bob@company.com",
      costCenter: "eng-team-001",
      groups: ["eng"],
      attributes: { delegation_limit: 500, badge: "A1" },
    });
    expect(op).toEqual({
      sub: "alice@company.com",
      email: "alice@company.com",
      department: "engineering",
      manager: "bob@company.com",
      cost_center: "eng-team-001",
      delegation_limit: 500,
      groups: ["eng"],
      attributes: { delegation_limit: 500, badge: "A1" },
    });
    const sparse = operatorFromDirectory({
      subject: "c",
      email: "c",
      department: null,
      manager: null,
      costCenter: null,
      groups: [],
      attributes: { delegation_limit: "lots" },
    });
    expect(sparse).not.toHaveProperty("delegation_limit");
    expect(sparse).not.toHaveProperty("manager");
  });
});
