// Builds the full state a data-plane node of one gateway group needs, from the database, as the snapshot
// contract in @portcullis/proto describes it. Lists are sorted by id so the same state always gives the same
// canonical bytes (and the same hash), which is how "nothing changed" is recognised.
import { SNAPSHOT_SCHEMA_VERSION, type SnapshotResources } from "@portcullis/proto";
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import {
  agents,
  dpNodes,
  gatewayGroups,
  nodeKeys,
  operators,
  policies,
  policyVersions,
  tools,
  trustedIssuers,
  upstreams,
} from "../db/schema.ts";
import type { KeyRing } from "../keys/control-plane-keys.ts";
import { readUpstreamCredential, userSettingsOf } from "../services/upstreams.ts";

export async function buildResources(
  db: Db,
  secretKey: Buffer,
  groupId: string,
  keys: KeyRing,
): Promise<SnapshotResources | undefined> {
  const [group] = await db.select().from(gatewayGroups).where(eq(gatewayGroups.id, groupId));
  if (!group) return undefined;
  const [agentRows, operatorRows, upstreamRows, toolRows, policyRows, issuerRows, assertionKeys] = await Promise.all([
    db.select().from(agents).orderBy(asc(agents.id)),
    db.select().from(operators).orderBy(asc(operators.subject)),
    db.select().from(upstreams).where(eq(upstreams.disabled, false)).orderBy(asc(upstreams.id)),
    db.select().from(tools).orderBy(asc(tools.id)),
    db
      .select({ v: policyVersions })
      .from(policies)
      .innerJoin(
        policyVersions,
        and(eq(policyVersions.policyId, policies.id), eq(policyVersions.version, policies.currentVersion)),
      )
      .where(isNull(policies.deletedAt))
      .orderBy(asc(policies.id)),
    db.select().from(trustedIssuers).where(eq(trustedIssuers.enabled, true)).orderBy(asc(trustedIssuers.id)),
    db
      .select({ nodeId: nodeKeys.nodeId, jwk: nodeKeys.publicJwk })
      .from(nodeKeys)
      .innerJoin(dpNodes, eq(dpNodes.id, nodeKeys.nodeId))
      .where(
        and(
          eq(dpNodes.groupId, groupId),
          eq(nodeKeys.use, "assertion"),
          isNull(nodeKeys.revokedAt),
          isNull(dpNodes.revokedAt),
        ),
      )
      .orderBy(asc(nodeKeys.kid)),
  ]);
  const liveUpstreams = new Set(upstreamRows.map((u) => u.id));
  const settings = group.settings;
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    groupId: group.id,
    groupName: group.name,
    settings,
    agents: agentRows.map((a) => ({
      id: a.id,
      name: a.name,
      owner: a.owner,
      trust: a.trust,
      labels: a.labels,
      allowedDelegates: a.allowedDelegates,
      mtlsSubjects: a.mtlsSubjects,
      disabled: a.disabled,
    })),
    operators: operatorRows.map((o) => ({
      subject: o.subject,
      email: o.email,
      displayName: o.displayName,
      department: o.department,
      manager: o.manager,
      costCenter: o.costCenter,
      groups: o.groups,
      attributes: o.attributes,
    })),
    upstreams: upstreamRows.map((u) => ({
      id: u.id,
      name: u.name,
      kind: u.kind,
      url: u.url,
      labels: u.labels,
      settings: userSettingsOf(u),
      credential: readUpstreamCredential({ secretKey }, u),
    })),
    // Tools of disabled upstreams are left out entirely: a node cannot route to them.
    tools: toolRows
      .filter((t) => liveUpstreams.has(t.upstreamId))
      .map((t) => ({
        id: t.id,
        upstreamId: t.upstreamId,
        name: t.name,
        description: t.description,
        inputSchema: t.inputSchema,
        annotations: t.annotations,
        labels: t.labels,
        http: t.http,
        sensitive: t.sensitive,
        status: t.status,
        pinnedHash: t.pinnedHash,
      })),
    policies: policyRows.map(({ v }) => ({
      id: v.policyId,
      version: v.version,
      name: v.name,
      description: v.description,
      target: v.target,
      effect: v.effect,
      condition: v.condition,
      mode: v.mode,
      priority: v.priority,
      approvers: v.approvers,
    })),
    trust: {
      controlPlaneKeys: keys.published.map((k) => k.publicJwk),
      issuers: issuerRows.map((i) => ({
        id: i.id,
        name: i.name,
        issuer: i.issuer,
        jwksUrl: i.jwksUrl,
        staticJwks: i.staticJwks,
        audience: i.audience,
        claimMapping: i.claimMapping,
      })),
      nodeAssertionKeys: assertionKeys.map((k) => ({ nodeId: k.nodeId, jwk: k.jwk })),
    },
    allowMassDelete: settings.allowMassDelete === true,
  };
}
