// The contents of a config snapshot: the full state a data-plane node needs, built by the control plane from
// its database and validated by the node before it is applied. Resources mirror the user's objects. Field
// names are camelCase; everything is plain JSON (canonicalized and signed by snapshot.ts).

import { mtlsSubjectProblem } from "./client-cert.ts";

export const SNAPSHOT_SCHEMA_VERSION = 1;

export interface SnapshotAgent {
  id: string;
  name: string;
  owner: string;
  trust: "first_party" | "third_party";
  labels: Record<string, string>;
  /** Ids of agents allowed to act for this agent. */
  allowedDelegates: string[];
  /**
   * Client-certificate identities (SAN URIs such as SPIFFE IDs, or DNS names) that identify this agent on a node's
   * mTLS listener. Missing in snapshots of older control planes: no certificate identifies the agent.
   */
  mtlsSubjects?: string[];
  disabled: boolean;
}

export interface SnapshotOperator {
  subject: string;
  email: string;
  displayName: string;
  department: string | null;
  manager: string | null;
  costCenter: string | null;
  groups: string[];
  attributes: Record<string, unknown>;
}

export interface SnapshotUpstream {
  id: string;
  name: string;
  kind: "mcp" | "http" | "a2a";
  url: string;
  labels: Record<string, string>;
  settings: Record<string, unknown>;
  /** Injected by the node on forwarded calls; never shown to agents. */
  credential: { kind: string; value: string; headerName?: string } | null;
}

export interface SnapshotTool {
  id: string;
  upstreamId: string;
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  annotations: Record<string, unknown>;
  labels: Record<string, string>;
  http: Record<string, unknown> | null;
  sensitive: boolean;
  status: "active" | "quarantined" | "disabled";
  pinnedHash: string;
}

export interface SnapshotPolicy {
  id: string;
  version: number;
  name: string;
  description: string;
  target: { agents: string[]; tools: string[] };
  effect: "allow" | "deny" | "require_approval";
  condition: string;
  mode: "enforce" | "shadow";
  priority: number;
  /** require_approval only: CEL naming who may approve; empty when any approver may. */
  approvers: string;
}

export interface SnapshotIssuer {
  id: string;
  name: string;
  issuer: string;
  jwksUrl: string | null;
  staticJwks: { keys: Record<string, unknown>[] } | null;
  audience: string | null;
  claimMapping: Record<string, string>;
}

export interface SnapshotResources {
  schemaVersion: number;
  groupId: string;
  groupName: string;
  settings: Record<string, unknown>;
  agents: SnapshotAgent[];
  operators: SnapshotOperator[];
  upstreams: SnapshotUpstream[];
  tools: SnapshotTool[];
  policies: SnapshotPolicy[];
  trust: {
    /** The control plane's public keys (tokens it mints, snapshots, checkpoints), as JWKs. */
    controlPlaneKeys: Record<string, unknown>[];
    issuers: SnapshotIssuer[];
    /** Public assertion keys of every node in the group, so nodes can verify each other's assertions. */
    nodeAssertionKeys: { nodeId: string; jwk: Record<string, unknown> }[];
  };
  /**
   * Set by an operator who really means to remove most tools or policies at once; without it a node refuses a
   * snapshot that drops more than half of either (the mass-delete guard).
   */
  allowMassDelete: boolean;
}

export interface ResourceProblem {
  path: string;
  message: string;
}

/** Structural and referential checks a node runs before applying a snapshot (policy compilation aside). */
export function checkResources(value: unknown): ResourceProblem[] {
  const problems: ResourceProblem[] = [];
  const r = value as Partial<SnapshotResources> | null;
  if (!r || typeof r !== "object") return [{ path: "", message: "resources are not an object" }];
  if (r.schemaVersion !== SNAPSHOT_SCHEMA_VERSION) {
    problems.push({
      path: "schemaVersion",
      message: `expected ${SNAPSHOT_SCHEMA_VERSION}, got ${String(r.schemaVersion)}`,
    });
  }
  for (const key of ["agents", "operators", "upstreams", "tools", "policies"] as const) {
    if (!Array.isArray(r[key])) problems.push({ path: key, message: "expected a list" });
  }
  if (!r.trust || !Array.isArray(r.trust.controlPlaneKeys) || !Array.isArray(r.trust.issuers)) {
    problems.push({ path: "trust", message: "expected controlPlaneKeys and issuers" });
  }
  if (problems.length > 0) return problems;
  const unique = (key: "agents" | "upstreams" | "tools" | "policies", field: "id" | "name") => {
    const seen = new Set<string>();
    (r[key] as { id: string; name: string }[]).forEach((item, i) => {
      const v = item?.[field];
      if (typeof v !== "string" || v === "") problems.push({ path: `${key}[${i}].${field}`, message: "missing" });
      else if (seen.has(v)) problems.push({ path: `${key}[${i}].${field}`, message: `duplicate ${field} ${v}` });
      else seen.add(v);
    });
    return seen;
  };
  const agentIds = unique("agents", "id");
  unique("agents", "name");
  const upstreamIds = unique("upstreams", "id");
  unique("upstreams", "name");
  unique("tools", "id");
  unique("policies", "id");
  (r.agents as SnapshotAgent[]).forEach((a, i) => {
    for (const d of a.allowedDelegates ?? []) {
      if (!agentIds.has(d)) problems.push({ path: `agents[${i}].allowedDelegates`, message: `unknown agent ${d}` });
    }
    if (a.mtlsSubjects !== undefined) {
      const subjects: unknown = a.mtlsSubjects;
      if (!Array.isArray(subjects) || subjects.some((m) => typeof m !== "string" || mtlsSubjectProblem(m))) {
        problems.push({ path: `agents[${i}].mtlsSubjects`, message: "expected a list of SAN URIs or DNS names" });
      }
    }
  });
  (r.tools as SnapshotTool[]).forEach((t, i) => {
    if (!upstreamIds.has(t.upstreamId))
      problems.push({ path: `tools[${i}].upstreamId`, message: `unknown upstream ${t.upstreamId}` });
  });
  return problems;
}
