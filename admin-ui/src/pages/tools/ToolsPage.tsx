// Tools: the catalogue behind the gateway with status, upstream and pinned definition hash, and the
// quarantine review of changed definitions.
import { useState } from "react";
import type { Role, Tool } from "../../api/client.ts";
import type { NavItem } from "../../app/sections.ts";
import { FilterBar } from "../../components/FilterBar.tsx";
import { Icon } from "../../components/Icon.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { Pager } from "../../components/Pager.tsx";
import { EmptyState, ErrorState } from "../../components/StateViews.tsx";
import { useCursorPages } from "../../hooks/useCursorPages.ts";
import { useDebouncedValue } from "../../hooks/useDebouncedValue.ts";
import { ToolReviewPanel } from "./ToolReviewPanel.tsx";
import { ToolsTable } from "./ToolsTable.tsx";
import { type StatusFilter, useQuarantined, useTools, useUpstreamNames } from "./useTools.ts";
import "./tools.css";

const statuses = [
  ["active", "Active"],
  ["quarantined", "Quarantined"],
  ["disabled", "Disabled"],
] as const;

/** Roles with `tools:approve` in the control plane's matrix (the API enforces it). */
const APPROVERS: readonly Role[] = ["admin", "security", "platform"];

export function ToolsPage({ item, role }: { item: NavItem; role: Role }) {
  const [q, setQ] = useState("");
  const [status, setStatus] = useState<StatusFilter>("");
  const [reviewing, setReviewing] = useState<Tool | undefined>();
  const [approved, setApproved] = useState<Tool | undefined>();
  const search = useDebouncedValue(q.trim());
  const pages = useCursorPages(JSON.stringify([search, status]));
  const tools = useTools({ q: search, status, cursor: pages.cursor });
  const quarantined = useQuarantined();
  const upstreams = useUpstreamNames();
  const waiting = (quarantined.data?.items ?? []).filter((t) => t.pendingHash);
  const filtered = search !== "" || status !== "";

  return (
    <>
      <PageHeader
        title="Tools"
        description={item.summary}
        access={APPROVERS.includes(role) ? undefined : item.access}
      />
      {waiting.length > 0 && !reviewing ? (
        <div className="alert alert-warning" role="status">
          <Icon name="alert" />
          <div>
            <p className="alert-title">
              {waiting.length} changed {waiting.length === 1 ? "definition waits" : "definitions wait"} for review
            </p>
            <p className="alert-body">
              {waiting.map((t, i) => (
                <span key={t.id}>
                  {i > 0 ? ", " : ""}
                  <button type="button" className="link-button mono" onClick={() => setReviewing(t)}>
                    {t.name}
                  </button>
                </span>
              ))}
            </p>
          </div>
        </div>
      ) : null}
      {approved ? (
        <p className="notice" role="status">
          Approved <span className="mono">{approved.name}</span>: active, with definition{" "}
          <span className="mono">{approved.pinnedHash.slice(0, 12)}…</span> pinned.
        </p>
      ) : null}
      {reviewing ? (
        <ToolReviewPanel
          tool={reviewing}
          canApprove={APPROVERS.includes(role)}
          onDone={(result) => {
            setReviewing(undefined);
            setApproved(result);
          }}
        />
      ) : null}
      <FilterBar
        noun="tools"
        q={q}
        onQChange={setQ}
        selectLabel="Status"
        value={status}
        options={statuses}
        onValueChange={setStatus}
      />
      {tools.isError ? (
        <ErrorState error={tools.error} onRetry={() => tools.refetch()} />
      ) : tools.data && tools.data.items.length === 0 ? (
        filtered ? (
          <EmptyState icon="search" title="No tools match">
            Nothing matches {search ? <>“{search}”</> : "these filters"}.
          </EmptyState>
        ) : (
          <EmptyState icon="tools" title="No tools yet">
            Tools appear here when they are registered on an upstream (an MCP server, an HTTP API or an A2A agent). Each
            tool's definition is pinned by hash; a changed definition is quarantined until someone reviews it.
          </EmptyState>
        )
      ) : (
        <>
          <ToolsTable
            tools={tools.data?.items ?? []}
            upstreams={upstreams.data}
            loading={tools.isPending}
            dimmed={tools.isPlaceholderData}
            onReview={(t) => {
              setApproved(undefined);
              setReviewing(t);
            }}
          />
          {tools.data ? (
            <Pager
              page={pages.page}
              noun="tool"
              shown={tools.data.items.length}
              hasPrevious={pages.page > 1}
              hasNext={tools.data.nextCursor !== null}
              busy={tools.isFetching}
              onPrevious={pages.previous}
              onNext={() => tools.data?.nextCursor && pages.next(tools.data.nextCursor)}
            />
          ) : null}
        </>
      )}
    </>
  );
}
