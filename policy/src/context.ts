// What the gateway knows about a call, as plain data: the TypeScript side of the contract in context-schema.ts.
// The builders fill safe defaults (least trust, empty history) so callers state only what they know.
import { noteListExtends } from "./cel/values.ts";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type Outcome = "allow" | "deny" | "require_approval";
export type Trust = "first_party" | "third_party";

export interface AgentContext {
  readonly id: string;
  readonly name: string;
  readonly trust: Trust;
  readonly labels: Readonly<Record<string, string>>;
  /** The team or person accountable for the agent. */
  readonly owner: string;
}

export interface OperatorContext {
  /** Subject identifier from the identity provider. */
  readonly sub: string;
  readonly email: string;
  readonly groups: readonly string[];
  readonly department?: string;
  /** The manager's email. */
  readonly manager?: string;
  readonly cost_center?: string;
  /** The amount the operator lets an agent spend without further approval. */
  readonly delegation_limit?: number;
  /** Any other identity-provider attributes. */
  readonly attributes: Readonly<Record<string, JsonValue>>;
}

export interface DelegationHop {
  readonly agent: string;
  readonly trust: Trust;
  readonly owner: string;
}

export interface DelegationContext {
  /** Agents from the one the operator started to the acting agent (the last hop is `agent`). */
  readonly chain: readonly DelegationHop[];
  /** Number of delegations: 0 when the agent acts directly for the operator. */
  readonly depth: number;
  /** Who started the chain. */
  readonly origin: "human" | "system" | "agent";
}

export interface ToolAnnotations {
  readonly destructive: boolean;
  readonly read_only: boolean;
  readonly idempotent: boolean;
  readonly open_world: boolean;
}

export interface ToolContext {
  readonly name: string;
  /** The upstream server or API that serves the tool. */
  readonly upstream: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: ToolAnnotations;
  /** Canonical hash of the pinned tool definition. */
  readonly definition_hash: string;
}

export interface SessionCall {
  readonly tool: string;
  readonly decision: Outcome;
  readonly at: Date;
  readonly args: JsonObject;
}

/** An approval a person granted for one exact call (tool + args digest) under one policy. */
export interface ApprovalGrant {
  readonly id: string;
  readonly tool: string;
  readonly args_digest: string;
  readonly approver: string;
  readonly policy: string;
  readonly at: Date;
}

export interface SessionContext {
  readonly id: string;
  readonly started_at: Date;
  readonly calls: readonly SessionCall[];
  /** Calls that went through (decision `allow`), by tool name. */
  readonly counts: Readonly<Record<string, number>>;
  /** Approvals granted and not yet used. */
  readonly approvals: readonly ApprovalGrant[];
  /** Marks such as "read_sensitive_data" set by earlier calls. */
  readonly taints: readonly string[];
}

export interface RequestContext {
  readonly time: Date;
  /** Client IP address. */
  readonly source: string;
  /** Transport, e.g. "mcp" or "http". */
  readonly protocol: string;
  /** Protocol revision the client speaks, e.g. "2025-11-25". */
  readonly era: string;
}

export interface EnvContext {
  readonly gateway: string;
  readonly node_labels: Readonly<Record<string, string>>;
}

/** Known when listing tools: who is asking, never what happened in a session. */
export interface ListContext {
  readonly agent: AgentContext;
  readonly operator: OperatorContext;
  readonly delegation: DelegationContext;
  readonly env: EnvContext;
}

/** Known when deciding a call. */
export interface CallContext extends ListContext {
  readonly tool: ToolContext;
  readonly args: JsonObject;
  readonly session: SessionContext;
  readonly request: RequestContext;
}

type Time = Date | string | number;

export interface ListContextInput {
  agent: Partial<AgentContext> & { id: string };
  operator?: Partial<OperatorContext>;
  delegation?: { chain?: readonly DelegationHop[]; origin?: DelegationContext["origin"] };
  env?: Partial<EnvContext>;
}

export interface SessionInput {
  id?: string;
  started_at?: Time;
  calls?: readonly { tool: string; decision: Outcome; at?: Time; args?: JsonObject }[];
  approvals?: readonly (Omit<ApprovalGrant, "at"> & { at?: Time })[];
  taints?: readonly string[];
}

export interface CallContextInput extends ListContextInput {
  tool: Partial<Omit<ToolContext, "annotations">> & { name: string; annotations?: Partial<ToolAnnotations> };
  args?: JsonObject;
  session?: SessionInput;
  request?: Partial<Omit<RequestContext, "time">> & { time?: Time };
}

const toDate = (t: Time | undefined, fallback: Date): Date => (t === undefined ? fallback : new Date(t));

const f = Object.freeze;

/**
 * Builds the list-phase context, deeply frozen. Unknown trust is `third_party`: the least trusted. Build it once
 * per session (and tools once per snapshot) and reuse the objects: the engine converts a frozen object once.
 */
export function buildListContext(input: ListContextInput): ListContext {
  const a = input.agent;
  const agent: AgentContext = f({
    id: a.id,
    name: a.name ?? a.id,
    trust: a.trust ?? "third_party",
    labels: f({ ...a.labels }),
    owner: a.owner ?? "",
  });
  const o = input.operator ?? {};
  const operator: OperatorContext = f({
    sub: o.sub ?? "",
    email: o.email ?? "",
    groups: f([...(o.groups ?? [])]),
    attributes: f({ ...o.attributes }),
    ...(o.department === undefined ? {} : { department: o.department }),
    ...(o.manager === undefined ? {} : { manager: o.manager }),
    ...(o.cost_center === undefined ? {} : { cost_center: o.cost_center }),
    ...(o.delegation_limit === undefined ? {} : { delegation_limit: o.delegation_limit }),
  });
  const chain = input.delegation?.chain ?? [{ agent: agent.id, trust: agent.trust, owner: agent.owner }];
  const delegation: DelegationContext = f({
    chain: f(chain.map((h) => f({ agent: h.agent, trust: h.trust, owner: h.owner }))),
    depth: Math.max(0, chain.length - 1),
    origin: input.delegation?.origin ?? "human",
  });
  const env: EnvContext = f({ gateway: input.env?.gateway ?? "", node_labels: f({ ...input.env?.node_labels }) });
  return f({ agent, operator, delegation, env });
}

type SessionInputCall = NonNullable<SessionInput["calls"]>[number];

/**
 * Calls already built, by the (frozen) input record they were built from. A session's history is rebuilt on
 * every decision; a ledger keeps its recorded calls as frozen objects, so each is built once and then reused, and
 * the engine's conversion of a reused (frozen) call is cached as well. Without this a decision cost grew with the
 * length of the session. A record that is not frozen, or has no time of its own, is built afresh every time.
 */
const builtCalls = new WeakMap<object, { readonly atMs: number; readonly call: SessionCall }>();

const timeMs = (t: Time): number => (t instanceof Date ? t.getTime() : new Date(t).getTime());

function sessionCall(c: SessionInputCall, now: Date): SessionCall {
  const reusable = c.at !== undefined && Object.isFrozen(c);
  const atMs = reusable ? timeMs(c.at as Time) : Number.NaN;
  if (reusable) {
    const built = builtCalls.get(c);
    if (built !== undefined && built.atMs === atMs) return built.call;
  }
  const call: SessionCall = f({ tool: c.tool, decision: c.decision, at: toDate(c.at, now), args: c.args ?? {} });
  if (reusable && !Number.isNaN(atMs)) builtCalls.set(c, { atMs, call });
  return call;
}

/** What was last built from a ledger's history array (which only grows): the input then, and what it gave. */
interface BuiltHistory {
  readonly source: readonly SessionInputCall[];
  readonly calls: readonly SessionCall[];
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * By the input array (a ledger's live history): the last history built from it. The next decision of the session
 * only builds the calls appended since, provided every earlier element is still the same frozen record.
 */
const builtHistories = new WeakMap<object, BuiltHistory>();

function buildHistory(input: readonly SessionInputCall[], now: Date): Omit<BuiltHistory, "source"> {
  const before = builtHistories.get(input);
  let kept = 0;
  if (before !== undefined && before.source.length <= input.length) {
    while (kept < before.source.length && before.source[kept] === input[kept]) kept++;
    if (kept < before.source.length) kept = 0;
  }
  if (before !== undefined && kept > 0 && kept === input.length) return before;
  const calls: SessionCall[] = kept > 0 ? (before as BuiltHistory).calls.slice() : [];
  const counts: Record<string, number> = Object.create(null);
  if (kept > 0) Object.assign(counts, (before as BuiltHistory).counts);
  let reusable = true;
  for (let i = kept; i < input.length; i++) {
    const c = input[i] as SessionInputCall;
    reusable &&= c.at !== undefined && Object.isFrozen(c);
    const call = sessionCall(c, now);
    calls.push(call);
    if (call.decision === "allow") counts[call.tool] = (counts[call.tool] ?? 0) + 1;
  }
  f(calls);
  f(counts);
  if (kept > 0) noteListExtends(calls, (before as BuiltHistory).calls);
  if (reusable) builtHistories.set(input, { source: input.slice(), calls, counts });
  else builtHistories.delete(input);
  return { calls, counts };
}

/** Builds the session part of a call context, frozen; `counts` is derived from `calls`. */
export function buildSessionContext(s: SessionInput, now: Date = new Date()): SessionContext {
  const { calls, counts } = buildHistory(s.calls ?? [], now);
  return f({
    id: s.id ?? "",
    started_at: toDate(s.started_at, now),
    calls,
    counts,
    approvals: f((s.approvals ?? []).map((g) => f({ ...g, at: toDate(g.at, now) }))),
    taints: f([...(s.taints ?? [])]),
  });
}

/**
 * Builds a whole call context, frozen (except `args`, which is used as given: it is what will be forwarded).
 * `now` is the request time when `input.request.time` is not given.
 */
export function buildCallContext(input: CallContextInput, now: Date = new Date()): CallContext {
  const base = buildListContext(input);
  const time = toDate(input.request?.time, now);
  return f({
    ...base,
    tool: buildToolContext(input.tool),
    args: input.args ?? {},
    session: buildSessionContext(input.session ?? {}, time),
    request: f({
      time,
      source: input.request?.source ?? "",
      protocol: input.request?.protocol ?? "mcp",
      era: input.request?.era ?? "",
    }),
  });
}

export function buildToolContext(t: CallContextInput["tool"]): ToolContext {
  return f({
    name: t.name,
    upstream: t.upstream ?? "",
    labels: f({ ...t.labels }),
    annotations: f({
      destructive: t.annotations?.destructive === true,
      read_only: t.annotations?.read_only === true,
      idempotent: t.annotations?.idempotent === true,
      open_world: t.annotations?.open_world === true,
    }),
    definition_hash: t.definition_hash ?? "",
  });
}

/**
 * Maps MCP tool annotations to ours. Each flag is true only when the pinned definition says so explicitly: MCP's
 * own defaults (e.g. `destructiveHint` defaulting to true) are not applied, so "annotated destructive" means it.
 */
export function annotationsFromMcp(hints: {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}): ToolAnnotations {
  return {
    destructive: hints.destructiveHint === true,
    read_only: hints.readOnlyHint === true,
    idempotent: hints.idempotentHint === true,
    open_world: hints.openWorldHint === true,
  };
}

/** Number of calls per tool that went through (`allow`); denied or held attempts do not count. */
export function countAllowedCalls(calls: readonly SessionCall[]): Record<string, number> {
  const counts: Record<string, number> = Object.create(null);
  for (const c of calls) {
    if (c.decision === "allow") counts[c.tool] = (counts[c.tool] ?? 0) + 1;
  }
  return counts;
}

/** A directory entry as the control plane stores it (and ships in snapshots). */
export interface DirectoryOperator {
  subject: string;
  email: string;
  department: string | null;
  manager: string | null;
  costCenter: string | null;
  groups: readonly string[];
  attributes: Readonly<Record<string, unknown>>;
}

/**
 * The operator part of a context from a directory entry. Well-known attributes become typed fields
 * (`delegation_limit` when it is a number); everything else stays under `attributes`. Used by both planes, so
 * a simulation in the console sees the operator exactly as a node does.
 */
export function operatorFromDirectory(d: DirectoryOperator): Partial<OperatorContext> {
  const limit = d.attributes.delegation_limit;
  return {
    sub: d.subject,
    email: d.email,
    groups: [...d.groups],
    attributes: { ...d.attributes } as Record<string, JsonValue>,
    ...(d.department === null ? {} : { department: d.department }),
    ...(d.manager === null ? {} : { manager: d.manager }),
    ...(d.costCenter === null ? {} : { cost_center: d.costCenter }),
    ...(typeof limit === "number" && Number.isFinite(limit) ? { delegation_limit: limit } : {}),
  };
}
