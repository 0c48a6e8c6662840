// Looks up the public keys a data-plane node registered at enrollment. Keys of revoked nodes, and revoked keys,
// are never returned for authentication; `includeRevoked` serves verification of history.

import type { KeyObject } from "node:crypto";
import { importPublicJwk, type TrustedKeys } from "@portcullis/proto";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { dpNodes, nodeKeys } from "../db/schema.ts";

export interface NodeRecord {
  id: string;
  groupId: string;
  name: string;
  revokedAt: Date | null;
}

export async function findNode(db: Db, nodeId: string): Promise<NodeRecord | undefined> {
  const [row] = await db
    .select({ id: dpNodes.id, groupId: dpNodes.groupId, name: dpNodes.name, revokedAt: dpNodes.revokedAt })
    .from(dpNodes)
    .where(eq(dpNodes.id, nodeId));
  return row;
}

export async function nodeSigningKeys(
  db: Db,
  nodeId: string,
  options: { includeRevoked?: boolean } = {},
): Promise<TrustedKeys> {
  const rows = await db
    .select()
    .from(nodeKeys)
    .where(
      and(
        eq(nodeKeys.nodeId, nodeId),
        eq(nodeKeys.use, "signing"),
        options.includeRevoked ? undefined : isNull(nodeKeys.revokedAt),
      ),
    );
  const keys = new Map<string, KeyObject>();
  for (const r of rows) keys.set(r.kid, importPublicJwk(r.publicJwk).publicKey);
  return keys;
}

/** The node that owns a signing key id, if the key is live. */
export async function nodeForSigningKid(db: Db, kid: string): Promise<{ nodeId: string; key: KeyObject } | undefined> {
  const [row] = await db
    .select()
    .from(nodeKeys)
    .where(and(eq(nodeKeys.kid, kid), eq(nodeKeys.use, "signing"), isNull(nodeKeys.revokedAt)));
  if (!row) return undefined;
  return { nodeId: row.nodeId, key: importPublicJwk(row.publicJwk).publicKey };
}
