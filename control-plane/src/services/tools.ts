// Tools: what agents call, each on one upstream. A tool's definition (name, description, input schema,
// annotations) is pinned by hash; an administrator creating or editing it through the API approves that
// definition, so the service re-pins it. HTTP upstreams need a request mapping per tool; other kinds refuse one.
import { and, eq, ilike } from "drizzle-orm";
import type { Tx } from "../db/client.ts";
import { tools, upstreams } from "../db/schema.ts";
import { uuidv7 } from "../lib/ids.ts";
import { stateHash } from "./admin-audit.ts";
import { definedOnly } from "./agents.ts";
import type { ServiceContext } from "./context.ts";
import { conflict, invalidField } from "./errors.ts";
import { authorize } from "./rbac.ts";
import { keysetPage, labelFilter, likeContains, mutate, type Page, rowById } from "./store.ts";

export type ToolRow = typeof tools.$inferSelect;
export type ToolStatus = ToolRow["status"];

export interface ToolDefinition {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  annotations: Record<string, unknown>;
}

export interface ToolInput {
  upstreamId: string;
  name: string;
  description?: string | undefined;
  inputSchema?: Record<string, unknown> | undefined;
  annotations?: Record<string, unknown> | undefined;
  labels?: Record<string, string> | undefined;
  http?: Record<string, unknown> | undefined;
  sensitive?: boolean | undefined;
  status?: ToolStatus | undefined;
}

export type ToolPatch = Partial<Omit<ToolInput, "upstreamId">>;

export interface ToolFilter {
  upstreamId?: string | undefined;
  status?: ToolStatus | undefined;
  q?: string | undefined;
  label?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/**
 * SHA-256 (hex) of the definition's canonical JSON: object keys sorted, no whitespace, which for plain JSON
 * values is RFC 8785. The data plane hashes what an upstream lists the same way and compares.
 */
export function toolDefinitionHash(def: ToolDefinition): string {
  const { name, description, inputSchema, annotations } = def;
  return stateHash({ name, description, inputSchema, annotations }) as string;
}

const duplicateName = (name: string | undefined) => `a tool named "${name}" already exists on that upstream`;

export async function listTools({ ctx, filter }: { ctx: ServiceContext; filter: ToolFilter }): Promise<Page<ToolRow>> {
  authorize(ctx.actor, "tools:read");
  return keysetPage<ToolRow>(
    ctx.db,
    tools,
    tools.id,
    [
      filter.upstreamId ? eq(tools.upstreamId, filter.upstreamId) : undefined,
      filter.status ? eq(tools.status, filter.status) : undefined,
      filter.q ? ilike(tools.name, likeContains(filter.q)) : undefined,
      filter.label ? labelFilter(tools.labels, filter.label) : undefined,
    ],
    filter.limit,
    filter.cursor,
  );
}

export async function getTool({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<ToolRow> {
  authorize(ctx.actor, "tools:read");
  return rowById(ctx.db, tools, "tool", id);
}

export async function createTool({ ctx, input }: { ctx: ServiceContext; input: ToolInput }): Promise<ToolRow> {
  return mutate(
    ctx,
    "tools:write",
    async (tx) => {
      await checkUpstream(tx, input.upstreamId, input.http, true);
      const definition = {
        name: input.name,
        description: input.description ?? "",
        inputSchema: input.inputSchema ?? {},
        annotations: input.annotations ?? {},
      };
      const now = ctx.clock();
      const [row] = await tx
        .insert(tools)
        .values({
          id: uuidv7(),
          upstreamId: input.upstreamId,
          ...definition,
          labels: input.labels ?? {},
          http: input.http ?? null,
          sensitive: input.sensitive ?? false,
          status: input.status ?? "active",
          pinnedHash: toolDefinitionHash(definition),
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const tool = row as ToolRow;
      return { result: tool, audit: { action: "tool.create", targetType: "tool", targetId: tool.id, after: tool } };
    },
    duplicateName(input.name),
  );
}

export async function updateTool({
  ctx,
  id,
  input,
}: {
  ctx: ServiceContext;
  id: string;
  input: ToolPatch;
}): Promise<ToolRow> {
  return mutate(
    ctx,
    "tools:write",
    async (tx) => {
      const before = await rowById(tx, tools, "tool", id);
      await checkUpstream(tx, before.upstreamId, input.http, false);
      const changes = definedOnly(input);
      const pinnedHash = toolDefinitionHash({ ...before, ...changes });
      const [row] = await tx
        .update(tools)
        .set({ ...changes, pinnedHash, updatedAt: ctx.clock() })
        .where(eq(tools.id, id))
        .returning();
      const after = row as ToolRow;
      return {
        result: after,
        audit: {
          action: "tool.update",
          targetType: "tool",
          targetId: id,
          before,
          after,
          ...(pinnedHash !== before.pinnedHash
            ? { details: { repinned: { from: before.pinnedHash, to: pinnedHash } } }
            : {}),
        },
      };
    },
    duplicateName(input.name),
  );
}

export async function deleteTool({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<void> {
  await mutate(ctx, "tools:write", async (tx) => {
    const before = await rowById(tx, tools, "tool", id);
    await tx.delete(tools).where(eq(tools.id, id));
    return { result: undefined, audit: { action: "tool.delete", targetType: "tool", targetId: id, before } };
  });
}

/**
 * Approves a quarantined tool's changed definition: the definition seen upstream (`pendingDefinition`) becomes
 * the tool's definition, its hash is pinned, and the tool is active again. The caller names the hash they
 * reviewed, so a definition that changed again while they looked is refused (409), as is a pending definition
 * that does not hash to its recorded hash.
 */
export async function approveToolDefinition({
  ctx,
  id,
  reviewedHash,
  comment,
}: {
  ctx: ServiceContext;
  id: string;
  reviewedHash: string;
  comment?: string | undefined;
}): Promise<ToolRow> {
  return mutate(ctx, "tools:approve", async (tx) => {
    const before = await rowById(tx, tools, "tool", id);
    if (before.status !== "quarantined") throw conflict(`tool ${before.name} is ${before.status}, not quarantined`);
    if (before.pendingDefinition === null || before.pendingHash === null) {
      throw conflict(`tool ${before.name} has no changed definition waiting for review`);
    }
    if (before.pendingHash !== reviewedHash) {
      throw conflict(
        `the definition waiting for review is ${before.pendingHash}, not ${reviewedHash}: it changed; review it again`,
      );
    }
    const definition = pendingToolDefinition(before.pendingDefinition);
    if (!definition || toolDefinitionHash(definition) !== before.pendingHash) {
      throw conflict(`the definition waiting for review does not match its recorded hash; nothing was pinned`);
    }
    const [row] = await tx
      .update(tools)
      .set({
        ...definition,
        status: "active",
        pinnedHash: before.pendingHash,
        pendingDefinition: null,
        pendingHash: null,
        updatedAt: ctx.clock(),
      })
      .where(and(eq(tools.id, id), eq(tools.pendingHash, reviewedHash)))
      .returning();
    if (!row) throw conflict("the tool changed while it was being approved; review it again");
    return {
      result: row,
      audit: {
        action: "tool.approve",
        targetType: "tool",
        targetId: id,
        before,
        after: row,
        details: { repinned: { from: before.pinnedHash, to: before.pendingHash }, comment: comment ?? "" },
      },
    };
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A stored pending definition, only if it has exactly the shape of a definition (fail closed otherwise). */
function pendingToolDefinition(pending: Record<string, unknown>): ToolDefinition | undefined {
  const { name, description, inputSchema, annotations } = pending;
  if (typeof name !== "string" || !/^[A-Za-z0-9_./-]{1,128}$/.test(name)) return undefined;
  if (typeof description !== "string" || !isObject(inputSchema)) return undefined;
  if (annotations !== undefined && !isObject(annotations)) return undefined;
  return { name, description, inputSchema, annotations: annotations ?? {} };
}

/** The upstream must exist; HTTP upstreams need a request mapping per tool, MCP and A2A upstreams refuse one. */
async function checkUpstream(
  tx: Tx,
  upstreamId: string,
  http: Record<string, unknown> | undefined,
  creating: boolean,
): Promise<void> {
  const [upstream] = await tx.select({ kind: upstreams.kind }).from(upstreams).where(eq(upstreams.id, upstreamId));
  if (!upstream) throw invalidField("body.upstreamId", `upstream ${upstreamId} does not exist`);
  if (upstream.kind !== "http" && http !== undefined) {
    throw invalidField(
      "body.http",
      `only tools on HTTP upstreams take an HTTP mapping; this upstream is ${upstream.kind}`,
    );
  }
  if (upstream.kind === "http" && creating && http === undefined) {
    throw invalidField("body.http", "required for a tool on an HTTP upstream: how to turn a call into a request");
  }
}
