// The expense-report scenario (shared/scenarios/expense-report.md) as data: the policies the demo seeds into the
// control plane, and the cast and tools the scenario's tests and the demo use. Allow policies grant capability
// (and so drive tools/list); deny and approval policies state the constraints, each with a reason a person reads.
import type { AgentContext, OperatorContext, ToolContext } from "../context.ts";
import type { Policy } from "../policy.ts";

export const EXPENSE_TOOLS = [
  "receipt_ocr",
  "get_employee_cost_center",
  "create_expense_report",
  "send_notification",
] as const;

export const expenseReportPolicies: readonly Policy[] = [
  {
    id: "expense-agent-tools",
    name: "expense-agent-tools",
    description: "expense-report-v1 may use the expense tools",
    target: { agents: ["expense-report-v1"], tools: [...EXPENSE_TOOLS] },
    effect: "allow",
    condition: "",
    mode: "enforce",
    priority: 0,
  },
  {
    // Rule 1.
    id: "ocr-once-per-session",
    name: "ocr-once-per-session",
    description: "receipt_ocr may be called once per session",
    target: { agents: ["expense-report-v1"], tools: ["receipt_ocr"] },
    effect: "deny",
    condition: 'session.called("receipt_ocr")',
    mode: "enforce",
    priority: 100,
  },
  {
    // Rule 2.
    id: "cost-center-self-only",
    name: "cost-center-self-only",
    description: "get_employee_cost_center only for the operator the agent acts for",
    target: { agents: ["*"], tools: ["get_employee_cost_center"] },
    effect: "deny",
    condition: "args.employee_id != operator.email",
    mode: "enforce",
    priority: 100,
  },
  {
    // Rule 3: whose report.
    id: "expense-own-report-only",
    name: "expense-own-report-only",
    description: "an expense report may only be filed for the operator the agent acts for",
    target: { agents: ["*"], tools: ["create_expense_report"] },
    effect: "deny",
    condition: "args.employee_id != operator.email",
    mode: "enforce",
    priority: 100,
  },
  {
    // Rule 3: which cost centre.
    id: "expense-own-cost-center",
    name: "expense-own-cost-center",
    description: "an expense report must be charged to the operator's own cost centre",
    target: { agents: ["*"], tools: ["create_expense_report"] },
    effect: "deny",
    condition: "args.cost_center != operator.cost_center",
    mode: "enforce",
    priority: 100,
  },
  {
    // Rule 3: once per session.
    id: "expense-once-per-session",
    name: "expense-once-per-session",
    description: "create_expense_report may be called once per session",
    target: { agents: ["*"], tools: ["create_expense_report"] },
    effect: "deny",
    condition: 'session.called("create_expense_report")',
    mode: "enforce",
    priority: 100,
  },
  {
    // Rule 3: above $5000.
    id: "expense-hard-cap",
    name: "expense-hard-cap",
    description: "expense reports above $5000 are refused",
    target: { agents: ["*"], tools: ["create_expense_report"] },
    effect: "deny",
    condition: "money(args.amount) > 5000.0",
    mode: "enforce",
    priority: 100,
  },
  {
    // Rule 3: above the operator's delegation limit ($500 for alice), the manager approves. An operator without a
    // limit needs approval for any amount.
    id: "expense-manager-approval",
    name: "expense-manager-approval",
    description: "expense reports above the operator's delegation limit need the manager's approval",
    target: { agents: ["*"], tools: ["create_expense_report"] },
    effect: "require_approval",
    condition: "money(args.amount) > (has(operator.delegation_limit) ? operator.delegation_limit : 0.0)",
    approvers: "operator.manager",
    mode: "enforce",
    priority: 50,
  },
  {
    // Rule 4.
    id: "notify-manager-only",
    name: "notify-manager-only",
    description: "send_notification may only write to the operator's manager",
    target: { agents: ["*"], tools: ["send_notification"] },
    effect: "deny",
    condition: "args.recipient != operator.manager",
    mode: "enforce",
    priority: 100,
  },
  {
    // Rule 5.
    id: "no-destructive-tools",
    name: "no-destructive-tools",
    description: "no agent may call a tool annotated destructive",
    target: { agents: ["*"], tools: ["*"] },
    effect: "deny",
    condition: "tool.annotations.destructive",
    mode: "enforce",
    priority: 1000,
  },
  {
    // Rule 6: what the delegated helper may do.
    id: "ocr-helper-delegated-ocr",
    name: "ocr-helper-delegated-ocr",
    description: "ocr-helper-v2 may run receipt_ocr when expense-report-v1 delegated to it",
    target: { agents: ["ocr-helper-v2"], tools: ["receipt_ocr"] },
    effect: "allow",
    condition: 'delegation.chain.exists(h, h.agent == "expense-report-v1")',
    mode: "enforce",
    priority: 0,
  },
  {
    // Rule 6: and nothing else through a third party.
    id: "third-party-delegation-ocr-only",
    name: "third-party-delegation-ocr-only",
    description: "when the delegation chain passes through a third-party agent, only receipt_ocr may be called",
    target: { agents: ["*"], tools: ["*"] },
    effect: "deny",
    condition: 'delegation.chain.exists(h, h.trust == "third_party") && tool.name != "receipt_ocr"',
    mode: "enforce",
    priority: 1000,
  },
];

export const cast = {
  alice: {
    sub: "user-alice",
    email: "alice@company.com",
    groups: ["engineering"],
    department: "engineering",
    cost_center: "eng-team-001",
    manager: "bob@company.com",
    delegation_limit: 500,
    attributes: {},
  },
  carol: {
    sub: "user-carol",
    email: "carol@company.com",
    groups: ["sales"],
    department: "sales",
    cost_center: "sales-002",
    manager: "dave@company.com",
    attributes: {},
  },
} satisfies Record<string, OperatorContext>;

export const agents = {
  expenseReport: {
    id: "expense-report-v1",
    name: "expense-report-v1",
    trust: "first_party",
    labels: { team: "finance-platform" },
    owner: "finance-platform",
  },
  ocrHelper: {
    id: "ocr-helper-v2",
    name: "ocr-helper-v2",
    trust: "third_party",
    labels: {},
    owner: "ocr-vendor",
  },
} satisfies Record<string, AgentContext>;

const annotations = (a: Partial<ToolContext["annotations"]> = {}): ToolContext["annotations"] => ({
  destructive: false,
  read_only: false,
  idempotent: false,
  open_world: false,
  ...a,
});

export const tools = {
  receipt_ocr: {
    name: "receipt_ocr",
    upstream: "ocr",
    labels: {},
    annotations: annotations({ read_only: true }),
    definition_hash: "",
  },
  get_employee_cost_center: {
    name: "get_employee_cost_center",
    upstream: "directory",
    labels: {},
    annotations: annotations({ read_only: true }),
    definition_hash: "",
  },
  create_expense_report: {
    name: "create_expense_report",
    upstream: "accounting",
    labels: {},
    annotations: annotations(),
    definition_hash: "",
  },
  send_notification: {
    name: "send_notification",
    upstream: "notify",
    labels: {},
    annotations: annotations(),
    definition_hash: "",
  },
  delete_expense_reports: {
    name: "delete_expense_reports",
    upstream: "accounting-admin",
    labels: {},
    annotations: annotations({ destructive: true }),
    definition_hash: "",
  },
} satisfies Record<string, ToolContext>;
