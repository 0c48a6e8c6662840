// Saving a policy compiles it with the data plane's engine; simulation answers with the same engine.
import { expenseReportPolicies } from "@portcullis/policy/scenarios/expense-report";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app-harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

// Targets a tool nobody calls, so these policies do not interfere with the simulation below.
const base = { target: { agents: ["*"], tools: ["compile_test_only"] }, effect: "deny" };

describe("Z04 policies are compiled when saved", () => {
  it("refuses invalid CEL with its position, and creates nothing", async () => {
    const res = await t.call("POST", "/api/v1/policies", {
      body: { ...base, name: "broken", condition: "args.amount >\n  " },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_policy");
    expect(res.body.error.fields[0]).toMatchObject({
      field: "body.condition",
      line: expect.any(Number),
      column: expect.any(Number),
    });
    expect((await t.call("GET", "/api/v1/policies?q=broken")).body.items).toEqual([]);
  });

  it("refuses an unknown variable and a type error, naming the position", async () => {
    const unknown = await t.call("POST", "/api/v1/policies", {
      body: { ...base, name: "unknown-var", condition: "user.name == 'x'" },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields[0]).toMatchObject({ field: "body.condition", line: 1, column: 1 });
    expect(unknown.body.error.message).toMatch(/undeclared reference to 'user'/);
    const typed = await t.call("POST", "/api/v1/policies", {
      body: { ...base, name: "type-error", condition: "agent.name > 5" },
    });
    expect(typed.status).toBe(400);
    expect(typed.body.error.fields[0].field).toBe("body.condition");
  });

  it("keeps the old version when an update does not compile", async () => {
    const p = await t.call("POST", "/api/v1/policies", { body: { ...base, name: "stable", condition: "true" } });
    expect(p.status).toBe(201);
    const bad = await t.call("PATCH", `/api/v1/policies/${p.body.id}`, { body: { condition: "session.count(" } });
    expect(bad.status).toBe(400);
    const versions = await t.call("GET", `/api/v1/policies/${p.body.id}/versions`);
    expect(versions.body.items).toHaveLength(1);
  });
});

describe("simulation", () => {
  beforeAll(async () => {
    await t.call("POST", "/api/v1/agents", {
      body: { name: "expense-report-v1", owner: "finance-platform", trust: "first_party" },
    });
    await t.call("POST", "/api/v1/operators", {
      body: {
        subject: "alice@company.com",
        email: "alice@company.com",
        department: "engineering",
        manager: "bob@company.com",
        costCenter: "eng-team-001",
        attributes: { delegation_limit: 500 },
      },
    });
    const up = await t.call("POST", "/api/v1/upstreams", {
      body: { name: "accounting", kind: "http", url: "http://127.0.0.1:9/" },
    });
    const tool = await t.call("POST", "/api/v1/tools", {
      body: { upstreamId: up.body.id, name: "create_expense_report", http: { method: "POST", path: "/reports" } },
    });
    expect(tool.status, JSON.stringify(tool.body)).toBe(201);
    for (const p of expenseReportPolicies) {
      const { id: _id, ...content } = p;
      const res = await t.call("POST", "/api/v1/policies", { role: "security", body: content });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  });

  const simulate = (body: Record<string, unknown>) =>
    t.call("POST", "/api/v1/policies/simulate", {
      role: "auditor",
      body: { agent: "expense-report-v1", operator: "alice@company.com", tool: "create_expense_report", ...body },
    });

  it("explains an allowed, a held and a denied expense report exactly as the scenario says", async () => {
    const ok = await simulate({
      args: { employee_id: "alice@company.com", amount: 127.5, cost_center: "eng-team-001", receipt_text: "x" },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ listed: true, decision: { outcome: "allow", code: "allowed" } });
    const held = await simulate({
      args: { employee_id: "alice@company.com", amount: 1200, cost_center: "eng-team-001", receipt_text: "x" },
    });
    expect(held.body.decision).toMatchObject({ outcome: "require_approval", code: "approval_required" });
    expect(held.body.decision.approval.requests[0].approvers).toEqual(["bob@company.com"]);
    const denied = await simulate({
      args: { employee_id: "alice@company.com", amount: 7000, cost_center: "eng-team-001", receipt_text: "x" },
    });
    expect(denied.body.decision).toMatchObject({ outcome: "deny", code: "denied_by_policy" });
    expect(denied.body.decision.reason).toMatch(/^denied by policy 'expense-hard-cap'/);
    const second = await simulate({
      args: { employee_id: "alice@company.com", amount: 10, cost_center: "eng-team-001", receipt_text: "x" },
      session: { calls: [{ tool: "create_expense_report", decision: "allow" }] },
    });
    expect(second.body.decision.outcome).toBe("deny");
  });

  it("evaluates a draft in place of the saved policy without saving it", async () => {
    const list = await t.call("GET", "/api/v1/policies?q=expense-agent-tools");
    const allow = list.body.items[0];
    const draft = { id: allow.id, name: allow.name, target: allow.target, effect: "allow", condition: "false" };
    const res = await simulate({
      args: { employee_id: "alice@company.com", amount: 127.5, cost_center: "eng-team-001", receipt_text: "x" },
      draft,
    });
    expect(res.body.decision).toMatchObject({ outcome: "deny", code: "default_deny" });
    const broken = await simulate({ args: {}, draft: { ...draft, condition: "nonsense(" } });
    expect(broken.status).toBe(400);
    expect(broken.body.error.fields[0].field).toBe("body.draft.condition");
    expect((await t.call("GET", `/api/v1/policies/${allow.id}`)).body.condition).toBe("");
  });

  it("names an unknown agent", async () => {
    const res = await t.call("POST", "/api/v1/policies/simulate", {
      body: { agent: "ghost", operator: "x", tool: "y" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0].field).toBe("body.agent");
  });
});
