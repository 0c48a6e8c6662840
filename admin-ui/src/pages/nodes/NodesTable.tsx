// The nodes: name and group, online or not, which config snapshot each serves (and what it last refused),
// audit spool and lag, how long the last config change took, data-plane version, when last heard from.
import type { DataPlaneNode } from "../../api/client.ts";
import { Badge } from "../../components/Badge.tsx";
import { RelativeTime } from "../../components/RelativeTime.tsx";
import { LoadingRows } from "../../components/StateViews.tsx";
import { formatCount, formatMs } from "./format.ts";

/** Above these a metric is flagged: audit events piling up, or audit evidence arriving late. */
const SPOOL_WARN = 1_000;
const AUDIT_LAG_WARN_MS = 60_000;

export function NodesTable({
  nodes,
  loading,
  onRevoke,
}: {
  nodes: DataPlaneNode[];
  loading: boolean;
  /** Absent for roles that may only read. */
  onRevoke?: (node: DataPlaneNode) => void;
}) {
  const columns = onRevoke ? 10 : 9;
  return (
    <div className="table-wrap">
      <table className="table table-stack nodes-table" aria-busy={loading ? "true" : undefined}>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Group</th>
            <th scope="col">Status</th>
            <th scope="col">Config</th>
            <th scope="col" className="num">
              Spool
            </th>
            <th scope="col" className="num">
              Audit lag
            </th>
            <th scope="col" className="num col-optional">
              Last apply
            </th>
            <th scope="col" className="col-optional">
              Version
            </th>
            <th scope="col">Last seen</th>
            {onRevoke ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        {loading ? (
          <LoadingRows columns={columns} />
        ) : (
          <tbody>
            {nodes.map((node) => (
              <NodeRow key={node.id} node={node} onRevoke={onRevoke} />
            ))}
          </tbody>
        )}
      </table>
    </div>
  );
}

function NodeRow({ node, onRevoke }: { node: DataPlaneNode; onRevoke?: (node: DataPlaneNode) => void }) {
  return (
    <tr className={node.online ? undefined : "is-offline"}>
      <td data-label="Node" className="col-node">
        <div className="cell-primary mono">{node.name}</div>
      </td>
      <td data-label="Group" className="nowrap">
        {node.groupName}
      </td>
      <td data-label="Status">
        {node.revokedAt ? (
          <Badge tone="neutral">Revoked</Badge>
        ) : node.online ? (
          <Badge tone="success" title="Config stream open and heard from in the last 45 s">
            Online
          </Badge>
        ) : (
          <Badge tone="danger" title="No open config stream, or silent for more than 45 s">
            Offline
          </Badge>
        )}
      </td>
      <td data-label="Config">
        <div className="cell-value">
          <SyncStatus node={node} />
          {node.lastNack ? (
            <div className="nack" role="note" aria-label={`${node.name} refused a config`}>
              <span className="nack-title">
                Refused v{node.lastNack.version} · <RelativeTime iso={node.lastNack.at} />
              </span>
              <span className="nack-reason mono">{node.lastNack.reason || "no reason given"}</span>
            </div>
          ) : null}
        </div>
      </td>
      <td data-label="Spool" className="num">
        <span className={node.spoolDepth > SPOOL_WARN ? "metric-warn" : undefined}>{formatCount(node.spoolDepth)}</span>
      </td>
      <td data-label="Audit lag" className="num nowrap">
        <span className={(node.auditLagMs ?? 0) > AUDIT_LAG_WARN_MS ? "metric-warn" : undefined}>
          {formatMs(node.auditLagMs)}
        </span>
      </td>
      <td data-label="Last apply" className="num nowrap col-optional">
        {formatMs(node.lastApplyMs)}
      </td>
      <td data-label="Version" className="mono col-optional">
        {node.dpVersion ?? <span className="muted">—</span>}
      </td>
      <td data-label="Last seen" className="nowrap">
        {node.lastSeenAt ? <RelativeTime iso={node.lastSeenAt} /> : <span className="muted">never</span>}
      </td>
      {onRevoke ? (
        <td className="row-actions">
          <button
            type="button"
            className="button button-small button-danger-quiet"
            aria-label={`Revoke ${node.name}`}
            onClick={() => onRevoke(node)}
          >
            Revoke
          </button>
        </td>
      ) : null}
    </tr>
  );
}

function SyncStatus({ node }: { node: DataPlaneNode }) {
  if (node.inSync) {
    return (
      <Badge tone="success" title={`Serves the group's current snapshot, v${node.currentVersion ?? "?"}`}>
        In sync{node.currentVersion !== null ? ` · v${node.currentVersion}` : ""}
      </Badge>
    );
  }
  if (node.currentVersion === null) return <Badge tone="neutral">No config published yet</Badge>;
  if (node.servingVersion === null) {
    return <Badge tone="warning">Not serving yet (v{node.currentVersion} is current)</Badge>;
  }
  return (
    <Badge tone="warning" title="The node has not applied the group's newest snapshot">
      Serving v{node.servingVersion} of v{node.currentVersion}
    </Badge>
  );
}
