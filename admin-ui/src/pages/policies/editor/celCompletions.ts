// Completions for the condition editor: the context variables and their fields (docs/policy-reference.md,
// policy/src/context-schema.ts) and the helper functions. A test checks this list against the engine's schema.

export const FIELDS: Record<string, readonly string[]> = {
  agent: ["id", "name", "trust", "labels", "owner"],
  operator: ["sub", "email", "groups", "department", "manager", "cost_center", "delegation_limit", "attributes"],
  delegation: ["chain", "depth", "origin"],
  tool: ["name", "upstream", "labels", "annotations", "definition_hash"],
  "tool.annotations": ["destructive", "read_only", "idempotent", "open_world"],
  session: ["id", "started_at", "calls", "counts", "approvals", "taints", "count(", "called("],
  request: ["time", "source", "protocol", "era"],
  env: ["gateway", "node_labels"],
};

export const GLOBALS: readonly string[] = [
  "agent",
  "operator",
  "delegation",
  "tool",
  "args",
  "session",
  "request",
  "env",
  "now",
  "money(",
  "normalize_path(",
  "path_within(",
  "size(",
  "matches(",
  "timestamp(",
  "duration(",
];

export interface Completion {
  /** Where the word being completed starts. */
  from: number;
  options: string[];
}

/** What could complete the word that ends at `caret`: a variable, a helper, or a field of a known record. */
export function completionsAt(source: string, caret: number): Completion | undefined {
  const before = source.slice(0, caret);
  const m = /(?:((?:[A-Za-z_][A-Za-z0-9_]*\.)*)([A-Za-z_][A-Za-z0-9_]*)?)$/.exec(before);
  if (!m) return undefined;
  const path = (m[1] ?? "").replace(/\.$/, "");
  const word = m[2] ?? "";
  const from = caret - word.length;
  const charBefore = before[from - (m[1]?.length ?? 0) - 1];
  if (charBefore === "." || charBefore === '"' || charBefore === "'") return undefined;
  const pool = path === "" ? GLOBALS : FIELDS[path];
  if (!pool || (path === "" && word === "")) return undefined;
  const options = pool.filter((o) => o.startsWith(word) && o !== word);
  return options.length > 0 ? { from, options } : undefined;
}
