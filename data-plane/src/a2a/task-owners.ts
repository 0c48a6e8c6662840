// Who owns an A2A task or context: the gateway session whose call created (or first named) it. Every call that reads,
// cancels, resubscribes to, continues or configures pushes for a task must come from its owner; anything else is
// answered exactly like an unknown task. In memory (one node) or in Redis (REDIS_URL: every node sees every owner,
// so a task created through node A is refused to another session on node B). Owners expire after a day.
import type { Redis } from "ioredis";
import { openStoreClient } from "../session/redis-client.ts";

export interface TaskOwner {
  /** The gateway session (token `sid`). */
  sid: string;
  /** The operator (token `sub`). */
  sub: string;
  /** The agent's id in the snapshot. */
  agentId: string;
}

/** The owner may act: the same gateway session, or the same operator through the same agent (a later session). */
export const sameOwner = (owner: TaskOwner, caller: TaskOwner): boolean =>
  owner.sid === caller.sid || (owner.sub === caller.sub && owner.agentId === caller.agentId);

export type OwnersResult<T> = { ok: true; value: T } | { ok: false; message: string };

export interface TaskOwnerStore {
  /** Records `owner` for each key that has none; answers the owner recorded for each key (after the claim). */
  claim(keys: readonly string[], owner: TaskOwner): Promise<OwnersResult<(TaskOwner | undefined)[]>>;
  /** The recorded owners (undefined: unknown to the gateway). */
  owners(keys: readonly string[]): Promise<OwnersResult<(TaskOwner | undefined)[]>>;
  close(): Promise<void>;
}

export const DEFAULT_TASK_OWNER_TTL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_REDIS_TASK_PREFIX = "portcullis:a2a:";

export const taskKey = (upstreamId: string, taskId: string) => `t:${upstreamId}:${taskId}`;
export const contextKey = (upstreamId: string, contextId: string) => `c:${upstreamId}:${contextId}`;

const parseOwner = (raw: string | null): TaskOwner | undefined => {
  if (raw === null) return undefined;
  try {
    const v = JSON.parse(raw) as TaskOwner;
    return typeof v.sid === "string" && typeof v.sub === "string" && typeof v.agentId === "string" ? v : undefined;
  } catch {
    return undefined;
  }
};

export function createMemoryTaskOwners(options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}) {
  const ttlMs = options.ttlMs ?? DEFAULT_TASK_OWNER_TTL_MS;
  const maxEntries = options.maxEntries ?? 200_000;
  const now = options.now ?? Date.now;
  // Insertion order is expiry order (same TTL for all), so the oldest entries are evicted first.
  const entries = new Map<string, { owner: TaskOwner; expiresAt: number }>();
  const get = (key: string): TaskOwner | undefined => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry.owner;
  };
  const store: TaskOwnerStore = {
    async claim(keys, owner) {
      const out = keys.map((key) => {
        const known = get(key);
        if (known) return known;
        entries.set(key, { owner, expiresAt: now() + ttlMs });
        while (entries.size > maxEntries) {
          const oldest = entries.keys().next().value as string;
          entries.delete(oldest);
        }
        return owner;
      });
      return { ok: true, value: out };
    },
    async owners(keys) {
      return { ok: true, value: keys.map(get) };
    },
    async close() {},
  };
  return store;
}

export function createRedisTaskOwners(options: {
  url?: string;
  client?: Redis;
  keyPrefix?: string;
  ttlMs?: number;
  commandTimeoutMs?: number;
  logger?: { warn(obj: object, msg: string): void };
}): TaskOwnerStore {
  const prefix = options.keyPrefix ?? DEFAULT_REDIS_TASK_PREFIX;
  const ttlSeconds = Math.max(1, Math.round((options.ttlMs ?? DEFAULT_TASK_OWNER_TTL_MS) / 1000));
  const owned = options.client === undefined;
  const client = options.client ?? openStoreClient(options.url, options.commandTimeoutMs);
  client.on("error", () => {});
  const failed = (error: unknown): { ok: false; message: string } => {
    options.logger?.warn(
      { err: error instanceof Error ? error.message : String(error) },
      "A2A task owner store failed",
    );
    return { ok: false, message: "the task ownership store is unavailable: the call was not forwarded; retry later" };
  };
  return {
    async claim(keys, owner) {
      if (keys.length === 0) return { ok: true, value: [] };
      const value = JSON.stringify(owner);
      try {
        const pipeline = client.multi();
        for (const key of keys) {
          pipeline.set(`${prefix}${key}`, value, "EX", ttlSeconds, "NX");
          pipeline.get(`${prefix}${key}`);
        }
        const replies = (await pipeline.exec()) ?? [];
        const out: (TaskOwner | undefined)[] = [];
        for (let i = 0; i < keys.length; i++) {
          const [error, raw] = replies[i * 2 + 1] ?? [new Error("no reply"), null];
          if (error) return failed(error);
          out.push(parseOwner(raw as string | null));
        }
        return { ok: true, value: out };
      } catch (error) {
        return failed(error);
      }
    },
    async owners(keys) {
      if (keys.length === 0) return { ok: true, value: [] };
      try {
        const raws = await client.mget(...keys.map((k) => `${prefix}${k}`));
        return { ok: true, value: raws.map(parseOwner) };
      } catch (error) {
        return failed(error);
      }
    },
    async close() {
      if (owned) client.disconnect();
    },
  };
}
