// Checkpoints: the control plane signs the Merkle root over every batch hash it has received, in arrival
// order. Exported to write-once storage, a checkpoint lets anyone prove later that no stored batch was
// changed, removed or reordered, even by someone with full database access.
import { buildCheckpoint, exportJwks, verifyCheckpoint } from "@portcullis/proto";
import { asc, desc } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { auditBatches, auditCheckpoints } from "../db/schema.ts";
import type { KeyRing } from "../keys/control-plane-keys.ts";
import { uuidv7 } from "../lib/ids.ts";

/** Every batch hash in the order checkpoints commit to: arrival time, then stream and seq. */
export async function batchHashesInOrder(db: Db): Promise<string[]> {
  const rows = await db
    .select({ h: auditBatches.batchHash })
    .from(auditBatches)
    .orderBy(asc(auditBatches.receivedAt), asc(auditBatches.streamId), asc(auditBatches.seq));
  return rows.map((r) => r.h);
}

export interface StoredCheckpoint {
  id: string;
  at: Date;
  treeSize: number;
  root: string;
  jws: string;
}

/** Signs a checkpoint over everything received so far, unless nothing arrived since the last one. */
export async function createCheckpoint(db: Db, keys: KeyRing): Promise<StoredCheckpoint | undefined> {
  const hashes = await batchHashesInOrder(db);
  if (hashes.length === 0) return undefined;
  const [last] = await db.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.at)).limit(1);
  if (last && last.batchCount === hashes.length) return undefined;
  const cp = buildCheckpoint({ batchHashes: hashes, signingKey: keys.active.privateKey, kid: keys.active.kid });
  const row = {
    id: uuidv7(),
    at: new Date(cp.issuedAt * 1000),
    batchCount: cp.treeSize,
    merkleRoot: cp.root,
    jws: cp.jws,
  };
  await db.insert(auditCheckpoints).values(row);
  return { id: row.id, at: row.at, treeSize: cp.treeSize, root: cp.root, jws: cp.jws };
}

export async function listCheckpoints(db: Db): Promise<StoredCheckpoint[]> {
  const rows = await db.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.at));
  return rows.map((r) => ({ id: r.id, at: r.at, treeSize: r.batchCount, root: r.merkleRoot, jws: r.jws }));
}

/** Each stored checkpoint must still match the batches it covered. */
export async function checkStoredCheckpoints(db: Db, keys: KeyRing): Promise<{ id: string; problem: string }[]> {
  const hashes = await batchHashesInOrder(db);
  const problems: { id: string; problem: string }[] = [];
  for (const c of await listCheckpoints(db)) {
    if (c.treeSize > hashes.length) {
      problems.push({
        id: c.id,
        problem: `checkpoint covers ${c.treeSize} batches but only ${hashes.length} are stored`,
      });
      continue;
    }
    const r = verifyCheckpoint(c.jws, keys.trusted, hashes.slice(0, c.treeSize));
    if (!r.ok) problems.push({ id: c.id, problem: `${r.code}: ${r.message}` });
  }
  return problems;
}

export interface CheckpointExport {
  format: "portcullis-audit-checkpoint/v1";
  checkpoint: { treeSize: number; root: string; issuedAt: string; jws: string };
  /** The batch hashes the root covers, in order: enough to recompute it. */
  batchHashes: string[];
  /** The control plane's public keys, to check the signature offline. */
  jwks: { keys: unknown[] };
}

export async function exportCheckpoint(db: Db, keys: KeyRing): Promise<CheckpointExport | undefined> {
  const [latest] = await listCheckpoints(db);
  if (!latest) return undefined;
  const hashes = (await batchHashesInOrder(db)).slice(0, latest.treeSize);
  return {
    format: "portcullis-audit-checkpoint/v1",
    checkpoint: { treeSize: latest.treeSize, root: latest.root, issuedAt: latest.at.toISOString(), jws: latest.jws },
    batchHashes: hashes,
    jwks: exportJwks([...keys.trusted.values()]),
  };
}
