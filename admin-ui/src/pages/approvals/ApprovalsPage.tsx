// Approvals: tool calls a require_approval policy holds, bound to their exact arguments. Security and admin users
// approve or reject them with a comment; nobody decides a call made on their own behalf, and only the approvers a
// policy named may decide (the API enforces both; the page says so before anyone tries).
import { useState } from "react";
import type { SessionInfo } from "../../api/client.ts";
import { navigate, useLocation } from "../../app/router.tsx";
import type { NavItem } from "../../app/sections.ts";
import { Icon } from "../../components/Icon.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { RelativeTime } from "../../components/RelativeTime.tsx";
import { EmptyState, ErrorState, LoadingRows } from "../../components/StateViews.tsx";
import { DecisionPanel } from "./DecisionPanel.tsx";
import { StatusBadge } from "./StatusBadge.tsx";
import { type ApprovalStatusFilter, useApproval, useApprovals } from "./useApprovals.ts";

/** The arguments on one line, for the table; the panel shows them in full. */
function compactArgs(args: Record<string, unknown>): string {
  const text = Object.entries(args)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ");
  return text.length > 90 ? `${text.slice(0, 89)}…` : text;
}

export function ApprovalsPage({ item, session }: { item: NavItem; session: SessionInfo }) {
  const canDecide = item.access === "full";
  const { pathname } = useLocation();
  const linked = /^\/approvals\/([0-9a-f-]{36})$/i.exec(pathname)?.[1] ?? null;
  const [status, setStatus] = useState<ApprovalStatusFilter>("pending");
  const [tool, setTool] = useState("");
  const approvals = useApprovals(status, tool.trim());
  const selected = useApproval(linked);
  const items = approvals.data?.items ?? [];

  return (
    <>
      <PageHeader title="Approvals" description={item.summary} access={item.access} />
      {linked && selected.data ? (
        <DecisionPanel
          key={selected.data.id}
          approval={selected.data}
          me={session.user.email}
          role={session.user.role}
          canDecide={canDecide}
          onClose={() => navigate("/approvals")}
        />
      ) : linked && selected.isError ? (
        <ErrorState error={selected.error} title="This approval could not be loaded" />
      ) : null}
      <search className="filters">
        <label className="select-field">
          <span className="select-label">Status</span>
          <select value={status} onChange={(e) => setStatus(e.target.value as ApprovalStatusFilter)}>
            <option value="pending">Pending</option>
            <option value="approved">Approved, not used yet</option>
            <option value="consumed">Executed</option>
            <option value="rejected">Rejected</option>
            <option value="expired">Expired</option>
            <option value="">All</option>
          </select>
        </label>
        <label className="search-field">
          <Icon name="search" />
          <span className="visually-hidden">Filter by tool</span>
          <input
            type="search"
            placeholder="Tool name"
            value={tool}
            maxLength={256}
            onChange={(e) => setTool(e.target.value)}
          />
        </label>
      </search>
      {approvals.isError && !approvals.data ? (
        <ErrorState error={approvals.error} onRetry={() => approvals.refetch()} />
      ) : approvals.data && items.length === 0 ? (
        <EmptyState icon="approvals" title={status === "pending" ? "Nothing is waiting for approval" : "No approvals"}>
          When a require-approval policy holds a tool call, it appears here with the agent, the person it acts for and
          the exact arguments. The agent retries the identical call once it is approved.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table table-stack" aria-busy={approvals.isPending ? "true" : undefined}>
            <thead>
              <tr>
                <th scope="col">Tool and arguments</th>
                <th scope="col">Agent</th>
                <th scope="col">On behalf of</th>
                <th scope="col">Approvers</th>
                <th scope="col">Status</th>
                <th scope="col">Requested</th>
                <th scope="col">Expires</th>
              </tr>
            </thead>
            {approvals.isPending ? (
              <LoadingRows columns={7} />
            ) : (
              <tbody>
                {items.map((a) => (
                  <tr key={a.id} aria-selected={a.id === linked ? "true" : undefined}>
                    <td>
                      <a
                        className="cell-primary mono"
                        href={`/approvals/${a.id}`}
                        onClick={(e) => {
                          e.preventDefault();
                          navigate(`/approvals/${a.id}`);
                        }}
                      >
                        {a.tool}
                      </a>
                      <div className="cell-secondary mono">{compactArgs(a.args)}</div>
                    </td>
                    <td>{a.agentName ?? a.agentId}</td>
                    <td>{a.operatorEmail ?? a.operatorSub}</td>
                    <td>{a.approvers.length ? a.approvers.join(", ") : <span className="muted">Any approver</span>}</td>
                    <td>
                      <StatusBadge status={a.status} />
                    </td>
                    <td className="nowrap">
                      <RelativeTime iso={a.createdAt} />
                    </td>
                    <td className="nowrap">
                      {a.status === "pending" || a.status === "approved" ? <RelativeTime iso={a.expiresAt} /> : "—"}
                    </td>
                  </tr>
                ))}
              </tbody>
            )}
          </table>
        </div>
      )}
    </>
  );
}
