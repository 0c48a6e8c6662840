// Keeps every gateway group's snapshot current: it LISTENs for configuration changes (database triggers, so
// edits from any replica or from plain SQL count), rebuilds at once on the first change, coalesces bursts
// that arrive while a rebuild runs into one more rebuild, and offers new versions to connected nodes.
import { asc } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { gatewayGroups } from "../db/schema.ts";
import type { KeyRing } from "../keys/control-plane-keys.ts";
import { latestSnapshot, type PublishedSnapshot, publishSnapshot } from "./publish.ts";

export interface ConfigPublisher {
  start(): Promise<void>;
  /** The group's current snapshot, publishing the first one if needed. */
  currentSnapshot(groupId: string): Promise<PublishedSnapshot | undefined>;
  /** Rebuilds now (or right after the rebuild in progress) and resolves when done. */
  rebuild(reason: string): Promise<void>;
  /** Called with each group's snapshot after a rebuild that produced a new version. */
  onPublished(listener: (snapshot: PublishedSnapshot) => void | Promise<void>): void;
  stop(): Promise<void>;
}

export function createConfigPublisher(options: {
  database: Database;
  secretKey: Buffer;
  keys: () => KeyRing;
  log: (level: "info" | "warn", msg: string, fields?: Record<string, unknown>) => void;
}): ConfigPublisher {
  const { database } = options;
  const cache = new Map<string, PublishedSnapshot>();
  const listeners: ((s: PublishedSnapshot) => void | Promise<void>)[] = [];
  let running: Promise<void> | undefined;
  let again: { reason: string; waiters: (() => void)[] } | undefined;
  let unlisten: (() => Promise<void>) | undefined;

  async function publishGroup(groupId: string, reason: string) {
    const snap = await publishSnapshot(database.db, options.secretKey, options.keys(), groupId, reason);
    if (!snap) return undefined;
    const previous = cache.get(groupId);
    cache.set(groupId, snap);
    if (!previous || previous.version !== snap.version) {
      if (snap.created) options.log("info", "published config snapshot", { groupId, version: snap.version, reason });
      for (const l of listeners) await l(snap);
    }
    return snap;
  }

  async function runOnce(reason: string) {
    const groups = await database.db
      .select({ id: gatewayGroups.id })
      .from(gatewayGroups)
      .orderBy(asc(gatewayGroups.id));
    for (const g of groups) await publishGroup(g.id, reason);
  }

  function rebuild(reason: string): Promise<void> {
    if (!running) {
      running = runOnce(reason)
        .catch((err) => options.log("warn", "snapshot rebuild failed", { err: String(err) }))
        .finally(() => {
          running = undefined;
          const next = again;
          again = undefined;
          if (next) {
            void rebuild(next.reason).then(() => {
              for (const w of next.waiters) w();
            });
          }
        });
      return running;
    }
    // A rebuild is in progress: everything that arrives now is folded into exactly one more.
    again ??= { reason, waiters: [] };
    const pending = again;
    return new Promise((resolve) => pending.waiters.push(resolve));
  }

  return {
    async start() {
      unlisten = await database.listen("portcullis_config", (table) => void rebuild(`changed: ${table}`));
      await rebuild("start");
    },
    async currentSnapshot(groupId) {
      return (
        cache.get(groupId) ?? (await latestSnapshot(database.db, groupId)) ?? (await publishGroup(groupId, "first"))
      );
    },
    rebuild,
    onPublished(listener) {
      listeners.push(listener);
    },
    async stop() {
      await unlisten?.().catch(() => {});
      await running;
    },
  };
}
