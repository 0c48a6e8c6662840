// Wire shapes of policies and their versions.
import { z } from "@hono/zod-openapi";
import type { PolicyVersionRow, PolicyView } from "../../services/policies.ts";
import { pageOf } from "../common.ts";

const selector = z
  .string()
  .min(1)
  .max(300)
  .regex(/^(\*|[A-Za-z0-9][A-Za-z0-9._:\-/=]*)$/, 'expected "*", a name or id, or a label selector label:key=value');

export const PolicyTarget = z
  .object({
    agents: z
      .array(selector)
      .max(100)
      .openapi({ example: ["expense-report-v1"], description: "Agent names or ids, `label:key=value`, or `*`" }),
    tools: z
      .array(selector)
      .max(100)
      .openapi({ example: ["receipt_ocr"], description: "Tool names, `label:key=value`, or `*`" }),
  })
  .strict()
  .openapi("PolicyTarget");

const content = {
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, "expected 1–100 lowercase letters, digits, '.', '_' or '-'")
    .openapi({ example: "ocr-once-per-session" }),
  description: z.string().max(2000).default(""),
  target: PolicyTarget,
  effect: z.enum(["allow", "deny", "require_approval"]),
  condition: z
    .string()
    .max(16_384)
    .default("")
    .openapi({ description: "CEL expression; empty means always", example: 'session.count("receipt_ocr") == 0' }),
  mode: z.enum(["enforce", "shadow"]).default("enforce"),
  priority: z.number().int().min(-1000).max(1000).default(0),
  approvers: z.string().max(2000).default("").openapi({
    description: "require_approval only: CEL giving who may approve (a string or list), e.g. `[operator.manager]`",
    example: "operator.manager",
  }),
};

export const PolicyInput = z
  .object({ ...content, comment: z.string().max(500).optional().openapi({ description: "Why this change" }) })
  .strict()
  .openapi("PolicyInput");

export const PolicyPatch = z
  .object({
    name: content.name.optional(),
    description: z.string().max(2000).optional(),
    target: PolicyTarget.optional(),
    effect: content.effect.optional(),
    condition: z.string().max(16_384).optional(),
    mode: content.mode.unwrap().optional(),
    priority: z.number().int().min(-1000).max(1000).optional(),
    approvers: z.string().max(2000).optional(),
    comment: z.string().max(500).optional(),
    expectedVersion: z
      .number()
      .int()
      .positive()
      .optional()
      .openapi({ description: "Refuse with 409 unless the policy is still at this version (optimistic locking)" }),
  })
  .strict()
  .openapi("PolicyPatch");

export const PolicyDraft = PolicyPatch.omit({ comment: true, expectedVersion: true }).openapi("PolicyDraft", {
  description: "A policy being edited; fields not sent take harmless defaults (target `*`, effect allow)",
});

export const PolicyVersion = z
  .object({
    version: z.number().int(),
    name: z.string(),
    description: z.string(),
    target: z.object({ agents: z.array(z.string()), tools: z.array(z.string()) }),
    effect: z.enum(["allow", "deny", "require_approval"]),
    condition: z.string(),
    mode: z.enum(["enforce", "shadow"]),
    priority: z.number().int(),
    approvers: z.string(),
    contentHash: z.string(),
    comment: z.string(),
    rolledBackFrom: z.number().int().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .openapi("PolicyVersion");

export const Policy = PolicyVersion.extend({
  id: z.string(),
  currentVersion: z.number().int(),
  updatedAt: z.string(),
}).openapi("Policy");

export const PolicyPage = pageOf(Policy, "PolicyPage");

export function versionOut(v: PolicyVersionRow): z.infer<typeof PolicyVersion> {
  return {
    version: v.version,
    name: v.name,
    description: v.description,
    target: v.target,
    effect: v.effect,
    condition: v.condition,
    mode: v.mode,
    priority: v.priority,
    approvers: v.approvers,
    contentHash: v.contentHash,
    comment: v.comment,
    rolledBackFrom: v.rolledBackFrom,
    createdBy: v.createdBy,
    createdAt: v.createdAt.toISOString(),
  };
}

export function policyOut(p: PolicyView): z.infer<typeof Policy> {
  return { ...versionOut(p.version), id: p.id, currentVersion: p.currentVersion, updatedAt: p.updatedAt.toISOString() };
}

export const VersionParams = z.object({
  id: z.uuid({ message: "expected a UUID" }).openapi({ param: { name: "id", in: "path" } }),
  version: z.coerce
    .number()
    .int()
    .positive("expected a version number ≥ 1")
    .openapi({ param: { name: "version", in: "path" }, example: 2 }),
});
