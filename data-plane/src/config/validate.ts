// Turns a received (or restored) snapshot into an immutable config engine, or into the list of reasons it was
// refused. Nothing here has side effects: the caller swaps the engine in only when every check passed.
// Checks, in order: signature and hash (verifySnapshot), no rollback, resource references, every policy
// compiles (@portcullis/policy), and the mass-delete guard.

import { compilePolicySet, formatPolicyError, type PolicyEngine, PolicySetError } from "@portcullis/policy";
import {
  checkResources,
  type SnapshotAgent,
  type SnapshotMessage,
  type SnapshotResources,
  type SnapshotTool,
  type SnapshotUpstream,
  type TrustedKeys,
  verifySnapshot,
} from "@portcullis/proto";
import { parseRateLimits, type RateLimits } from "../quota/rate-limits.ts";
import { withPublishedKeys } from "./control-plane-keys.ts";

/** Everything the request path needs from one snapshot, built once when it is applied. Never mutated. */
export interface ConfigEngine {
  readonly version: number;
  /** SHA-256 (hex) of the snapshot's resources bytes. */
  readonly sha256: string;
  /** When the control plane signed it (seconds since the epoch) and with which key. */
  readonly issuedAt: number;
  readonly kid: string;
  /** The parsed resources, deeply frozen. */
  readonly resources: SnapshotResources;
  /** The compiled policy set. */
  readonly policies: PolicyEngine;
  readonly toolsById: ReadonlyMap<string, SnapshotTool>;
  /** Tool names are unique per upstream, not globally, so a name maps to every tool that has it. */
  readonly toolsByName: ReadonlyMap<string, readonly SnapshotTool[]>;
  readonly agentsById: ReadonlyMap<string, SnapshotAgent>;
  readonly agentsByName: ReadonlyMap<string, SnapshotAgent>;
  readonly upstreamsById: ReadonlyMap<string, SnapshotUpstream>;
  /** The gateway group's `settings.rateLimits`, parsed; undefined when none are set. */
  readonly rateLimits?: RateLimits | undefined;
}

export type EngineBuild = { ok: true; engine: ConfigEngine } | { ok: false; errors: string[] };

export interface BuildEngineContext {
  /** The control plane's keys from enrollment. */
  cpKeys: TrustedKeys;
  /** The engine served now; enables the rollback and mass-delete checks. Absent when restoring from disk. */
  serving?: ConfigEngine | undefined;
}

/** Validates a snapshot completely and builds its engine. */
export function buildEngine(message: SnapshotMessage, context: BuildEngineContext): EngineBuild {
  // Keys published by the snapshot being served were verified with it, so a rotated key is trusted once announced.
  const keys = withPublishedKeys(context.cpKeys, context.serving?.resources.trust.controlPlaneKeys);
  const verified = verifySnapshot(message, keys);
  if (!verified.ok) {
    return { ok: false, errors: [`signature check failed (${verified.code}): ${verified.message}`] };
  }
  const { version, sha256, resources, issuedAt, kid } = verified.value;
  const serving = context.serving;
  if (serving && version <= serving.version) {
    return {
      ok: false,
      errors: [`rollback refused: version ${version} is not newer than the served version ${serving.version}`],
    };
  }
  const problems = checkResources(resources);
  if (problems.length > 0) {
    return { ok: false, errors: problems.map((p) => `resources${p.path ? `.${p.path}` : ""}: ${p.message}`) };
  }
  const r = resources as SnapshotResources;
  const errors: string[] = [];
  const compiled = compileSnapshotPolicies(r.policies);
  if (!compiled.ok) errors.push(...compiled.errors);
  if (serving && r.allowMassDelete !== true) errors.push(...massDeleteProblems(serving.resources, r));
  const rateLimits = parseRateLimits(r.settings);
  if (!rateLimits.ok) errors.push(...rateLimits.errors);
  if (errors.length > 0 || !compiled.ok || !rateLimits.ok) return { ok: false, errors };

  deepFreeze(r);
  const toolsByName = new Map<string, SnapshotTool[]>();
  for (const tool of r.tools) {
    const list = toolsByName.get(tool.name);
    if (list) list.push(tool);
    else toolsByName.set(tool.name, [tool]);
  }
  for (const list of toolsByName.values()) Object.freeze(list);
  const engine: ConfigEngine = Object.freeze({
    version,
    sha256,
    issuedAt,
    kid,
    resources: r,
    policies: compiled.engine,
    toolsById: frozenMap(r.tools.map((t) => [t.id, t] as const)),
    toolsByName: frozenMap(toolsByName),
    agentsById: frozenMap(r.agents.map((a) => [a.id, a] as const)),
    agentsByName: frozenMap(r.agents.map((a) => [a.name, a] as const)),
    upstreamsById: frozenMap(r.upstreams.map((u) => [u.id, u] as const)),
    rateLimits: rateLimits.value,
  });
  return { ok: true, engine };
}

/**
 * Compiles a snapshot's policies with the policy package; the set is refused as a whole when any policy has an
 * error, and every error names its policy and position.
 */
export function compileSnapshotPolicies(
  policies: readonly unknown[],
): { ok: true; engine: PolicyEngine } | { ok: false; errors: string[] } {
  try {
    return { ok: true, engine: compilePolicySet(policies.map(withoutEmptyApprovers)) };
  } catch (error) {
    if (error instanceof PolicySetError) {
      return { ok: false, errors: error.errors.map((e) => `policy compile error: ${formatPolicyError(e)}`) };
    }
    return { ok: false, errors: [`policy compiler failed: ${(error as Error).message ?? String(error)}`] };
  }
}

/**
 * The snapshot contract says an empty `approvers` means "not set"; the policy package refuses `approvers` on a
 * policy that is not require_approval, so an empty one is left out rather than passed through.
 */
function withoutEmptyApprovers(policy: unknown): unknown {
  if (policy === null || typeof policy !== "object" || (policy as { approvers?: unknown }).approvers !== "") {
    return policy;
  }
  const { approvers: _empty, ...rest } = policy as Record<string, unknown>;
  return rest;
}

/** The mass-delete guard: refuse to drop more than half of the served tools or policies in one snapshot. */
export function massDeleteProblems(serving: SnapshotResources, next: SnapshotResources): string[] {
  const problems: string[] = [];
  for (const kind of ["tools", "policies"] as const) {
    const before = serving[kind];
    if (before.length === 0) continue;
    const kept = new Set(next[kind].map((item) => item.id));
    const removed = before.filter((item) => !kept.has(item.id)).length;
    if (removed * 2 > before.length) {
      problems.push(
        `mass-delete guard: the snapshot removes ${removed} of ${before.length} ${kind}; set allowMassDelete to apply it`,
      );
    }
  }
  return problems;
}

function frozenMap<K, V>(entries: Iterable<readonly [K, V]>): ReadonlyMap<K, V> {
  const map = new Map<K, V>(entries);
  const refuse = () => {
    throw new TypeError("config engine maps are immutable");
  };
  for (const method of ["set", "delete", "clear"]) Object.defineProperty(map, method, { value: refuse });
  return Object.freeze(map);
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
