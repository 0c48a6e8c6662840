// The tools of the demo's servers, as each server lists them (MCP tools/list) and as the control plane pins them
// (the seed registers exactly these definitions). One source, so the pinned hash and the served tool agree.

export type DemoServerName = "ocr" | "directory" | "notify" | "accounting-admin" | "accounting";

export interface DemoToolDefinition {
  server: DemoServerName;
  name: string;
  description: string;
  inputSchema: { type: "object"; properties: Record<string, unknown>; required?: string[] };
  /** MCP tool annotations (hints). */
  annotations: Record<string, boolean>;
  /** HTTP tools only: how the gateway maps the arguments onto the API. */
  http?: { method: "POST"; path: string };
  /** Audited durably before the answer is released. */
  sensitive?: boolean;
}

const str = (description: string) => ({ type: "string", description });

export const demoTools: readonly DemoToolDefinition[] = [
  {
    server: "ocr",
    name: "receipt_ocr",
    description: "Reads the text of a receipt image.",
    inputSchema: { type: "object", properties: { image: str("The receipt image: a file name or URL") } },
    annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false },
  },
  {
    server: "directory",
    name: "get_employee_cost_center",
    description: "Looks up an employee's department, manager and cost centre.",
    inputSchema: {
      type: "object",
      properties: { employee_id: str("The employee's email address") },
      required: ["employee_id"],
    },
    annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false },
  },
  {
    server: "accounting",
    name: "create_expense_report",
    description: "Files an expense report in accounting. Creates a record: not idempotent.",
    inputSchema: {
      type: "object",
      properties: {
        employee_id: str("The employee's email address"),
        amount: { type: "number", description: "Amount in US dollars" },
        cost_center: str("The cost centre to charge"),
        receipt_text: str("The receipt's text"),
      },
      required: ["employee_id", "amount", "cost_center"],
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    http: { method: "POST", path: "/reports" },
    sensitive: true,
  },
  {
    server: "notify",
    name: "send_notification",
    description: "Sends a message to a person at company.com.",
    inputSchema: {
      type: "object",
      properties: { recipient: str("The recipient's email address"), message: str("The message") },
      required: ["recipient", "message"],
    },
    annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
  },
  {
    server: "accounting-admin",
    name: "delete_expense_reports",
    description: "Deletes expense reports in bulk.",
    inputSchema: { type: "object", properties: { employee_id: str("Whose reports to delete") } },
    annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
  },
];

export const demoServerNames: readonly DemoServerName[] = [
  "ocr",
  "directory",
  "notify",
  "accounting-admin",
  "accounting",
];

/** Where each server listens on the demo's one HTTP listener. */
export function demoServerPath(server: DemoServerName): string {
  return server === "accounting" ? "/accounting" : `/${server}/mcp`;
}
