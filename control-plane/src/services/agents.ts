// Agents: the AI programs that call tools through the gateway. Each has an owner, a trust level, labels that
// policies target, the agents allowed to act for it, and client credentials (secrets shown once, stored hashed).
import { and, eq, ilike, isNull, sql } from "drizzle-orm";
import { agentCredentials, agents } from "../db/schema.ts";
import { randomToken, uuidv7 } from "../lib/ids.ts";
import { sha256Hex } from "../lib/secrets.ts";
import { publicJwkProblem } from "../tokens/public-jwk.ts";
import type { ServiceContext } from "./context.ts";
import { ApiError, invalidField } from "./errors.ts";
import { authorize } from "./rbac.ts";
import { firstOr404, keysetPage, likeContains, mutate, type Page } from "./store.ts";

export type AgentRow = typeof agents.$inferSelect;
export type AgentCredentialRow = typeof agentCredentials.$inferSelect;

export interface AgentInput {
  name: string;
  description?: string | undefined;
  owner: string;
  trust: "first_party" | "third_party";
  labels?: Record<string, string> | undefined;
  allowedDelegates?: string[] | undefined;
  mtlsSubjects?: string[] | undefined;
  disabled?: boolean | undefined;
}

export interface AgentFilter {
  q?: string | undefined;
  trust?: "first_party" | "third_party" | undefined;
  owner?: string | undefined;
  label?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export async function listAgents({
  ctx,
  filter,
}: {
  ctx: ServiceContext;
  filter: AgentFilter;
}): Promise<Page<AgentRow>> {
  authorize(ctx.actor, "agents:read");
  return keysetPage<AgentRow>(
    ctx.db,
    agents,
    agents.id,
    [
      filter.q ? ilike(agents.name, likeContains(filter.q)) : undefined,
      filter.trust ? eq(agents.trust, filter.trust) : undefined,
      filter.owner ? eq(agents.owner, filter.owner) : undefined,
      filter.label ? labelFilter(filter.label) : undefined,
    ],
    filter.limit,
    filter.cursor,
  );
}

/** `key=value` (or just `key`) against the labels object. */
function labelFilter(label: string) {
  const [key, value] = label.split("=", 2) as [string, string | undefined];
  return value === undefined
    ? sql`${agents.labels} ? ${key}`
    : sql`${agents.labels} @> ${JSON.stringify({ [key]: value })}::jsonb`;
}

export async function getAgent({ ctx, id }: { ctx: ServiceContext; id: string }) {
  authorize(ctx.actor, "agents:read");
  const agent = await firstOr404(ctx.db.select().from(agents).where(eq(agents.id, id)), "agent", id);
  const credentials = await ctx.db
    .select()
    .from(agentCredentials)
    .where(and(eq(agentCredentials.agentId, id), isNull(agentCredentials.revokedAt)));
  return { agent, credentials };
}

async function checkDelegates(ctx: ServiceContext, ids: string[] | undefined, self?: string) {
  if (!ids || ids.length === 0) return;
  if (self && ids.includes(self))
    throw new ApiError("validation_failed", "an agent cannot list itself as a delegate", [
      { field: "body.allowedDelegates", message: "contains the agent itself" },
    ]);
  for (const id of ids) {
    const [row] = await ctx.db.select({ id: agents.id }).from(agents).where(eq(agents.id, id));
    if (!row)
      throw new ApiError("validation_failed", `body.allowedDelegates: agent ${id} does not exist`, [
        { field: "body.allowedDelegates", message: `agent ${id} does not exist` },
      ]);
  }
}

/**
 * A certificate identity names one agent only: the control plane's mTLS token endpoint finds the agent by its
 * certificate. (Two agents racing for one identity are caught there too: an ambiguous certificate is refused.)
 */
async function checkMtlsSubjects(ctx: ServiceContext, subjects: string[] | undefined, self?: string) {
  if (!subjects || subjects.length === 0) return;
  if (new Set(subjects).size !== subjects.length) {
    throw new ApiError("validation_failed", "body.mtlsSubjects: an identity is listed twice", [
      { field: "body.mtlsSubjects", message: "an identity is listed twice" },
    ]);
  }
  const taken = await ctx.db
    .select({ id: agents.id, name: agents.name })
    .from(agents)
    .where(
      sql`${agents.mtlsSubjects} ?| array[${sql.join(
        subjects.map((s) => sql`${s}`),
        sql`, `,
      )}]::text[]`,
    );
  const other = taken.find((row) => row.id !== self);
  if (other) {
    throw new ApiError("conflict", `a certificate identity is already registered for agent ${other.name}`);
  }
}

export async function createAgent({ ctx, input }: { ctx: ServiceContext; input: AgentInput }): Promise<AgentRow> {
  authorize(ctx.actor, "agents:write");
  await checkDelegates(ctx, input.allowedDelegates);
  await checkMtlsSubjects(ctx, input.mtlsSubjects);
  return mutate(
    ctx,
    "agents:write",
    async (tx) => {
      const now = ctx.clock();
      const [row] = await tx
        .insert(agents)
        .values({
          id: uuidv7(),
          name: input.name,
          description: input.description ?? "",
          owner: input.owner,
          trust: input.trust,
          labels: input.labels ?? {},
          allowedDelegates: input.allowedDelegates ?? [],
          mtlsSubjects: input.mtlsSubjects ?? [],
          disabled: input.disabled ?? false,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const agent = row as AgentRow;
      return {
        result: agent,
        audit: { action: "agent.create", targetType: "agent", targetId: agent.id, after: agent },
      };
    },
    `an agent named "${input.name}" already exists`,
  );
}

export async function updateAgent({
  ctx,
  id,
  input,
}: {
  ctx: ServiceContext;
  id: string;
  input: Partial<AgentInput>;
}): Promise<AgentRow> {
  authorize(ctx.actor, "agents:write");
  await checkDelegates(ctx, input.allowedDelegates, id);
  await checkMtlsSubjects(ctx, input.mtlsSubjects, id);
  return mutate(
    ctx,
    "agents:write",
    async (tx) => {
      const before = await firstOr404(tx.select().from(agents).where(eq(agents.id, id)), "agent", id);
      const [row] = await tx
        .update(agents)
        .set({ ...definedOnly(input), updatedAt: ctx.clock() })
        .where(eq(agents.id, id))
        .returning();
      const after = row as AgentRow;
      return { result: after, audit: { action: "agent.update", targetType: "agent", targetId: id, before, after } };
    },
    `an agent named "${input.name}" already exists`,
  );
}

export async function deleteAgent({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<void> {
  await mutate(ctx, "agents:write", async (tx) => {
    const before = await firstOr404(tx.select().from(agents).where(eq(agents.id, id)), "agent", id);
    await tx.delete(agents).where(eq(agents.id, id));
    return { result: undefined, audit: { action: "agent.delete", targetType: "agent", targetId: id, before } };
  });
}

/**
 * Issues a client credential for the token endpoint: a client secret (returned once, stored as a digest), or, when
 * the agent brings a public key, a `private_key_jwt` credential (the agent keeps its private key; nothing secret
 * is stored or returned).
 */
export async function createAgentCredential({
  ctx,
  agentId,
  expiresInDays,
  publicJwk,
}: {
  ctx: ServiceContext;
  agentId: string;
  expiresInDays?: number | undefined;
  publicJwk?: Record<string, unknown> | undefined;
}): Promise<{ credential: AgentCredentialRow; clientSecret: string | undefined }> {
  authorize(ctx.actor, "agents:write");
  if (publicJwk) {
    const problem = await publicJwkProblem(publicJwk);
    if (problem) throw invalidField("body.publicJwk", problem);
  }
  return mutate(ctx, "agents:write", async (tx) => {
    await firstOr404(tx.select({ id: agents.id }).from(agents).where(eq(agents.id, agentId)), "agent", agentId);
    const clientSecret = publicJwk ? undefined : randomToken("pc_cs_", 32);
    const now = ctx.clock();
    const [row] = await tx
      .insert(agentCredentials)
      .values({
        id: uuidv7(),
        agentId,
        kind: publicJwk ? "private_key_jwt" : "client_secret",
        clientId: randomToken("pc_ci_", 12),
        secretHash: clientSecret ? sha256Hex(clientSecret) : null,
        publicJwk: publicJwk ?? null,
        createdAt: now,
        expiresAt: expiresInDays ? new Date(now.getTime() + expiresInDays * 86_400_000) : null,
      })
      .returning();
    const credential = row as AgentCredentialRow;
    return {
      result: { credential, clientSecret },
      audit: {
        action: "agent.credential.create",
        targetType: "agent",
        targetId: agentId,
        after: { credentialId: credential.id, clientId: credential.clientId, kind: credential.kind },
      },
    };
  });
}

export async function revokeAgentCredential({
  ctx,
  agentId,
  credentialId,
}: {
  ctx: ServiceContext;
  agentId: string;
  credentialId: string;
}) {
  await mutate(ctx, "agents:write", async (tx) => {
    const before = await firstOr404(
      tx
        .select()
        .from(agentCredentials)
        .where(and(eq(agentCredentials.id, credentialId), eq(agentCredentials.agentId, agentId))),
      "credential",
      credentialId,
    );
    await tx.update(agentCredentials).set({ revokedAt: ctx.clock() }).where(eq(agentCredentials.id, credentialId));
    return {
      result: undefined,
      audit: {
        action: "agent.credential.revoke",
        targetType: "agent",
        targetId: agentId,
        before: { credentialId: before.id, clientId: before.clientId },
      },
    };
  });
}

export function definedOnly<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}
