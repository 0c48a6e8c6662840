// The policy model and its shape validation. A policy arrives as data (JSON from the console, rows from the
// database), so everything is checked here before its CEL is compiled.

import type { Outcome } from "./context.ts";

export type Effect = Outcome;
export type Mode = "enforce" | "shadow";

export interface PolicyTarget {
  /** Agent ids or names, `label:key=value` selectors, or `*`. */
  readonly agents: readonly string[];
  /** Tool names, `upstream/name`, `label:key=value` selectors, or `*`. */
  readonly tools: readonly string[];
}

export interface Policy {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly target: PolicyTarget;
  readonly effect: Effect;
  /** CEL; empty means "always". */
  readonly condition: string;
  readonly mode: Mode;
  /** Higher first. Orders evaluation and explanation; never lets an allow beat a deny. */
  readonly priority: number;
  /** `require_approval` only: CEL giving who may approve (a string or list of strings), e.g. `operator.manager`. */
  readonly approvers?: string;
}

/** One problem with a policy, precise enough to show next to the field in the console. */
export interface PolicyError {
  /** The policy's id (or `#index` when it has none). */
  readonly policy: string;
  readonly name?: string;
  readonly field: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

export function formatPolicyError(e: PolicyError): string {
  const who = e.name ? `policy '${e.policy}' (${e.name})` : `policy '${e.policy}'`;
  const where = e.line === undefined ? e.field : `${e.field} ${e.line}:${e.column}`;
  return `${who}: ${where}: ${e.message}`;
}

export type Selector =
  | { readonly kind: "any" }
  | { readonly kind: "name"; readonly name: string }
  | {
      readonly kind: "label";
      readonly key: string;
      readonly value: string;
    };

const LABEL = /^label:([A-Za-z0-9][A-Za-z0-9._/-]*)=(\S+)$/;
const NAME = /^[^\s*][^\s]*$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function parseSelector(s: string): Selector | undefined {
  if (s === "*") return { kind: "any" };
  if (s.startsWith("label:")) {
    const m = LABEL.exec(s);
    return m ? { kind: "label", key: m[1] as string, value: m[2] as string } : undefined;
  }
  return NAME.test(s) ? { kind: "name", name: s } : undefined;
}

const EFFECTS: readonly string[] = ["allow", "deny", "require_approval"];
const MODES: readonly string[] = ["enforce", "shadow"];

/**
 * Checks the shape of one policy given as untrusted data and returns it normalized (frozen, with defaults for
 * `description`, `condition`, `mode` and `priority`), or the list of problems.
 */
export function validatePolicyShape(
  input: unknown,
  index = 0,
): { ok: true; policy: Policy } | { ok: false; errors: PolicyError[] } {
  const errors: PolicyError[] = [];
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ policy: `#${index}`, field: "policy", message: "must be an object" }] };
  }
  const p = input as Record<string, unknown>;
  const id = typeof p.id === "string" && ID.test(p.id) ? p.id : undefined;
  const label = id ?? (typeof p.id === "string" && p.id !== "" ? p.id : `#${index}`);
  const name = typeof p.name === "string" ? p.name : undefined;
  const err = (field: string, message: string) =>
    errors.push({ policy: label, ...(name ? { name } : {}), field, message });

  if (id === undefined) err("id", "must be 1-128 characters: letters, digits, '.', '_', ':' or '-'");
  if (name === undefined || name.trim() === "" || name.length > 200) err("name", "must be a non-empty string (≤ 200)");
  const description = p.description ?? "";
  if (typeof description !== "string" || description.length > 2000) err("description", "must be a string (≤ 2000)");
  const effect = p.effect;
  if (typeof effect !== "string" || !EFFECTS.includes(effect)) err("effect", "must be allow, deny or require_approval");
  const mode = p.mode ?? "enforce";
  if (typeof mode !== "string" || !MODES.includes(mode)) err("mode", "must be enforce or shadow");
  const priority = p.priority ?? 0;
  if (typeof priority !== "number" || !Number.isSafeInteger(priority) || Math.abs(priority) > 1_000_000) {
    err("priority", "must be an integer between -1000000 and 1000000");
  }
  const condition = p.condition ?? "";
  if (typeof condition !== "string") err("condition", "must be a string (CEL)");
  const approvers = p.approvers;
  // An empty string means "not set" (how storage and snapshots carry an absent value).
  if (approvers !== undefined && approvers !== "") {
    if (typeof approvers !== "string") err("approvers", "must be a string (CEL)");
    else if (effect !== "require_approval") err("approvers", "only require_approval policies name approvers");
  }
  const target = p.target;
  let agents: string[] = [];
  let tools: string[] = [];
  if (typeof target !== "object" || target === null) {
    err("target", "must be an object with agents and tools");
  } else {
    const t = target as Record<string, unknown>;
    agents = selectors(t.agents, "target.agents", err);
    tools = selectors(t.tools, "target.tools", err);
  }
  if (errors.length > 0) return { ok: false, errors };
  const policy: Policy = Object.freeze({
    id: id as string,
    name: name as string,
    description: description as string,
    target: Object.freeze({ agents: Object.freeze(agents), tools: Object.freeze(tools) }),
    effect: effect as Effect,
    condition: condition as string,
    mode: mode as Mode,
    priority: priority as number,
    ...(typeof approvers === "string" && approvers.trim() !== "" ? { approvers } : {}),
  });
  return { ok: true, policy };
}

function selectors(v: unknown, field: string, err: (field: string, message: string) => void): string[] {
  if (!Array.isArray(v) || v.length === 0) {
    err(field, 'must be a non-empty list (use "*" for all)');
    return [];
  }
  const out: string[] = [];
  for (const s of v) {
    if (typeof s !== "string" || parseSelector(s) === undefined) {
      err(field, `'${String(s)}' is not an id/name, "*" or label:key=value`);
    } else out.push(s);
  }
  return out;
}
