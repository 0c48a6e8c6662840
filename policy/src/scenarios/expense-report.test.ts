// Every happy and unhappy path of shared/scenarios/expense-report.md, decided by the engine with the scenario's
// policies as the demo seeds them.
import { describe, expect, test } from "vitest";
import { digestArgs } from "../approvals.ts";
import { compilePolicySet } from "../compile.ts";
import {
  type AgentContext,
  type ApprovalGrant,
  buildCallContext,
  buildListContext,
  type DelegationHop,
  type JsonObject,
  type OperatorContext,
  type Outcome,
} from "../context.ts";
import type { ReasonCode } from "../decision.ts";
import { agents, cast, expenseReportPolicies, tools } from "./expense-report.ts";

const engine = compilePolicySet(expenseReportPolicies);
type ToolName = keyof typeof tools;

const aliceReport = (amount: number | string, over: JsonObject = {}): JsonObject => ({
  employee_id: "alice@company.com",
  amount,
  cost_center: "eng-team-001",
  receipt_text: "Taxi 127.50",
  ...over,
});

const delegatedChain: DelegationHop[] = [
  { agent: "expense-report-v1", trust: "first_party", owner: "finance-platform" },
  { agent: "ocr-helper-v2", trust: "third_party", owner: "ocr-vendor" },
];

interface Row {
  name: string;
  tool: ToolName;
  args: JsonObject;
  agent?: AgentContext;
  operator?: OperatorContext;
  chain?: DelegationHop[];
  history?: ToolName[];
  approvals?: Omit<ApprovalGrant, "at">[];
  outcome: Outcome;
  code: ReasonCode;
  deciding?: string[];
  reason?: string;
}

function decide(row: Omit<Row, "name" | "outcome" | "code">) {
  return engine.decide(
    buildCallContext({
      agent: row.agent ?? agents.expenseReport,
      operator: row.operator ?? cast.alice,
      ...(row.chain ? { delegation: { chain: row.chain } } : {}),
      tool: tools[row.tool],
      args: row.args,
      session: {
        id: "sess_1",
        calls: (row.history ?? []).map((tool) => ({ tool, decision: "allow" as const })),
        approvals: row.approvals ?? [],
      },
    }),
  );
}

const grant1200 = {
  id: "grant-1",
  tool: "create_expense_report",
  args_digest: digestArgs(aliceReport(1200)),
  approver: "bob@company.com",
  policy: "expense-manager-approval",
};

const rows: Row[] = [
  // The happy path, in order, each call seeing the ones before it.
  {
    name: "happy 1: receipt_ocr",
    tool: "receipt_ocr",
    args: { image: "receipt.png" },
    outcome: "allow",
    code: "allowed",
  },
  {
    name: "happy 2: get_employee_cost_center(alice)",
    tool: "get_employee_cost_center",
    args: { employee_id: "alice@company.com" },
    history: ["receipt_ocr"],
    outcome: "allow",
    code: "allowed",
  },
  {
    name: "happy 3: create_expense_report(alice, 127.50, eng-team-001)",
    tool: "create_expense_report",
    args: aliceReport(127.5),
    history: ["receipt_ocr", "get_employee_cost_center"],
    outcome: "allow",
    code: "allowed",
  },
  {
    name: "happy 3 with the amount as a string",
    tool: "create_expense_report",
    args: aliceReport("127.50"),
    outcome: "allow",
    code: "allowed",
  },
  {
    name: "happy 4: send_notification(bob)",
    tool: "send_notification",
    args: { recipient: "bob@company.com", message: "Expense report filed" },
    history: ["receipt_ocr", "get_employee_cost_center", "create_expense_report"],
    outcome: "allow",
    code: "allowed",
  },
  // The unhappy paths.
  {
    name: "a second receipt_ocr in the same session",
    tool: "receipt_ocr",
    args: { image: "receipt2.png" },
    history: ["receipt_ocr"],
    outcome: "deny",
    code: "denied_by_policy",
    deciding: ["ocr-once-per-session"],
    reason: "denied by policy 'ocr-once-per-session': receipt_ocr may be called once per session",
  },
  {
    name: "get_employee_cost_center(bob)",
    tool: "get_employee_cost_center",
    args: { employee_id: "bob@company.com" },
    outcome: "deny",
    code: "denied_by_policy",
    deciding: ["cost-center-self-only"],
    reason:
      "denied by policy 'cost-center-self-only': get_employee_cost_center only for the operator the agent acts for",
  },
  {
    name: "create_expense_report 1200 → held for bob",
    tool: "create_expense_report",
    args: aliceReport(1200),
    outcome: "require_approval",
    code: "approval_required",
    deciding: ["expense-manager-approval"],
  },
  {
    name: "create_expense_report 1200 after bob approved → goes through",
    tool: "create_expense_report",
    args: aliceReport(1200),
    approvals: [grant1200],
    outcome: "allow",
    code: "approved",
    deciding: ["expense-manager-approval"],
  },
  {
    name: "create_expense_report 1300 with bob's approval for 1200 → still held",
    tool: "create_expense_report",
    args: aliceReport(1300),
    approvals: [grant1200],
    outcome: "require_approval",
    code: "approval_required",
  },
  {
    name: "create_expense_report 7000 → denied",
    tool: "create_expense_report",
    args: aliceReport(7000),
    outcome: "deny",
    code: "denied_by_policy",
    deciding: ["expense-hard-cap"],
    reason: "denied by policy 'expense-hard-cap': expense reports above $5000 are refused",
  },
  {
    name: "create_expense_report 5000 → held, not denied (the cap is above $5000)",
    tool: "create_expense_report",
    args: aliceReport(5000),
    outcome: "require_approval",
    code: "approval_required",
  },
  {
    name: "a second create_expense_report in the same session",
    tool: "create_expense_report",
    args: aliceReport(50),
    history: ["receipt_ocr", "create_expense_report"],
    outcome: "deny",
    code: "denied_by_policy",
    deciding: ["expense-once-per-session"],
  },
  {
    name: "create_expense_report for bob",
    tool: "create_expense_report",
    args: aliceReport(50, { employee_id: "bob@company.com" }),
    outcome: "deny",
    code: "denied_by_policy",
    deciding: ["expense-own-report-only"],
  },
  {
    name: "create_expense_report with a garbled amount fails closed",
    tool: "create_expense_report",
    args: aliceReport("12O0"),
    outcome: "deny",
    code: "denied_by_error",
    deciding: ["expense-hard-cap"],
  },
  {
    name: "send_notification to mallory",
    tool: "send_notification",
    args: { recipient: "mallory@evil.example", message: "hi" },
    outcome: "deny",
    code: "denied_by_policy",
    deciding: ["notify-manager-only"],
  },
  {
    name: "delete_expense_reports",
    tool: "delete_expense_reports",
    args: {},
    outcome: "deny",
    code: "denied_by_policy",
    deciding: ["no-destructive-tools"],
    reason: "denied by policy 'no-destructive-tools': no agent may call a tool annotated destructive",
  },
  {
    name: "ocr-helper-v2 delegated by expense-report-v1: create_expense_report",
    agent: agents.ocrHelper,
    chain: delegatedChain,
    tool: "create_expense_report",
    args: aliceReport(50),
    outcome: "deny",
    code: "denied_by_policy",
    deciding: ["third-party-delegation-ocr-only"],
  },
  {
    name: "ocr-helper-v2 delegated by expense-report-v1: receipt_ocr",
    agent: agents.ocrHelper,
    chain: delegatedChain,
    tool: "receipt_ocr",
    args: { image: "receipt.png" },
    outcome: "allow",
    code: "allowed",
    deciding: ["ocr-helper-delegated-ocr"],
  },
  {
    name: "ocr-helper-v2 acting on its own: receipt_ocr",
    agent: agents.ocrHelper,
    tool: "receipt_ocr",
    args: { image: "receipt.png" },
    outcome: "deny",
    code: "default_deny",
  },
  {
    name: "carol, new session: receipt_ocr",
    operator: cast.carol,
    tool: "receipt_ocr",
    args: { image: "receipt.png" },
    outcome: "allow",
    code: "allowed",
  },
  {
    name: "carol: create_expense_report for eng-team-001",
    operator: cast.carol,
    tool: "create_expense_report",
    args: { employee_id: "carol@company.com", amount: 80, cost_center: "eng-team-001", receipt_text: "x" },
    outcome: "deny",
    code: "denied_by_policy",
    deciding: ["expense-own-cost-center"],
    reason:
      "denied by policy 'expense-own-cost-center': an expense report must be charged to the operator's own cost centre",
  },
  {
    // Carol has no delegation limit, so any amount needs her manager's approval.
    name: "carol: create_expense_report on her own cost centre, no delegation limit → held",
    operator: cast.carol,
    tool: "create_expense_report",
    args: { employee_id: "carol@company.com", amount: 80, cost_center: "sales-002", receipt_text: "x" },
    outcome: "require_approval",
    code: "approval_required",
    deciding: ["expense-manager-approval"],
  },
];

describe("expense-report scenario: call phase", () => {
  test.each(rows)("$name → $outcome ($code)", (row) => {
    const d = decide(row);
    expect({ outcome: d.outcome, code: d.code }).toEqual({ outcome: row.outcome, code: row.code });
    if (row.deciding) expect(d.deciding).toEqual(row.deciding);
    if (row.reason) expect(d.reason).toBe(row.reason);
    if (row.code !== "denied_by_error") expect(d.errors).toEqual([]);
  });

  test("the hold asks bob, and names the exact call", () => {
    const d = decide({ tool: "create_expense_report", args: aliceReport(1200) });
    expect(d.approval).toEqual({
      status: "required",
      args_digest: digestArgs(aliceReport(1200)),
      requests: [{ policy: "expense-manager-approval", approvers: ["bob@company.com"] }],
    });
    expect(d.adaptable).toBe(true);
  });

  test("the approved call names the grant to consume, so it goes through exactly once", () => {
    const d = decide({ tool: "create_expense_report", args: aliceReport(1200), approvals: [grant1200] });
    expect(d.approval).toMatchObject({ status: "granted", grants: ["grant-1"] });
    // Once the data plane has consumed the grant, the same call is held again.
    expect(decide({ tool: "create_expense_report", args: aliceReport(1200) }).outcome).toBe("require_approval");
  });

  test("session rules deny adaptably; delete_expense_reports is a hard deny", () => {
    expect(decide({ tool: "receipt_ocr", args: {}, history: ["receipt_ocr"] }).adaptable).toBe(true);
    expect(decide({ tool: "delete_expense_reports", args: {} }).adaptable).toBe(false);
  });

  test("the happy path evaluates only the policies that target each tool", () => {
    const d = decide({ tool: "receipt_ocr", args: {} });
    expect(d.evaluated).toEqual([
      "no-destructive-tools",
      "third-party-delegation-ocr-only",
      "ocr-once-per-session",
      "expense-agent-tools",
    ]);
    expect(d.matched).toEqual(["expense-agent-tools"]);
  });
});

describe("expense-report scenario: list phase", () => {
  const all = Object.values(tools);
  const names = (ctx: Parameters<typeof engine.listTools>[0]) => engine.listTools(ctx, all).map((t) => t.name);

  test("alice's expense-report-v1 sees the four expense tools, not delete_expense_reports", () => {
    expect(names(buildListContext({ agent: agents.expenseReport, operator: cast.alice }))).toEqual([
      "receipt_ocr",
      "get_employee_cost_center",
      "create_expense_report",
      "send_notification",
    ]);
  });

  test("carol's session lists the same tools: listing never depends on history", () => {
    expect(names(buildListContext({ agent: agents.expenseReport, operator: cast.carol }))).toHaveLength(4);
  });

  test("ocr-helper-v2 delegated by expense-report-v1 sees receipt_ocr only", () => {
    expect(
      names(buildListContext({ agent: agents.ocrHelper, operator: cast.alice, delegation: { chain: delegatedChain } })),
    ).toEqual(["receipt_ocr"]);
  });

  test("ocr-helper-v2 on its own sees nothing", () => {
    expect(names(buildListContext({ agent: agents.ocrHelper, operator: cast.alice }))).toEqual([]);
  });
});
