// `portcullis start` runs one data-plane node beside the control plane, enrolled automatically: on the first
// start it creates a bootstrap token for the default gateway group and enrolls; later starts reuse the node's
// identity, unless the database no longer knows it (then it enrolls afresh and sets the old identity aside).
import { existsSync, readFileSync, renameSync } from "node:fs";
import path from "node:path";
import { type RunningDataPlane, runDataPlane } from "@portcullis/data-plane";
import { asc, eq } from "drizzle-orm";
import { dpNodes, gatewayGroups } from "./db/schema.ts";
import type { RunningControlPlane } from "./main.ts";
import { createBootstrapToken } from "./services/nodes.ts";

export async function startLocalNode(
  cp: RunningControlPlane,
  options: { dataDir: string; httpAddress: string; logLevel: string },
): Promise<RunningDataPlane> {
  const dir = path.resolve(options.dataDir, "dp");
  const identityFile = path.join(dir, "node.json");
  let bootstrapToken: string | undefined;
  if (existsSync(identityFile)) {
    const { nodeId } = JSON.parse(readFileSync(identityFile, "utf8")) as { nodeId?: string };
    const [row] = nodeId ? await cp.deps.db.select().from(dpNodes).where(eq(dpNodes.id, nodeId)) : [];
    if (!row || row.revokedAt || existsSync(path.join(dir, "revoked.json"))) {
      renameSync(dir, `${dir}.stale-${Date.now()}`);
    }
  }
  if (!existsSync(identityFile)) {
    const [group] = await cp.deps.db.select().from(gatewayGroups).orderBy(asc(gatewayGroups.createdAt)).limit(1);
    if (!group) throw new Error("no gateway group to enroll the local node into");
    const ctx = {
      ...cp.deps,
      actor: { type: "system" as const, id: "local-node", name: "npm start", role: "admin" as const },
      requestId: "startup",
    };
    bootstrapToken = (await createBootstrapToken({ ctx, groupId: group.id, expiresInMinutes: 10 })).token;
  }
  return runDataPlane([], {
    env: {
      PORTCULLIS_CP_GRPC: cp.grpcAddress,
      PORTCULLIS_DP_DATA_DIR: dir,
      PORTCULLIS_DP_HTTP: options.httpAddress,
      PORTCULLIS_DP_NAME: "local",
      PORTCULLIS_LOG_LEVEL: options.logLevel,
      ...(bootstrapToken ? { PORTCULLIS_BOOTSTRAP_TOKEN: bootstrapToken } : {}),
    },
  });
}
