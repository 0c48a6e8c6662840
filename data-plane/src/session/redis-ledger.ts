// The shared session ledger on Redis: any node continues any session with its history intact. The same contract
// as the memory ledger (ledger.ts). Atomicity across nodes: a call takes the session's lock (SET NX PX with a
// random token), reads the history, runs the decision and records it with a Lua script that first checks the
// lock is still its own (a fencing check: a node whose lock expired mid-decision records nothing and answers
// session_store_unavailable), then releases the lock only if it still holds it. Within one node the calls of a
// session queue locally, so only one of them at a time waits on Redis. Every Redis failure fails closed:
// session_store_unavailable, never a decision without history.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { ApprovalGrant, JsonObject, Outcome } from "@portcullis/policy";
import type { Redis } from "ioredis";
import type { Logger } from "../log.ts";
import {
  type CallRecord,
  DEFAULT_SESSION_IDLE_TTL_MS,
  type LedgerCall,
  type LedgerRefusalCode,
  type LedgerResult,
  type MemoryLedgerOptions,
  type SessionHistory,
  type SessionKey,
  type SessionLedger,
} from "./ledger.ts";
import { openStoreClient } from "./redis-client.ts";

export const DEFAULT_REDIS_KEY_PREFIX = "portcullis:ledger:";

export interface RedisLedgerOptions
  extends Omit<MemoryLedgerOptions, "sweepIntervalMs" | "refuseSessionsIssuedBeforeMs" | "maxSessions"> {
  /** A redis:// or rediss:// URL; the ledger owns the connection it opens. */
  url?: string;
  /** Or a client the caller owns (not closed by close()). */
  client?: Redis;
  /** Prefix of every key the ledger uses (several gateways or tests can share one Redis). */
  keyPrefix?: string;
  /** Live sessions kept across all nodes sharing the prefix; past it the least recently used one is expired. */
  maxSessions?: number;
  /**
   * Tokens issued before this time (ms) whose session the store does not hold are refused with session_expired.
   * Default: the store's epoch, set (to now less 1 s) the first time a ledger uses an empty store, so a store that
   * lost its data (flushed, restarted without persistence) refuses the sessions it lost. Set 0 to disable.
   */
  refuseSessionsIssuedBeforeMs?: number;
  /** How long a call holds the session's lock at most (the decision must finish within it). Default 10 s. */
  lockTtlMs?: number;
  /** How long a call waits for the session's lock before failing closed. Default 5 s. */
  lockWaitMs?: number;
  /** How long one Redis command may take before the call fails closed. Default 3 s. */
  commandTimeoutMs?: number;
  logger?: Logger;
}

// Per-session keys: <prefix>s:{<sid>}:meta (hash: subject, agent, startedAt, lastUsed, hardExp), :calls (list of
// JSON calls), :taints (list), :approvals (list of JSON grants), :seen (the session existed: while it lives, an
// unknown session answers session_expired), :lock. Shared keys: <prefix>epoch, <prefix>sessions (zset sid → last use).
const LUA_HELPERS = `
local function int(x) return string.format('%d', math.floor(x)) end
local function tombstone(base, hardExp, now, grace)
  redis.call('DEL', base .. 'meta', base .. 'calls', base .. 'taints', base .. 'approvals')
  redis.call('SET', base .. 'seen', '1', 'PX', int(math.max(hardExp - now, 0) + grace))
end
`;

/** KEYS: base-meta, epoch, sessions. ARGV: now, sid, subject, agent, iatMs, hardExpMs, idle, grace, notBefore, max, prefix. */
const OPEN = `${LUA_HELPERS}
local now, sid = tonumber(ARGV[1]), ARGV[2]
local idle, grace = tonumber(ARGV[7]), tonumber(ARGV[8])
local prefix = ARGV[11]
local base = prefix .. 's:{' .. sid .. '}:'
local m = redis.call('HMGET', base .. 'meta', 'subject', 'agent', 'startedAt', 'lastUsed', 'hardExp')
if m[1] then
  local lastUsed, hardExp = tonumber(m[4]), tonumber(m[5])
  if now > lastUsed + idle or now > hardExp then
    tombstone(base, hardExp, now, grace)
    redis.call('ZREM', KEYS[3], sid)
    return {'refuse', 'session_expired', 'expired'}
  end
  if m[1] ~= ARGV[3] or m[2] ~= ARGV[4] then return {'refuse', 'session_binding_violation', ''} end
  local newHard = tonumber(ARGV[6])
  if newHard > hardExp then
    redis.call('HSET', base .. 'meta', 'hardExp', int(newHard))
    redis.call('SET', base .. 'seen', '1', 'PX', int(math.max(newHard, lastUsed + idle) - now + grace))
  end
  return {'ok', m[3], redis.call('LRANGE', base .. 'calls', 0, -1), redis.call('LRANGE', base .. 'taints', 0, -1),
    redis.call('LRANGE', base .. 'approvals', 0, -1)}
end
if redis.call('EXISTS', base .. 'seen') == 1 then return {'refuse', 'session_expired', 'expired'} end
local notBefore
if ARGV[9] == '' then
  local epoch = redis.call('GET', KEYS[2])
  if not epoch then
    epoch = int(now - 1000)
    redis.call('SET', KEYS[2], epoch)
  end
  notBefore = tonumber(epoch)
else
  notBefore = tonumber(ARGV[9])
end
if tonumber(ARGV[5]) < notBefore then return {'refuse', 'session_expired', 'predates'} end
local max = tonumber(ARGV[10])
-- Sessions idle past their TTL leave the index (their :seen keys still answer session_expired).
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. int(now - idle))
if redis.call('ZCARD', KEYS[3]) >= max then
  while redis.call('ZCARD', KEYS[3]) >= max do
    local victim = redis.call('ZPOPMIN', KEYS[3])
    local vbase = prefix .. 's:{' .. victim[1] .. '}:'
    local vhard = tonumber(redis.call('HGET', vbase .. 'meta', 'hardExp') or now)
    tombstone(vbase, vhard, now, grace)
  end
end
local hardExp = tonumber(ARGV[6])
redis.call('HSET', base .. 'meta', 'subject', ARGV[3], 'agent', ARGV[4], 'startedAt', int(now), 'lastUsed', int(now),
  'hardExp', int(hardExp))
redis.call('PEXPIRE', base .. 'meta', int(idle))
redis.call('SET', base .. 'seen', '1', 'PX', int(math.max(hardExp, now + idle) - now + grace))
redis.call('ZADD', KEYS[3], int(now), sid)
return {'ok', int(now), {}, {}, {}}
`;

/** KEYS: sessions. ARGV: prefix, sid, token, startedAt, now, idle, grace, call, taintCount, taints…, consumed… */
const COMMIT = `${LUA_HELPERS}
local prefix, sid = ARGV[1], ARGV[2]
local base = prefix .. 's:{' .. sid .. '}:'
if redis.call('GET', base .. 'lock') ~= ARGV[3] then return 'lock_lost' end
local m = redis.call('HMGET', base .. 'meta', 'startedAt', 'lastUsed', 'hardExp')
if m[1] ~= ARGV[4] then return 'expired' end
local now, idle, grace = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
redis.call('RPUSH', base .. 'calls', ARGV[8])
local nTaints = tonumber(ARGV[9])
if nTaints > 0 then
  local have = {}
  for _, t in ipairs(redis.call('LRANGE', base .. 'taints', 0, -1)) do have[t] = true end
  for i = 1, nTaints do
    local t = ARGV[9 + i]
    if not have[t] then
      redis.call('RPUSH', base .. 'taints', t)
      have[t] = true
    end
  end
end
if #ARGV > 9 + nTaints then
  local used = {}
  for i = 10 + nTaints, #ARGV do used[ARGV[i]] = true end
  local kept = {}
  for _, g in ipairs(redis.call('LRANGE', base .. 'approvals', 0, -1)) do
    local ok, grant = pcall(cjson.decode, g)
    if not (ok and type(grant) == 'table' and used[grant.id]) then table.insert(kept, g) end
  end
  redis.call('DEL', base .. 'approvals')
  for _, g in ipairs(kept) do redis.call('RPUSH', base .. 'approvals', g) end
end
local lastUsed = math.max(tonumber(m[2]), now)
redis.call('HSET', base .. 'meta', 'lastUsed', int(lastUsed))
for _, k in ipairs({'meta', 'calls', 'taints', 'approvals'}) do redis.call('PEXPIRE', base .. k, int(idle)) end
redis.call('SET', base .. 'seen', '1', 'PX', int(math.max(tonumber(m[3]), lastUsed + idle) - now + grace))
redis.call('ZADD', KEYS[1], int(lastUsed), sid)
return 'ok'
`;

/** ARGV: prefix, sid, now, idle, grant. */
const GRANT = `
local base = ARGV[1] .. 's:{' .. ARGV[2] .. '}:'
local m = redis.call('HMGET', base .. 'meta', 'lastUsed', 'hardExp')
if not m[1] then return 0 end
local now = tonumber(ARGV[3])
if now > tonumber(m[1]) + tonumber(ARGV[4]) or now > tonumber(m[2]) then return 0 end
redis.call('RPUSH', base .. 'approvals', ARGV[5])
local ttl = redis.call('PTTL', base .. 'meta')
if ttl > 0 then redis.call('PEXPIRE', base .. 'approvals', ttl) end
return 1
`;

/** KEYS: lock. ARGV: token. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

const EXPIRED = "the session has expired; start a new session (token exchange)";
const PREDATES =
  "the shared session store does not hold the session's history (it started after the session did); start a new session";

export function createRedisLedger(options: RedisLedgerOptions = {}): SessionLedger {
  const now = options.now ?? Date.now;
  const idleTtlMs = options.idleTtlMs ?? DEFAULT_SESSION_IDLE_TTL_MS;
  const toleranceMs = options.clockToleranceMs ?? 30_000;
  const maxSessions = options.maxSessions ?? 100_000;
  const maxCalls = options.maxCallsPerSession ?? 1_000;
  const graceMs = options.tombstoneGraceMs ?? 15 * 60_000;
  const lockTtlMs = options.lockTtlMs ?? 10_000;
  const lockWaitMs = options.lockWaitMs ?? 5_000;
  const prefix = options.keyPrefix ?? DEFAULT_REDIS_KEY_PREFIX;
  const notBefore =
    options.refuseSessionsIssuedBeforeMs === undefined ? "" : String(Math.floor(options.refuseSessionsIssuedBeforeMs));
  const logger = options.logger;

  const owned = options.client === undefined;
  const client = options.client ?? openStoreClient(options.url, options.commandTimeoutMs);
  let down = false;
  const onError = (error: Error) => {
    if (!down) logger?.warn({ err: error.message }, "the session store (Redis) is unreachable");
    down = true;
  };
  const onReady = () => {
    if (down) logger?.info({}, "the session store (Redis) is reachable again");
    down = false;
    // Claim the store's epoch as soon as the node connects (not at its first call), so sessions started through the
    // control plane after this node came up are never mistaken for sessions a flushed store lost.
    if (notBefore === "") {
      client.set(epochKey, String(now() - 1_000), "NX").catch((error: unknown) => storeError(error));
    }
  };
  client.on("error", onError);
  client.on("ready", onReady);

  const epochKey = `${prefix}epoch`;
  const sessionsKey = `${prefix}sessions`;
  const base = (sid: string) => `${prefix}s:{${sid}}:`;
  if (client.status === "ready") onReady();

  const refusal = <T>(code: LedgerRefusalCode, message: string): LedgerResult<T> => ({ ok: false, code, message });
  const unavailable = <T>(why: string): LedgerResult<T> =>
    refusal(
      "session_store_unavailable",
      `the session store is unavailable (${why}): the call was not decided; retry later`,
    );
  /** A Redis failure: the detail (which may name the store's address) goes to the log, not to the caller. */
  const storeError = (error: unknown): string => {
    logger?.warn({ err: error instanceof Error ? error.message : String(error) }, "session store command failed");
    return "unreachable or failing";
  };

  /** Takes the session's lock: true once held, false when the wait timed out. */
  async function acquire(lockKey: string, token: string): Promise<boolean> {
    const deadline = performance.now() + lockWaitMs;
    for (;;) {
      if ((await client.set(lockKey, token, "PX", lockTtlMs, "NX")) === "OK") return true;
      if (performance.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 6));
    }
  }

  async function attempt<T>(
    key: SessionKey,
    decide: (history: SessionHistory) => { record: CallRecord; value: T } | Promise<{ record: CallRecord; value: T }>,
  ): Promise<LedgerResult<T>> {
    const lockKey = `${base(key.id)}lock`;
    const token = randomUUID();
    try {
      if (!(await acquire(lockKey, token))) return unavailable("timed out waiting for the session's lock");
    } catch (error) {
      return unavailable(storeError(error));
    }
    try {
      let opened: unknown[];
      try {
        opened = (await client.eval(
          OPEN,
          3,
          `${base(key.id)}meta`,
          epochKey,
          sessionsKey,
          now(),
          key.id,
          key.subject,
          key.agentId,
          key.tokenIssuedAt * 1000,
          key.tokenExpiresAt * 1000 + toleranceMs,
          idleTtlMs,
          graceMs,
          notBefore,
          maxSessions,
          prefix,
        )) as unknown[];
      } catch (error) {
        return unavailable(storeError(error));
      }
      if (opened[0] !== "ok") {
        const code = opened[1] as LedgerRefusalCode;
        if (code === "session_binding_violation") {
          return refusal(code, "the session belongs to another operator or agent");
        }
        return refusal("session_expired", opened[2] === "predates" ? PREDATES : EXPIRED);
      }
      const [, startedAt, rawCalls, taints, rawApprovals] = opened as [string, string, string[], string[], string[]];
      if (rawCalls.length >= maxCalls) {
        return refusal("session_call_limit", `the session reached ${maxCalls} calls; start a new session`);
      }
      const { record, value } = await decide({
        id: key.id,
        startedAt: new Date(Number(startedAt)),
        calls: rawCalls.map(parseCall),
        approvals: rawApprovals.map(parseGrant),
        taints,
      });
      const at = record.at ?? new Date(now());
      const call = JSON.stringify({
        tool: record.tool,
        decision: record.decision,
        at: at.toISOString(),
        args: record.args,
      });
      const recordTaints = record.taints ?? [];
      let committed: unknown;
      try {
        committed = await client.eval(
          COMMIT,
          1,
          sessionsKey,
          prefix,
          key.id,
          token,
          startedAt,
          now(),
          idleTtlMs,
          graceMs,
          call,
          recordTaints.length,
          ...recordTaints,
          ...(record.consumedApprovals ?? []),
        );
      } catch (error) {
        return unavailable(storeError(error));
      }
      if (committed === "expired") return refusal("session_expired", EXPIRED);
      if (committed !== "ok") return unavailable("the session's lock expired before the call was recorded");
      return { ok: true, value };
    } finally {
      client.eval(RELEASE, 1, lockKey, token).catch(() => {});
    }
  }

  /** Calls of one session queue here, so only one per node waits on the shared lock. */
  const tails = new Map<string, Promise<void>>();

  return {
    decideAndRecord(key, decide) {
      const turn = (tails.get(key.id) ?? Promise.resolve()).then(() => attempt(key, decide));
      const tail = turn.then(
        () => {},
        () => {},
      );
      tails.set(key.id, tail);
      void tail.then(() => {
        if (tails.get(key.id) === tail) tails.delete(key.id);
      });
      return turn;
    },
    async grantApproval(sessionId, grant) {
      const granted = await client.eval(GRANT, 0, prefix, sessionId, now(), idleTtlMs, JSON.stringify(grant));
      return granted === 1;
    },
    async size() {
      return client.zcount(sessionsKey, `(${now() - idleTtlMs}`, "+inf");
    },
    async close() {
      if (!owned) {
        client.off("error", onError);
        client.off("ready", onReady);
        return;
      }
      if (client.status === "ready") await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}

function parseCall(raw: string): LedgerCall {
  const call = JSON.parse(raw) as { tool: string; decision: Outcome; at: string; args: JsonObject };
  return Object.freeze({ tool: call.tool, decision: call.decision, at: new Date(call.at), args: call.args });
}

function parseGrant(raw: string): ApprovalGrant {
  const grant = JSON.parse(raw) as Omit<ApprovalGrant, "at"> & { at: string };
  return Object.freeze({ ...grant, at: new Date(grant.at) });
}
