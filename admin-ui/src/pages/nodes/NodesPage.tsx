// Nodes: every enrolled data-plane node with its live status, refreshed every 5 s; roles that may write
// gateways also add nodes (a one-time bootstrap token) and revoke them.
import { useState } from "react";
import type { DataPlaneNode } from "../../api/client.ts";
import { asApiError } from "../../api/errors.ts";
import type { NavItem } from "../../app/sections.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import { RelativeTime } from "../../components/RelativeTime.tsx";
import { EmptyState, ErrorState } from "../../components/StateViews.tsx";
import { sentence } from "../../components/sentence.ts";
import { AddNodePanel } from "./AddNodePanel.tsx";
import { NodesTable } from "./NodesTable.tsx";
import { RevokeNodePanel } from "./RevokeNodePanel.tsx";
import { NODES_REFRESH_MS, useNodes } from "./useNodes.ts";

export function NodesPage({ item }: { item: NavItem }) {
  const canWrite = item.access === "full";
  const nodes = useNodes();
  const [adding, setAdding] = useState(false);
  const [revoking, setRevoking] = useState<DataPlaneNode | null>(null);
  const [revoked, setRevoked] = useState<string | null>(null);
  const items = nodes.data?.items ?? [];
  const offline = items.filter((n) => !n.online).length;
  const behind = items.filter((n) => !n.inSync).length;

  function startRevoke(node: DataPlaneNode) {
    setAdding(false);
    setRevoked(null);
    setRevoking(node);
  }

  return (
    <>
      <PageHeader
        title="Nodes"
        description={item.summary}
        access={item.access}
        actions={
          canWrite && !adding && !(nodes.data && items.length === 0) ? (
            <button
              type="button"
              className="button button-primary"
              onClick={() => {
                setRevoking(null);
                setAdding(true);
              }}
            >
              Add node
            </button>
          ) : null
        }
      />
      {adding ? <AddNodePanel onClose={() => setAdding(false)} /> : null}
      {revoking ? (
        <RevokeNodePanel
          key={revoking.id}
          node={revoking}
          onDone={(done) => {
            if (done) setRevoked(revoking.name);
            setRevoking(null);
          }}
        />
      ) : null}
      {revoked ? (
        <p className="notice" role="status">
          Revoked <span className="mono">{revoked}</span>. Its streams are closed and its keys refused.
        </p>
      ) : null}
      {nodes.isError && !nodes.data ? (
        <ErrorState error={nodes.error} onRetry={() => nodes.refetch()} />
      ) : nodes.data && items.length === 0 ? (
        <EmptyState
          icon="nodes"
          title="No nodes yet — add one"
          action={
            canWrite && !adding ? (
              <button type="button" className="button button-primary" onClick={() => setAdding(true)}>
                Add node
              </button>
            ) : null
          }
        >
          Data-plane nodes enforce policies on tool calls. A node enrolls into a gateway group with a one-time bootstrap
          token{canWrite ? "; “Add node” creates one and shows the command to run" : ""}.
        </EmptyState>
      ) : (
        <>
          <div className="table-toolbar">
            {nodes.data ? (
              <span className="table-summary">
                {items.length} {items.length === 1 ? "node" : "nodes"}
                {offline ? <span className="summary-bad"> · {offline} offline</span> : null}
                {behind ? <span className="summary-warn"> · {behind} not in sync</span> : null}
              </span>
            ) : (
              <span className="table-summary">Loading nodes…</span>
            )}
            <RefreshStatus
              updatedAt={nodes.dataUpdatedAt}
              failed={nodes.isError ? nodes.error : null}
              fetching={nodes.isFetching}
            />
          </div>
          <NodesTable nodes={items} loading={nodes.isPending} onRevoke={canWrite ? startRevoke : undefined} />
        </>
      )}
    </>
  );
}

/** Says the list refreshes on its own, and when a refresh failed keeps the last data with a warning. */
function RefreshStatus({ updatedAt, failed, fetching }: { updatedAt: number; failed: unknown; fetching: boolean }) {
  if (failed) {
    return (
      <span className="refresh refresh-failed" role="alert">
        Refresh failed: {sentence(asApiError(failed).message)} Showing data from{" "}
        <RelativeTime iso={new Date(updatedAt).toISOString()} />.
      </span>
    );
  }
  return (
    <span className={fetching ? "refresh is-fetching" : "refresh"}>
      <span className="refresh-dot" aria-hidden="true" />
      Refreshes every {NODES_REFRESH_MS / 1000} s
    </span>
  );
}
