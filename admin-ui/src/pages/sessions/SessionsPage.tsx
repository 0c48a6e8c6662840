// Sessions: every gateway session (an operator starting an agent), newest first, filtered by operator and
// start time; each opens its timeline.
import { useState } from "react";
import type { GatewaySession } from "../../api/client.ts";
import { Link } from "../../app/router.tsx";
import type { NavItem } from "../../app/sections.ts";
import { Badge } from "../../components/Badge.tsx";
import { Icon } from "../../components/Icon.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { Pager } from "../../components/Pager.tsx";
import { RelativeTime } from "../../components/RelativeTime.tsx";
import { EmptyState, ErrorState, LoadingRows } from "../../components/StateViews.tsx";
import { useCursorPages } from "../../hooks/useCursorPages.ts";
import { useDebouncedValue } from "../../hooks/useDebouncedValue.ts";
import { type SessionFilters, sessionQuery, useSessions } from "./useSessions.ts";

const none: SessionFilters = { operator: "", from: "", to: "" };

export function SessionsPage({ item }: { item: NavItem }) {
  const [filters, setFilters] = useState(none);
  const settled = useDebouncedValue(filters, 300);
  const pages = useCursorPages(JSON.stringify(sessionQuery(settled)));
  const sessions = useSessions(settled, pages.cursor);
  const filtered = Object.keys(sessionQuery(settled)).length > 0;
  const set = (key: keyof SessionFilters) => (e: { target: { value: string } }) =>
    setFilters({ ...filters, [key]: e.target.value });

  return (
    <>
      <PageHeader
        title="Sessions"
        description="Each session is one person starting one agent. Open one to see its calls and the integrity of their evidence."
        access={item.access}
        actions={
          <Link to="/audit" className="button">
            <Icon name="audit" /> Search all calls
          </Link>
        }
      />
      <search className="filter-grid" aria-label="Filter sessions">
        <label className="filter-field filter-wide">
          <span className="filter-label">Operator</span>
          <input
            type="text"
            value={filters.operator}
            placeholder="alice@company.com"
            maxLength={255}
            onChange={set("operator")}
          />
        </label>
        <label className="filter-field">
          <span className="filter-label">Started from</span>
          <input type="datetime-local" value={filters.from} onChange={set("from")} />
        </label>
        <label className="filter-field">
          <span className="filter-label">Started before</span>
          <input type="datetime-local" value={filters.to} onChange={set("to")} />
        </label>
      </search>
      {sessions.isError ? (
        <ErrorState error={sessions.error} onRetry={() => sessions.refetch()} />
      ) : sessions.data && sessions.data.items.length === 0 ? (
        filtered ? (
          <EmptyState
            icon="search"
            title="No sessions match"
            action={
              <button type="button" className="button" onClick={() => setFilters(none)}>
                Clear filters
              </button>
            }
          >
            No session matches these filters.
          </EmptyState>
        ) : (
          <EmptyState icon="sessions" title="No sessions yet">
            A session starts when an agent exchanges its operator's token at the control plane (
            <code>POST /oauth/token</code>). Its calls and their audit trail appear here.
          </EmptyState>
        )
      ) : (
        <>
          <div className={sessions.isPlaceholderData ? "table-wrap is-refreshing" : "table-wrap"}>
            <table className="table table-stack" aria-busy={sessions.isPending ? "true" : undefined}>
              <thead>
                <tr>
                  <th scope="col">Session</th>
                  <th scope="col">Operator</th>
                  <th scope="col">Agent</th>
                  <th scope="col">Started</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              {sessions.isPending ? (
                <LoadingRows columns={5} />
              ) : (
                <tbody>
                  {(sessions.data?.items ?? []).map((s) => (
                    <SessionRow key={s.id} session={s} />
                  ))}
                </tbody>
              )}
            </table>
          </div>
          {sessions.data ? (
            <Pager
              page={pages.page}
              noun="session"
              shown={sessions.data.items.length}
              hasPrevious={pages.page > 1}
              hasNext={sessions.data.nextCursor !== null}
              busy={sessions.isFetching}
              onPrevious={pages.previous}
              onNext={() => sessions.data?.nextCursor && pages.next(sessions.data.nextCursor)}
            />
          ) : null}
        </>
      )}
    </>
  );
}

function SessionRow({ session: s }: { session: GatewaySession }) {
  const chain = s.delegation.chain ?? [];
  return (
    <tr>
      <td data-label="Session">
        <Link to={`/sessions/${encodeURIComponent(s.id)}`} className="cell-primary mono">
          {s.id}
        </Link>
        {chain.length > 1 ? (
          <div className="cell-secondary">Delegated: {chain.map((h) => h.agent).join(" → ")}</div>
        ) : null}
      </td>
      <td data-label="Operator">{s.operatorSub}</td>
      <td data-label="Agent" className="mono">
        {s.agentName ?? <span className="muted">—</span>}
      </td>
      <td data-label="Started" className="nowrap">
        <RelativeTime iso={s.startedAt} />
      </td>
      <td data-label="Status">{sessionStatus(s)}</td>
    </tr>
  );
}

export function sessionStatus(s: Pick<GatewaySession, "endedAt" | "expiresAt">) {
  if (s.endedAt) return <Badge>Ended</Badge>;
  if (new Date(s.expiresAt).getTime() <= Date.now()) return <Badge>Expired</Badge>;
  return <Badge tone="info">Active</Badge>;
}
