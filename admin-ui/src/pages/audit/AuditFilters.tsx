// The audit search form: who (agent, operator), what (tool, decision, outcome, reason code), where (session),
// when (from, to). Inputs are kept as typed; the page debounces them into the query.
import type { ReactNode } from "react";
import type { AuditFilters as Filters } from "./useAuditEvents.ts";

export function AuditFilters({ value, onChange }: { value: Filters; onChange: (next: Filters) => void }) {
  const set = (key: keyof Filters) => (e: { target: { value: string } }) =>
    onChange({ ...value, [key]: e.target.value });
  const text = (key: keyof Filters, label: string, placeholder: string) => (
    <Field label={label}>
      <input type="text" value={value[key]} placeholder={placeholder} maxLength={255} onChange={set(key)} />
    </Field>
  );
  return (
    <search className="filter-grid" aria-label="Filter audit events">
      {text("agent", "Agent", "expense-report-v1")}
      {text("operator", "Operator", "alice@company.com")}
      {text("tool", "Tool", "create_expense_report")}
      <Field label="Decision">
        <select value={value.decision} onChange={set("decision")}>
          <option value="">Any</option>
          <option value="allow">Allowed</option>
          <option value="deny">Denied</option>
          <option value="require_approval">Held for approval</option>
        </select>
      </Field>
      {text("outcome", "Outcome", "denied, unknown_tool…")}
      {text("code", "Reason code", "denied_by_policy")}
      {text("session", "Session", "sess_…")}
      <Field label="From">
        <input type="datetime-local" value={value.from} onChange={set("from")} />
      </Field>
      <Field label="To">
        <input type="datetime-local" value={value.to} onChange={set("to")} />
      </Field>
    </search>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the input or select is the child passed in
    <label className="filter-field">
      <span className="filter-label">{label}</span>
      {children}
    </label>
  );
}
