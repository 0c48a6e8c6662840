// Operators: the people agents act for, with the directory attributes (department, manager, cost centre, groups)
// that policies read as `operator.*` when an issuer's token lacks them. The subject is the issuer's `sub`: unique.
import { eq, ilike, or } from "drizzle-orm";
import { operators } from "../db/schema.ts";
import { uuidv7 } from "../lib/ids.ts";
import { definedOnly } from "./agents.ts";
import type { ServiceContext } from "./context.ts";
import { authorize } from "./rbac.ts";
import { keysetPage, likeContains, mutate, type Page, rowById } from "./store.ts";

export type OperatorRow = typeof operators.$inferSelect;

export interface OperatorInput {
  subject: string;
  email: string;
  displayName?: string | undefined;
  department?: string | null | undefined;
  manager?: string | null | undefined;
  costCenter?: string | null | undefined;
  groups?: string[] | undefined;
  attributes?: Record<string, unknown> | undefined;
}

export interface OperatorFilter {
  q?: string | undefined;
  department?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

const duplicateSubject = (subject: string | undefined) => `an operator with subject "${subject}" already exists`;

export async function listOperators({
  ctx,
  filter,
}: {
  ctx: ServiceContext;
  filter: OperatorFilter;
}): Promise<Page<OperatorRow>> {
  authorize(ctx.actor, "operators:read");
  const q = filter.q ? likeContains(filter.q) : undefined;
  return keysetPage<OperatorRow>(
    ctx.db,
    operators,
    operators.id,
    [
      q ? or(ilike(operators.email, q), ilike(operators.subject, q)) : undefined,
      filter.department ? eq(operators.department, filter.department) : undefined,
    ],
    filter.limit,
    filter.cursor,
  );
}

export async function getOperator({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<OperatorRow> {
  authorize(ctx.actor, "operators:read");
  return rowById(ctx.db, operators, "operator", id);
}

export async function createOperator({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: OperatorInput;
}): Promise<OperatorRow> {
  return mutate(
    ctx,
    "operators:write",
    async (tx) => {
      const now = ctx.clock();
      const [row] = await tx
        .insert(operators)
        .values({
          id: uuidv7(),
          subject: input.subject,
          email: input.email,
          displayName: input.displayName ?? "",
          department: input.department ?? null,
          manager: input.manager ?? null,
          costCenter: input.costCenter ?? null,
          groups: input.groups ?? [],
          attributes: input.attributes ?? {},
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const operator = row as OperatorRow;
      return {
        result: operator,
        audit: { action: "operator.create", targetType: "operator", targetId: operator.id, after: operator },
      };
    },
    duplicateSubject(input.subject),
  );
}

export async function updateOperator({
  ctx,
  id,
  input,
}: {
  ctx: ServiceContext;
  id: string;
  input: Partial<OperatorInput>;
}): Promise<OperatorRow> {
  return mutate(
    ctx,
    "operators:write",
    async (tx) => {
      const before = await rowById(tx, operators, "operator", id);
      const [row] = await tx
        .update(operators)
        .set({ ...definedOnly(input), updatedAt: ctx.clock() })
        .where(eq(operators.id, id))
        .returning();
      const after = row as OperatorRow;
      return {
        result: after,
        audit: { action: "operator.update", targetType: "operator", targetId: id, before, after },
      };
    },
    duplicateSubject(input.subject),
  );
}

export async function deleteOperator({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<void> {
  await mutate(ctx, "operators:write", async (tx) => {
    const before = await rowById(tx, operators, "operator", id);
    await tx.delete(operators).where(eq(operators.id, id));
    return { result: undefined, audit: { action: "operator.delete", targetType: "operator", targetId: id, before } };
  });
}
