// The gateway group's rate limits (`settings.rateLimits` in the snapshot): parsed and checked once when a snapshot
// is applied (a malformed one makes the node refuse the snapshot, so it keeps serving the previous one), then turned
// per call into the counters the call must fit in. Every counter is a sliding window of `windowSeconds` holding at
// most `limit` calls. A call is counted against all of its counters or none (see quota-store.ts).
//
//   "rateLimits": {
//     "agent":    { "limit": 100,  "windowSeconds": 60 },    // each agent, all tools
//     "operator": { "limit": 1000, "windowSeconds": 3600 },  // each operator (token `sub`), all agents and tools
//     "tool":     { "limit": 500,  "windowSeconds": 60 },    // each tool, all callers
//     "tools": { "send_email": { "limit": 5, "windowSeconds": 3600, "per": "agent" } }  // one tool, by name
//   }

/** The most calls one window may hold (a counter keeps one entry per call in its window). */
export const MAX_RATE_LIMIT = 100_000;
/** The longest window: one day. */
export const MAX_WINDOW_SECONDS = 86_400;

export interface RateLimit {
  readonly limit: number;
  readonly windowSeconds: number;
}

export type ToolLimitScope = "all" | "agent" | "operator";

export interface RateLimits {
  readonly agent?: RateLimit;
  readonly operator?: RateLimit;
  readonly tool?: RateLimit;
  /** By tool name; replaces `tool` for that tool when `per` is "all", adds a per-caller counter otherwise. */
  readonly tools: ReadonlyMap<string, RateLimit & { readonly per: ToolLimitScope }>;
}

/** One counter a call is checked against. `scope` names it in errors and audit records. */
export interface QuotaCheck {
  readonly key: string;
  readonly limit: number;
  readonly windowMs: number;
  readonly scope: string;
}

export type RateLimitsParse = { ok: true; value: RateLimits | undefined } | { ok: false; errors: string[] };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function parseLimit(
  value: unknown,
  path: string,
  errors: string[],
  extraKeys: readonly string[] = [],
): RateLimit | undefined {
  if (!isObject(value)) {
    errors.push(`${path}: expected an object {limit, windowSeconds}`);
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (key !== "limit" && key !== "windowSeconds" && !extraKeys.includes(key)) {
      errors.push(`${path}.${key}: unknown key`);
    }
  }
  const { limit, windowSeconds } = value;
  let ok = true;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_RATE_LIMIT) {
    errors.push(`${path}.limit: expected an integer from 1 to ${MAX_RATE_LIMIT}`);
    ok = false;
  }
  if (
    typeof windowSeconds !== "number" ||
    !Number.isInteger(windowSeconds) ||
    windowSeconds < 1 ||
    windowSeconds > MAX_WINDOW_SECONDS
  ) {
    errors.push(`${path}.windowSeconds: expected an integer from 1 to ${MAX_WINDOW_SECONDS}`);
    ok = false;
  }
  return ok ? Object.freeze({ limit: limit as number, windowSeconds: windowSeconds as number }) : undefined;
}

/** Parses `settings.rateLimits`; absent means no limits. Unknown keys and bad values are errors (fail closed). */
export function parseRateLimits(settings: Record<string, unknown>): RateLimitsParse {
  const raw = settings.rateLimits;
  if (raw === undefined || raw === null) return { ok: true, value: undefined };
  const errors: string[] = [];
  if (!isObject(raw)) return { ok: false, errors: ["settings.rateLimits: expected an object"] };
  const out: { agent?: RateLimit; operator?: RateLimit; tool?: RateLimit } = {};
  const tools = new Map<string, RateLimit & { per: ToolLimitScope }>();
  for (const [key, value] of Object.entries(raw)) {
    const path = `settings.rateLimits.${key}`;
    if (key === "agent" || key === "operator" || key === "tool") {
      const limit = parseLimit(value, path, errors);
      if (limit) out[key] = limit;
    } else if (key === "tools") {
      if (!isObject(value)) {
        errors.push(`${path}: expected an object of tool name → {limit, windowSeconds, per?}`);
        continue;
      }
      for (const [name, entry] of Object.entries(value)) {
        const entryPath = `${path}.${name}`;
        const limit = parseLimit(entry, entryPath, errors, ["per"]);
        const per = isObject(entry) ? (entry.per ?? "all") : "all";
        if (per !== "all" && per !== "agent" && per !== "operator") {
          errors.push(`${entryPath}.per: expected "all", "agent" or "operator"`);
          continue;
        }
        if (limit) tools.set(name, Object.freeze({ ...limit, per }));
      }
    } else {
      errors.push(`${path}: unknown key (expected agent, operator, tool or tools)`);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: Object.freeze({ ...out, tools }) };
}

/** The counters one call is checked against: empty when no limit applies to it. */
export function quotaChecksFor(
  limits: RateLimits | undefined,
  call: { agentId: string; operator: string; toolId: string; toolName: string },
): QuotaCheck[] {
  if (!limits) return [];
  const checks: QuotaCheck[] = [];
  const add = (key: string, limit: RateLimit, scope: string) =>
    checks.push({ key, limit: limit.limit, windowMs: limit.windowSeconds * 1000, scope });
  if (limits.agent) add(`a:${call.agentId}`, limits.agent, "agent");
  if (limits.operator) add(`o:${call.operator}`, limits.operator, "operator");
  const own = limits.tools.get(call.toolName);
  if (own?.per === "all") add(`t:${call.toolId}`, own, "tool");
  else if (limits.tool) add(`t:${call.toolId}`, limits.tool, "tool");
  if (own?.per === "agent") add(`ta:${call.toolId}:${call.agentId}`, own, "tool_per_agent");
  if (own?.per === "operator") add(`to:${call.toolId}:${call.operator}`, own, "tool_per_operator");
  return checks;
}
