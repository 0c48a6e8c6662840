// Turns the database's current state into a signed, versioned snapshot for a gateway group. A new version is
// taken from the PostgreSQL sequence only when the content changed, so versions are never reused and nodes
// that already serve the current state are left alone. An advisory lock per group keeps replicas from racing.
import { canonicalBytes, sha256Hex, signSnapshot } from "@portcullis/proto";
import { desc, eq, sql } from "drizzle-orm";
import { type Db, rowsOf } from "../db/client.ts";
import { configVersions } from "../db/schema.ts";
import type { KeyRing } from "../keys/control-plane-keys.ts";
import { buildResources } from "./build-resources.ts";

export interface PublishedSnapshot {
  version: number;
  groupId: string;
  sha256: string;
  signature: string;
  resourcesJson: Buffer;
  createdAt: Date;
  /** True when this call created the version. */
  created: boolean;
}

export async function latestSnapshot(db: Db, groupId: string): Promise<PublishedSnapshot | undefined> {
  const [row] = await db
    .select()
    .from(configVersions)
    .where(eq(configVersions.groupId, groupId))
    .orderBy(desc(configVersions.version))
    .limit(1);
  if (!row) return undefined;
  return {
    version: row.version,
    groupId,
    sha256: row.sha256,
    signature: row.signature,
    resourcesJson: row.resources,
    createdAt: row.createdAt,
    created: false,
  };
}

export async function publishSnapshot(
  db: Db,
  secretKey: Buffer,
  keys: KeyRing,
  groupId: string,
  reason: string,
): Promise<PublishedSnapshot | undefined> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7070002, hashtext(${groupId}))`);
    const resources = await buildResources(tx as unknown as Db, secretKey, groupId, keys);
    if (!resources) return undefined;
    const bytes = canonicalBytes(resources);
    const sha = sha256Hex(bytes);
    const latest = await latestSnapshot(tx as unknown as Db, groupId);
    if (latest && latest.sha256 === sha) return latest;
    const [next] = rowsOf<{ v: string | number }>(await tx.execute(sql`select nextval('config_version_seq') as v`));
    const version = Number(next?.v);
    const signed = signSnapshot({ version, resources, signingKey: keys.active.privateKey, kid: keys.active.kid });
    const createdAt = new Date();
    await tx.insert(configVersions).values({
      version,
      groupId,
      sha256: signed.sha256,
      signature: signed.signature,
      resources: signed.resourcesJson,
      reason,
      createdAt,
    });
    return {
      version,
      groupId,
      sha256: signed.sha256,
      signature: signed.signature,
      resourcesJson: signed.resourcesJson,
      createdAt,
      created: true,
    };
  });
}
