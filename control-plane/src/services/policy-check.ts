// Compiles one policy with the shared policy engine (the same code the data plane enforces with) before it
// is saved, and turns compile errors into field issues with their line and column, so the console can
// underline them. Nothing that fails here is ever stored or shipped.
import { compilePolicy } from "@portcullis/policy";
import type { FieldIssue } from "./errors.ts";
import type { PolicyContent } from "./policies.ts";

export function checkPolicySource(content: PolicyContent, id = "new-policy"): FieldIssue[] {
  const result = compilePolicy({ id, ...content, approvers: content.approvers || undefined });
  if (result.ok) return [];
  return result.errors.map((e) => ({
    field: `body.${e.field}`,
    message: e.message,
    ...(e.line === undefined ? {} : { line: e.line, column: e.column ?? 1 }),
  }));
}
