// Simulation: evaluates a hypothetical call with the same engine the data plane enforces with, against the
// current policy set or a draft of one policy, and returns the engine's full explanation. Agents, operators
// and tools are looked up in the directory so the context matches what a node would build from its snapshot.
import {
  annotationsFromMcp,
  buildCallContext,
  buildListContext,
  buildToolContext,
  compilePolicySet,
  type Decision,
  type JsonObject,
  type OperatorContext,
  operatorFromDirectory,
  PolicySetError,
} from "@portcullis/policy";
import { and, eq, isNull, or } from "drizzle-orm";
import { agents, operators, policies, policyVersions, tools, upstreams } from "../db/schema.ts";
import type { ServiceContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import { contentOf, type PolicyContent } from "./policies.ts";
import { authorize } from "./rbac.ts";

export interface SimulationInput {
  agent: string;
  operator:
    | string
    | {
        sub: string;
        email?: string | undefined;
        department?: string | undefined;
        manager?: string | undefined;
        cost_center?: string | undefined;
        groups?: string[] | undefined;
        attributes?: Record<string, unknown> | undefined;
      };
  tool: string;
  args: JsonObject;
  session?:
    | {
        calls?:
          | {
              tool: string;
              decision: "allow" | "deny" | "require_approval";
              at?: string | undefined;
              args?: JsonObject | undefined;
            }[]
          | undefined;
        taints?: string[] | undefined;
      }
    | undefined;
  delegation?:
    | {
        chain: { agent: string; trust: "first_party" | "third_party"; owner: string }[];
        origin: "human" | "system" | "agent";
      }
    | undefined;
  /** Evaluate with this draft in place of the policy `draft.id` (or added, without an id). */
  draft?: (PolicyContent & { id?: string | undefined }) | undefined;
}

export interface SimulationResult {
  decision: Decision;
  /** Whether the tool would be listed to this caller at all (the list phase). */
  listed: boolean;
  policiesLoaded: number;
  context: { agent: string; operator: string; tool: string; upstream: string };
}

export async function simulatePolicyDecision({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: SimulationInput;
}): Promise<SimulationResult> {
  authorize(ctx.actor, "policies:read");
  const [agent] = await ctx.db
    .select()
    .from(agents)
    .where(
      input.agent.match(/^[0-9a-f-]{36}$/)
        ? or(eq(agents.id, input.agent), eq(agents.name, input.agent))
        : eq(agents.name, input.agent),
    );
  if (!agent)
    throw new ApiError("validation_failed", `body.agent: no agent named ${input.agent}`, [
      { field: "body.agent", message: `no agent named ${input.agent}` },
    ]);

  let operator: Partial<OperatorContext> & { sub: string };
  if (typeof input.operator === "string") {
    const [row] = await ctx.db.select().from(operators).where(eq(operators.subject, input.operator));
    operator = row
      ? { ...operatorFromDirectory(row), sub: row.subject }
      : { sub: input.operator, email: input.operator };
  } else operator = input.operator as Partial<OperatorContext> & { sub: string };

  const slash = input.tool.indexOf("/");
  const toolName = slash > 0 ? input.tool.slice(slash + 1) : input.tool;
  const upstreamName = slash > 0 ? input.tool.slice(0, slash) : undefined;
  const toolRows = await ctx.db
    .select({ tool: tools, upstream: upstreams.name })
    .from(tools)
    .innerJoin(upstreams, eq(upstreams.id, tools.upstreamId))
    .where(and(eq(tools.name, toolName), upstreamName ? eq(upstreams.name, upstreamName) : undefined));
  const found = toolRows[0];
  const toolCtx = buildToolContext({
    name: toolName,
    upstream: found?.upstream ?? upstreamName ?? "",
    labels: found?.tool.labels ?? {},
    annotations: annotationsFromMcp((found?.tool.annotations ?? {}) as Parameters<typeof annotationsFromMcp>[0]),
    definition_hash: found?.tool.pinnedHash ?? "",
  });

  const current = await ctx.db
    .select({ v: policyVersions })
    .from(policies)
    .innerJoin(
      policyVersions,
      and(eq(policyVersions.policyId, policies.id), eq(policyVersions.version, policies.currentVersion)),
    )
    .where(isNull(policies.deletedAt));
  const set = current
    .filter(({ v }) => !input.draft?.id || v.policyId !== input.draft.id)
    .map(({ v }) => ({ id: v.policyId, ...contentOf(v), approvers: v.approvers || undefined }));
  if (input.draft)
    set.push({
      id: input.draft.id ?? "draft",
      ...contentOf(input.draft),
      approvers: input.draft.approvers || undefined,
    });

  let engine: ReturnType<typeof compilePolicySet>;
  try {
    engine = compilePolicySet(set);
  } catch (err) {
    if (err instanceof PolicySetError) {
      throw new ApiError(
        "invalid_policy",
        `the draft does not compile: ${err.message}`,
        err.errors.map((e) => ({
          field: `body.draft.${e.field}`,
          message: e.message,
          ...(e.line === undefined ? {} : { line: e.line, column: e.column ?? 1 }),
        })),
      );
    }
    throw err;
  }
  const agentCtx = { id: agent.id, name: agent.name, trust: agent.trust, labels: agent.labels, owner: agent.owner };
  const base = { agent: agentCtx, operator, ...(input.delegation ? { delegation: input.delegation } : {}) };
  const callCtx = buildCallContext({
    ...base,
    tool: toolCtx,
    args: input.args,
    session: { id: "sess_simulated", calls: input.session?.calls ?? [], taints: input.session?.taints ?? [] },
    request: { protocol: "simulation", era: "", source: "" },
  } as never);
  const listed = engine.listTools(buildListContext(base as never), [toolCtx]).length > 0;
  return {
    decision: engine.decide(callCtx),
    listed,
    policiesLoaded: set.length,
    context: { agent: agent.name, operator: operator.sub, tool: toolName, upstream: toolCtx.upstream },
  };
}
