// Sliding-window call counters for the rate limits (rate-limits.ts): in memory for one node, or in Redis when the
// node uses Redis (REDIS_URL), shared by every node. Each counter is a log of call times; a call fits when every
// counter it touches holds fewer than `limit` calls in the last `window`, and is then counted in all of them at once
// (never in some only). In Redis the check and the count are one Lua script, so concurrent calls on any number of
// nodes cannot overshoot a limit, and the time is Redis's own (no clock skew between nodes). Any Redis failure fails
// closed: quota_unavailable, never an uncounted call.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "../log.ts";
import { openStoreClient } from "../session/redis-client.ts";
import type { QuotaCheck } from "./rate-limits.ts";

export type QuotaResult =
  | { ok: true }
  | {
      ok: false;
      code: "rate_limited";
      /** The counter that refused (the one that frees up last, when several are full). */
      scope: string;
      limit: number;
      windowSeconds: number;
      /** When a call would fit again. */
      retryAfterMs: number;
    }
  | { ok: false; code: "quota_unavailable"; message: string };

export interface QuotaStore {
  readonly kind: "memory" | "redis";
  /** Counts the call against every check, or against none and says why. */
  take(checks: readonly QuotaCheck[]): Promise<QuotaResult>;
  close(): Promise<void>;
}

const refused = (check: QuotaCheck, retryAfterMs: number): QuotaResult => ({
  ok: false,
  code: "rate_limited",
  scope: check.scope,
  limit: check.limit,
  windowSeconds: check.windowMs / 1000,
  retryAfterMs: Math.max(1, Math.ceil(retryAfterMs)),
});

export interface MemoryQuotaOptions {
  now?: () => number;
  /** How often counters with nothing in their window are dropped. Default 60 s. */
  sweepIntervalMs?: number;
}

export function createMemoryQuotaStore(options: MemoryQuotaOptions = {}): QuotaStore {
  const now = options.now ?? Date.now;
  // Call times, ascending, per counter; `window` is the last one it was checked with (for the sweep).
  const counters = new Map<string, { times: number[]; windowMs: number }>();
  const trim = (times: number[], cutoff: number) => {
    let drop = 0;
    while (drop < times.length && (times[drop] as number) <= cutoff) drop += 1;
    if (drop > 0) times.splice(0, drop);
  };
  const sweep = setInterval(() => {
    const at = now();
    for (const [key, counter] of counters) {
      trim(counter.times, at - counter.windowMs);
      if (counter.times.length === 0) counters.delete(key);
    }
  }, options.sweepIntervalMs ?? 60_000);
  sweep.unref();

  return {
    kind: "memory",
    async take(checks) {
      if (checks.length === 0) return { ok: true };
      const at = now();
      let worst: { check: QuotaCheck; retryAfterMs: number } | undefined;
      const touched: { times: number[] }[] = [];
      for (const check of checks) {
        let counter = counters.get(check.key);
        if (!counter) {
          counter = { times: [], windowMs: check.windowMs };
          counters.set(check.key, counter);
        }
        counter.windowMs = check.windowMs;
        trim(counter.times, at - check.windowMs);
        if (counter.times.length >= check.limit) {
          // The call fits once enough of the oldest calls have left the window.
          const freeing = counter.times[counter.times.length - check.limit] as number;
          const retryAfterMs = freeing + check.windowMs - at;
          if (!worst || retryAfterMs > worst.retryAfterMs) worst = { check, retryAfterMs };
        }
        touched.push(counter);
      }
      if (worst) return refused(worst.check, worst.retryAfterMs);
      for (const counter of touched) counter.times.push(at);
      return { ok: true };
    },
    async close() {
      clearInterval(sweep);
      counters.clear();
    },
  };
}

/** KEYS: one counter each. ARGV: member, then limit and window (ms) for each key. Returns {1} or {0, index, retryMs}. */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local worst, worstRetry = 0, -1
for i, key in ipairs(KEYS) do
  local limit, window = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count >= limit then
    local freeing = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
    local retry = tonumber(freeing[2]) + window - now
    if retry > worstRetry then worst, worstRetry = i, retry end
  end
end
if worst > 0 then return {0, worst, worstRetry} end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[1])
  redis.call('PEXPIRE', key, tonumber(ARGV[2 * i + 1]))
end
return {1}
`;

export const DEFAULT_QUOTA_KEY_PREFIX = "portcullis:quota:";

export interface RedisQuotaOptions {
  url?: string;
  /** A client the caller owns (not closed by close()). */
  client?: Redis;
  keyPrefix?: string;
  /** How long one Redis command may take before the call fails closed. Default 3 s. */
  commandTimeoutMs?: number;
  logger?: Logger;
}

export function createRedisQuotaStore(options: RedisQuotaOptions): QuotaStore {
  const prefix = options.keyPrefix ?? DEFAULT_QUOTA_KEY_PREFIX;
  const { logger } = options;
  const owned = options.client === undefined;
  const client = options.client ?? openStoreClient(options.url, options.commandTimeoutMs);
  let down = false;
  const onError = (error: Error) => {
    if (!down) logger?.warn({ err: error.message }, "the quota store (Redis) is unreachable");
    down = true;
  };
  const onReady = () => {
    if (down) logger?.info({}, "the quota store (Redis) is reachable again");
    down = false;
  };
  client.on("error", onError);
  client.on("ready", onReady);
  client.defineCommand("portcullisQuotaTake", { lua: TAKE });
  type WithTake = Redis & { portcullisQuotaTake(numKeys: number, ...args: string[]): Promise<unknown[]> };

  return {
    kind: "redis",
    async take(checks) {
      if (checks.length === 0) return { ok: true };
      const keys = checks.map((c) => `${prefix}${c.key}`);
      const args = [randomUUID(), ...checks.flatMap((c) => [String(c.limit), String(c.windowMs)])];
      let answer: unknown[];
      try {
        answer = await (client as WithTake).portcullisQuotaTake(keys.length, ...keys, ...args);
      } catch (error) {
        // The detail (which may name the store's address) goes to the log, not to the caller.
        logger?.warn({ err: error instanceof Error ? error.message : String(error) }, "quota store command failed");
        return {
          ok: false,
          code: "quota_unavailable",
          message: "the quota store is unavailable: the call was not counted, so it was not executed; retry later",
        };
      }
      if (answer[0] === 1) return { ok: true };
      const check = checks[Number(answer[1]) - 1];
      if (!check) return { ok: false, code: "quota_unavailable", message: "the quota store gave an unusable answer" };
      return refused(check, Number(answer[2]));
    },
    async close() {
      client.off("error", onError);
      client.off("ready", onReady);
      if (owned) client.disconnect();
    },
  };
}
