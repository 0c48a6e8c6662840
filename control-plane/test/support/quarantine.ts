// Puts a tool in quarantine with a changed definition waiting for review, as discovery records one when an
// upstream's tools/list differs from the pinned definition (tests only; written to the real database).
import { eq } from "drizzle-orm";
import type { Db } from "../../src/db/client.ts";
import { tools } from "../../src/db/schema.ts";
import { type ToolDefinition, toolDefinitionHash } from "../../src/services/tools.ts";

export async function quarantineWithPendingDefinition(
  db: Db,
  toolId: string,
  pending: ToolDefinition,
): Promise<string> {
  const pendingHash = toolDefinitionHash(pending);
  await db
    .update(tools)
    .set({ status: "quarantined", pendingDefinition: { ...pending }, pendingHash })
    .where(eq(tools.id, toolId));
  return pendingHash;
}
