// Wire shapes of data-plane nodes and their status.
import { z } from "@hono/zod-openapi";
import type { NodeStatus } from "../../services/nodes.ts";

export const Node = z
  .object({
    id: z.string(),
    name: z.string(),
    groupId: z.string(),
    groupName: z.string(),
    labels: z.record(z.string(), z.string()),
    dpVersion: z.string().nullable(),
    enrolledAt: z.string(),
    lastSeenAt: z.string().nullable(),
    online: z.boolean().openapi({ description: "Config stream open and heard from in the last 45 s" }),
    inSync: z.boolean().openapi({ description: "Serves the group's current snapshot version" }),
    servingVersion: z.number().int().nullable(),
    servingSha256: z.string().nullable(),
    currentVersion: z.number().int().nullable().openapi({ description: "The group's newest snapshot version" }),
    lastNack: z
      .object({ version: z.number().int(), reason: z.string(), at: z.string() })
      .nullable()
      .openapi({ description: "The last snapshot the node refused, and why" }),
    spoolDepth: z.number().int().openapi({ description: "Audit events not yet acknowledged by the control plane" }),
    auditLagMs: z.number().int().nullable(),
    lastApplyMs: z.number().int().nullable().openapi({ description: "How long the last config change took to apply" }),
    revokedAt: z.string().nullable(),
  })
  .openapi("Node");

export function nodeOut(n: NodeStatus): z.infer<typeof Node> {
  return {
    id: n.id,
    name: n.name,
    groupId: n.groupId,
    groupName: n.groupName,
    labels: n.labels,
    dpVersion: n.dpVersion,
    enrolledAt: n.enrolledAt.toISOString(),
    lastSeenAt: n.lastSeenAt?.toISOString() ?? null,
    online: n.online,
    inSync: n.inSync,
    servingVersion: n.servingVersion,
    servingSha256: n.servingSha256,
    currentVersion: n.currentVersion,
    lastNack:
      n.lastNackVersion !== null && n.lastNackAt
        ? { version: n.lastNackVersion, reason: n.lastNackReason ?? "", at: n.lastNackAt.toISOString() }
        : null,
    spoolDepth: n.spoolDepth,
    auditLagMs: n.auditLagMs,
    lastApplyMs: n.lastApplyMs,
    revokedAt: n.revokedAt?.toISOString() ?? null,
  };
}
