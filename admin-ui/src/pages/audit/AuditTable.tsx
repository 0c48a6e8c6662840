// One page of audit events: when, the call (tool, agent, operator), the decision and why, and the session.
import type { AuditEvent } from "../../api/client.ts";
import { Link } from "../../app/router.tsx";
import { DecisionBadge, formatLatency, policyNames } from "../../components/AuditBadges.tsx";
import { RelativeTime } from "../../components/RelativeTime.tsx";
import { LoadingRows } from "../../components/StateViews.tsx";

export function AuditTable({ events, loading, dimmed }: { events: AuditEvent[]; loading: boolean; dimmed: boolean }) {
  return (
    <div className={dimmed ? "table-wrap is-refreshing" : "table-wrap"}>
      <table className="table table-stack" aria-busy={loading ? "true" : undefined}>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Call</th>
            <th scope="col">Decision</th>
            <th scope="col">Reason</th>
            <th scope="col" className="col-optional">
              Latency
            </th>
            <th scope="col">Session</th>
          </tr>
        </thead>
        {loading ? (
          <LoadingRows columns={6} />
        ) : (
          <tbody>
            {events.map((e) => (
              <AuditRow key={e.id} event={e} />
            ))}
          </tbody>
        )}
      </table>
    </div>
  );
}

function AuditRow({ event: e }: { event: AuditEvent }) {
  const deciding = policyNames(e.policiesDeciding);
  return (
    <tr>
      <td data-label="When" className="nowrap">
        <RelativeTime iso={e.at} />
      </td>
      <td data-label="Call">
        <div className="cell-primary mono">{e.tool ?? e.kind}</div>
        <div className="cell-secondary">
          {e.agent ?? "—"} for {e.operator ?? "—"}
        </div>
      </td>
      <td data-label="Decision">
        <DecisionBadge event={e} />
      </td>
      <td data-label="Reason">
        <div>{e.reason || <span className="muted">—</span>}</div>
        {e.code || deciding.length ? (
          <div className="cell-secondary mono">{[e.code, ...deciding].filter(Boolean).join(" · ")}</div>
        ) : null}
      </td>
      <td data-label="Latency" className="col-optional nowrap">
        {formatLatency(e.latencyUs)}
      </td>
      <td data-label="Session">
        {e.sessionId ? (
          <Link to={`/sessions/${encodeURIComponent(e.sessionId)}`} className="mono nowrap" title={e.sessionId}>
            {shortSession(e.sessionId)}
          </Link>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
    </tr>
  );
}

/** `sess_3q2-7wEJ…cA`: enough to tell sessions apart in a table; the full id is on hover and on the page. */
export function shortSession(id: string): string {
  return id.length > 18 ? `${id.slice(0, 12)}…${id.slice(-4)}` : id;
}
