// Wire shapes of agents: what the API accepts and returns (never secret digests).
import { z } from "@hono/zod-openapi";
import { MAX_MTLS_SUBJECTS, mtlsSubjectProblem } from "@portcullis/proto";
import type { AgentCredentialRow, AgentRow } from "../../services/agents.ts";
import { Labels, pageOf } from "../common.ts";

const name = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,62}$/,
    "expected 1–63 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit",
  )
  .openapi({ example: "expense-report-v1" });

export const AgentInput = z
  .object({
    name,
    description: z.string().max(2000).optional(),
    owner: z.string().min(1, "expected the owning team or person").max(200).openapi({ example: "finance-platform" }),
    trust: z.enum(["first_party", "third_party"]).openapi({ description: "first_party: built and run by us" }),
    labels: Labels.optional(),
    allowedDelegates: z
      .array(z.uuid({ message: "expected agent ids" }))
      .max(100)
      .optional()
      .openapi({ description: "Ids of agents that may act for this agent (delegation)" }),
    mtlsSubjects: z
      .array(
        z.string().superRefine((value, ctx) => {
          const problem = mtlsSubjectProblem(value);
          if (problem) ctx.addIssue({ code: "custom", message: problem });
        }),
      )
      .max(MAX_MTLS_SUBJECTS)
      .optional()
      .openapi({
        description:
          "Client-certificate identities that identify this agent over mTLS: SAN URIs (SPIFFE IDs such as " +
          "spiffe://example.org/agent/expense-report) or SAN DNS names. Each may belong to one agent only.",
        example: ["spiffe://example.org/agent/expense-report"],
      }),
    disabled: z.boolean().optional(),
  })
  .strict()
  .openapi("AgentInput");

export const AgentPatch = AgentInput.partial().strict().openapi("AgentPatch");

export const Agent = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    owner: z.string(),
    trust: z.enum(["first_party", "third_party"]),
    labels: z.record(z.string(), z.string()),
    allowedDelegates: z.array(z.string()),
    mtlsSubjects: z.array(z.string()),
    disabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Agent");

export const AgentCredential = z
  .object({
    id: z.string(),
    kind: z.string(),
    clientId: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
  })
  .openapi("AgentCredential");

export const AgentDetail = Agent.extend({ credentials: z.array(AgentCredential) }).openapi("AgentDetail");
export const AgentPage = pageOf(Agent, "AgentPage");

export function agentOut(a: AgentRow): z.infer<typeof Agent> {
  return {
    id: a.id,
    name: a.name,
    description: a.description,
    owner: a.owner,
    trust: a.trust,
    labels: a.labels,
    allowedDelegates: a.allowedDelegates,
    mtlsSubjects: a.mtlsSubjects,
    disabled: a.disabled,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export function credentialOut(c: AgentCredentialRow): z.infer<typeof AgentCredential> {
  return {
    id: c.id,
    kind: c.kind,
    clientId: c.clientId,
    createdAt: c.createdAt.toISOString(),
    expiresAt: c.expiresAt?.toISOString() ?? null,
  };
}
