// The session ledger: per gateway session, the call history policies read (calls with decision and arguments,
// approvals, taints). decideAndRecord runs a decision against the history and records the call in one critical
// section per session, so two concurrent calls never both pass a "once per session" rule. A session the ledger
// expired or evicted answers session_expired, never a silent reset to a clean history. In memory here; shared
// between nodes on Redis in redis-ledger.ts.
import type { ApprovalGrant, JsonObject, Outcome } from "@portcullis/policy";

/** Which session a call belongs to, from its verified token. */
export interface SessionKey {
  /** The token's `sid`. */
  id: string;
  /** The operator (`sub`) and the acting agent (`act.sub`): a session is bound to both at first use. */
  subject: string;
  agentId: string;
  /** The token's `iat` and `exp`, in seconds. */
  tokenIssuedAt: number;
  tokenExpiresAt: number;
}

export interface LedgerCall {
  readonly tool: string;
  readonly decision: Outcome;
  readonly at: Date;
  readonly args: JsonObject;
}

/** What a decision sees of its session. Read-only; valid only inside the decide function. */
export interface SessionHistory {
  readonly id: string;
  readonly startedAt: Date;
  readonly calls: readonly LedgerCall[];
  readonly approvals: readonly ApprovalGrant[];
  readonly taints: readonly string[];
}

/** What the decide function records for its call. */
export interface CallRecord {
  tool: string;
  decision: Outcome;
  args: JsonObject;
  at?: Date;
  /** Marks to add to the session (e.g. "read_sensitive_data"). */
  taints?: readonly string[];
  /** Approval ids the decision used; each approves one call, so they are removed. */
  consumedApprovals?: readonly string[];
}

export type LedgerRefusalCode =
  | "session_expired"
  | "session_binding_violation"
  | "session_call_limit"
  /** The shared store (Redis) could not be reached or the session's lock not taken: the call was not decided. */
  | "session_store_unavailable";

export type LedgerResult<T> = { ok: true; value: T } | { ok: false; code: LedgerRefusalCode; message: string };

export interface SessionLedger {
  /**
   * Runs `decide` with the session's current history and records what it returns, atomically per session.
   * A token whose `sid` the ledger has never seen starts that session (first use), unless the token predates the
   * ledger itself (the node restarted and lost the history: session_expired).
   */
  decideAndRecord<T>(
    session: SessionKey,
    decide: (history: SessionHistory) => { record: CallRecord; value: T } | Promise<{ record: CallRecord; value: T }>,
  ): Promise<LedgerResult<T>>;
  /** Adds an approval a person granted to a live session. False when the session is unknown or expired; rejects
   * when a shared store cannot be reached. */
  grantApproval(sessionId: string, grant: ApprovalGrant): Promise<boolean>;
  /** Live sessions. */
  size(): Promise<number>;
  /** Stops the expiry timer (and closes the store's connection when the ledger opened it). */
  close(): Promise<void>;
}

export interface MemoryLedgerOptions {
  /** A session unused this long expires. Default 30 minutes. */
  idleTtlMs?: number;
  /** Tolerance added to a token's `exp` when bounding its session. Default 30 s. */
  clockToleranceMs?: number;
  /** Live sessions kept; past it the least recently used one is expired (and answers session_expired). */
  maxSessions?: number;
  /** Calls per session; past it calls are refused with session_call_limit. */
  maxCallsPerSession?: number;
  /**
   * Tokens issued before this time (ms) whose session the ledger does not hold are refused with session_expired:
   * the session may have history this ledger lost (a restart). Default: when the ledger was created, less 1 s.
   * Set 0 to disable.
   */
  refuseSessionsIssuedBeforeMs?: number;
  /** How long an expired session keeps answering session_expired after its last token could still be valid. */
  tombstoneGraceMs?: number;
  /** How often expired sessions are swept. Default 60 s. */
  sweepIntervalMs?: number;
  now?: () => number;
}

export const DEFAULT_SESSION_IDLE_TTL_MS = 30 * 60_000;

interface SessionState {
  readonly id: string;
  readonly subject: string;
  readonly agentId: string;
  readonly startedAt: Date;
  readonly calls: LedgerCall[];
  approvals: ApprovalGrant[];
  readonly taints: string[];
  lastUsedMs: number;
  /** No valid token can reach the session after this (latest token `exp` + tolerance). */
  hardExpiryMs: number;
  /** The per-session critical section: each call chains onto the previous one. */
  tail: Promise<void>;
}

export function createMemoryLedger(options: MemoryLedgerOptions = {}): SessionLedger {
  const now = options.now ?? Date.now;
  const idleTtlMs = options.idleTtlMs ?? DEFAULT_SESSION_IDLE_TTL_MS;
  const toleranceMs = options.clockToleranceMs ?? 30_000;
  const maxSessions = options.maxSessions ?? 100_000;
  const maxCalls = options.maxCallsPerSession ?? 1_000;
  const notBeforeMs = options.refuseSessionsIssuedBeforeMs ?? now() - 1_000;
  const graceMs = options.tombstoneGraceMs ?? 15 * 60_000;
  const sessions = new Map<string, SessionState>();
  /** Expired session ids → until when they keep answering session_expired. */
  const tombstones = new Map<string, number>();

  const expired = (s: SessionState, at: number) => at > s.lastUsedMs + idleTtlMs || at > s.hardExpiryMs;

  function expire(s: SessionState, at: number): void {
    sessions.delete(s.id);
    tombstones.set(s.id, Math.max(s.hardExpiryMs, at) + graceMs);
  }

  function sweep(): void {
    const at = now();
    for (const s of sessions.values()) if (expired(s, at)) expire(s, at);
    for (const [id, until] of tombstones) if (at > until) tombstones.delete(id);
  }
  const timer = setInterval(sweep, options.sweepIntervalMs ?? 60_000);
  timer.unref();

  const refusal = <T>(code: LedgerRefusalCode, message: string): LedgerResult<T> => ({ ok: false, code, message });
  const EXPIRED = "the session has expired; start a new session (token exchange)";

  /** The live session for this key, a new one, or why there is none. Synchronous: no interleaving. */
  function open(key: SessionKey): SessionState | LedgerResult<never> {
    const at = now();
    const existing = sessions.get(key.id);
    if (existing) {
      if (expired(existing, at)) {
        expire(existing, at);
        return refusal("session_expired", EXPIRED);
      }
      if (existing.subject !== key.subject || existing.agentId !== key.agentId) {
        return refusal("session_binding_violation", "the session belongs to another operator or agent");
      }
      existing.hardExpiryMs = Math.max(existing.hardExpiryMs, key.tokenExpiresAt * 1000 + toleranceMs);
      return existing;
    }
    const tombstone = tombstones.get(key.id);
    if (tombstone !== undefined) {
      if (at <= tombstone) return refusal("session_expired", EXPIRED);
      tombstones.delete(key.id);
    }
    if (key.tokenIssuedAt * 1000 < notBeforeMs) {
      return refusal(
        "session_expired",
        "this gateway node does not hold the session's history (it started after the session did); start a new session",
      );
    }
    if (sessions.size >= maxSessions) {
      sweep();
      if (sessions.size >= maxSessions) {
        const lru = sessions.values().next().value;
        if (lru) expire(lru, at);
      }
    }
    const created: SessionState = {
      id: key.id,
      subject: key.subject,
      agentId: key.agentId,
      startedAt: new Date(at),
      calls: [],
      approvals: [],
      taints: [],
      lastUsedMs: at,
      hardExpiryMs: key.tokenExpiresAt * 1000 + toleranceMs,
      tail: Promise.resolve(),
    };
    sessions.set(key.id, created);
    return created;
  }

  async function decideAndRecord<T>(
    key: SessionKey,
    decide: (history: SessionHistory) => { record: CallRecord; value: T } | Promise<{ record: CallRecord; value: T }>,
  ): Promise<LedgerResult<T>> {
    const opened = open(key);
    if (!("tail" in opened)) return opened;
    const state = opened;
    const turn = state.tail.then(async (): Promise<LedgerResult<T>> => {
      // The session may have expired (or been evicted) while this call waited for its turn.
      if (sessions.get(state.id) !== state) return refusal("session_expired", EXPIRED);
      if (state.calls.length >= maxCalls) {
        return refusal("session_call_limit", `the session reached ${maxCalls} calls; start a new session`);
      }
      const { record, value } = await decide({
        id: state.id,
        startedAt: state.startedAt,
        calls: state.calls,
        approvals: state.approvals,
        taints: state.taints,
      });
      const at = record.at ?? new Date(now());
      state.calls.push(Object.freeze({ tool: record.tool, decision: record.decision, at, args: record.args }));
      for (const taint of record.taints ?? []) if (!state.taints.includes(taint)) state.taints.push(taint);
      if (record.consumedApprovals && record.consumedApprovals.length > 0) {
        const used = new Set(record.consumedApprovals);
        state.approvals = state.approvals.filter((g) => !used.has(g.id));
      }
      state.lastUsedMs = Math.max(state.lastUsedMs, now());
      // Most recently used last, so eviction takes the least recently used.
      sessions.delete(state.id);
      sessions.set(state.id, state);
      return { ok: true, value };
    });
    state.tail = turn.then(
      () => {},
      () => {},
    );
    return turn;
  }

  return {
    decideAndRecord,
    async grantApproval(sessionId, grant) {
      const state = sessions.get(sessionId);
      if (!state || expired(state, now())) return false;
      state.approvals.push(grant);
      return true;
    },
    size: async () => sessions.size,
    close: async () => clearInterval(timer),
  };
}
