// Compiles one policy with the shared policy engine (the same code the data plane enforces with) before it
// is saved, and turns compile errors into field issues with their line and column, so the console can
// underline them. Nothing that fails here is ever stored or shipped.
import { compilePolicy, inferExpressionType } from "@portcullis/policy";
import type { ServiceContext } from "./context.ts";
import type { FieldIssue } from "./errors.ts";
import type { PolicyContent } from "./policies.ts";
import { authorize } from "./rbac.ts";

export function checkPolicySource(content: PolicyContent, id = "new-policy"): FieldIssue[] {
  const result = compilePolicy({ id, ...content, approvers: content.approvers || undefined });
  if (result.ok) return [];
  return result.errors.map((e) => ({
    field: `body.${e.field}`,
    message: e.message,
    ...(e.line === undefined ? {} : { line: e.line, column: e.column ?? 1 }),
  }));
}

export interface PolicyDraftCheck {
  ok: boolean;
  errors: FieldIssue[];
  /** The inferred CEL type of each expression that type-checks; null when empty or in error. */
  types: { condition: string | null; approvers: string | null };
}

/**
 * Checks a policy being edited exactly as saving would (same compile), without writing anything, and adds the
 * inferred type of each expression for the editor. Missing fields take defaults that cannot add errors.
 */
export function checkPolicyDraft({
  ctx,
  draft,
}: {
  ctx: ServiceContext;
  draft: Partial<PolicyContent>;
}): PolicyDraftCheck {
  authorize(ctx.actor, "policies:read");
  const content: PolicyContent = {
    name: draft.name ?? "draft",
    description: draft.description ?? "",
    target: draft.target ?? { agents: ["*"], tools: ["*"] },
    effect: draft.effect ?? (draft.approvers ? "require_approval" : "allow"),
    condition: draft.condition ?? "",
    mode: draft.mode ?? "enforce",
    priority: draft.priority ?? 0,
    approvers: draft.approvers ?? "",
  };
  const errors = checkPolicySource(content, "draft");
  const typeOf = (source: string) => inferExpressionType(source) ?? null;
  return {
    ok: errors.length === 0,
    errors,
    types: {
      condition: typeOf(content.condition),
      approvers: content.effect === "require_approval" ? typeOf(content.approvers) : null,
    },
  };
}
