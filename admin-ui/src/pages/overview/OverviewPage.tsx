// Overview: the gateway at a glance — decisions over time by outcome, the most denied tools and the busiest
// agents, node health and audit lag — then the sections the signed-in role can open.
import { useState } from "react";
import type { Overview, SessionInfo } from "../../api/client.ts";
import { Link } from "../../app/router.tsx";
import { navigationFor } from "../../app/sections.ts";
import { Badge } from "../../components/Badge.tsx";
import { Icon } from "../../components/Icon.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { RelativeTime } from "../../components/RelativeTime.tsx";
import { EmptyState, ErrorState } from "../../components/StateViews.tsx";
import { roleDescriptions } from "../../shell/roles.ts";
import { BarList } from "./BarList.tsx";
import { DecisionsChart } from "./DecisionsChart.tsx";
import { useOverview, windowLabel, windows } from "./useOverview.ts";

export function OverviewPage({ session }: { session: SessionInfo }) {
  const { user } = session;
  const destinations = navigationFor(user.role).filter((s) => s.id !== "overview");
  const canSearch = destinations.some((s) => s.id === "audit");
  const [minutes, setMinutes] = useState<number>(60);
  const overview = useOverview(minutes);
  return (
    <>
      <PageHeader
        title="Overview"
        description={`Welcome, ${user.displayName || user.email}. ${roleDescriptions[user.role]}`}
        actions={
          <label className="select-field">
            <span className="select-label">Window</span>
            <select value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
              {windows.map((w) => (
                <option key={w.minutes} value={w.minutes}>
                  {w.label}
                </option>
              ))}
            </select>
          </label>
        }
      />
      {overview.isError && !overview.data ? (
        <ErrorState error={overview.error} onRetry={() => overview.refetch()} />
      ) : !overview.data ? (
        <section className="panel" aria-busy="true" aria-label="Loading the gateway's figures">
          <span className="skeleton" />
        </section>
      ) : (
        <Figures o={overview.data} canSearch={canSearch} />
      )}
      <section aria-labelledby="sections-title">
        <h2 id="sections-title" className="section-heading">
          Your console
        </h2>
        <ul className="card-grid">
          {destinations.map((s) => (
            <li key={s.id}>
              <Link to={s.path} className="card">
                <span className="card-head">
                  <Icon name={s.id} />
                  <span className="card-title">{s.label}</span>
                  {s.planned ? <Badge>Coming soon</Badge> : null}
                  {s.access === "read" ? <Badge>Read-only</Badge> : null}
                </span>
                <span className="card-body">{s.summary}</span>
                <span className="card-link">
                  Open <Icon name="arrowRight" />
                </span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function Figures({ o, canSearch }: { o: Overview; canSearch: boolean }) {
  const total = o.totals.allow + o.totals.deny + o.totals.approval;
  const rate = total ? Math.round((o.totals.deny / total) * 1000) / 10 : 0;
  return (
    <>
      <div className="stat-grid">
        <Stat label="Calls" value={total.toLocaleString()} note={windowLabel(o.window.minutes)} />
        <Stat label="Allowed" value={o.totals.allow.toLocaleString()} tone="allow" />
        <Stat
          label="Denied"
          value={o.totals.deny.toLocaleString()}
          tone="deny"
          note={total ? `${rate}% of calls` : undefined}
        />
        <Stat label="Held for approval" value={o.totals.approval.toLocaleString()} tone="approval" />
      </div>
      <section className="panel" aria-labelledby="decisions-title">
        <div className="panel-head">
          <h2 id="decisions-title" className="panel-title">
            Decisions over time
          </h2>
          <span className="legend">
            <span className="legend-item legend-allow">Allowed</span>
            <span className="legend-item legend-approval">Held</span>
            <span className="legend-item legend-deny">Denied</span>
          </span>
        </div>
        {total === 0 ? (
          <EmptyState icon="activity" title="No calls in this window">
            Tool calls appear here once a data-plane node decides them and ships its signed audit batches.
            {o.audit.lastEventAt ? (
              <>
                {" "}
                The last one was recorded <RelativeTime iso={o.audit.lastEventAt} />.
              </>
            ) : null}
          </EmptyState>
        ) : (
          <div className="chart-scroll">
            <DecisionsChart overview={o} />
          </div>
        )}
      </section>
      <div className="panel-grid">
        <section className="panel" aria-labelledby="denied-title">
          <h2 id="denied-title" className="panel-title">
            Most denied tools
          </h2>
          {o.topDeniedTools.length === 0 ? (
            <p className="panel-text muted">No denials in this window.</p>
          ) : (
            <BarList
              tone="deny"
              label="Most denied tools"
              items={o.topDeniedTools.map((t) => ({ label: t.tool, value: t.count }))}
            />
          )}
          {canSearch && o.topDeniedTools.length ? (
            <Link to="/audit?decision=deny" className="card-link">
              Search denied calls <Icon name="arrowRight" />
            </Link>
          ) : null}
        </section>
        <section className="panel" aria-labelledby="agents-title">
          <h2 id="agents-title" className="panel-title">
            Busiest agents
          </h2>
          {o.topAgents.length === 0 ? (
            <p className="panel-text muted">No calls in this window.</p>
          ) : (
            <BarList
              tone="neutral"
              label="Busiest agents, with their denied share"
              items={o.topAgents.map((a) => ({
                label: a.agent,
                value: a.calls,
                part: a.denied,
                detail: `${a.calls} calls · ${a.denied} denied`,
              }))}
            />
          )}
        </section>
        <NodesHealth o={o} />
      </div>
    </>
  );
}

function NodesHealth({ o }: { o: Overview }) {
  const { nodes, audit } = o;
  const parts = [
    { key: "ready", n: nodes.ready, label: "ready" },
    { key: "stale", n: nodes.stale, label: "behind" },
    { key: "down", n: nodes.disconnected, label: "offline" },
  ];
  const W = 360;
  let x = 0;
  return (
    <section className="panel" aria-labelledby="nodes-title">
      <h2 id="nodes-title" className="panel-title">
        Data-plane nodes
      </h2>
      {nodes.total === 0 ? (
        <p className="panel-text muted">No node enrolled yet.</p>
      ) : (
        <>
          <svg
            className="health-bar"
            viewBox={`0 0 ${W} 14`}
            role="img"
            aria-label={`${nodes.ready} ready, ${nodes.stale} behind, ${nodes.disconnected} offline`}
          >
            <rect className="bar-track" x={0} y={0} width={W} height={14} rx={7} />
            {parts.map((p) => {
              if (!p.n) return null;
              const w = (p.n / nodes.total) * W;
              const r = <rect key={p.key} className={`health-${p.key}`} x={x} y={0} width={w} height={14} />;
              x += w;
              return r;
            })}
          </svg>
          <ul className="health-legend">
            {parts.map((p) => (
              <li key={p.key} className={`legend-item legend-${p.key}`}>
                <strong>{p.n}</strong> {p.label}
              </li>
            ))}
          </ul>
        </>
      )}
      <dl className="facts facts-compact">
        <div className="fact">
          <dt>Audit lag</dt>
          <dd>
            {audit.maxLagMs === null
              ? "—"
              : audit.maxLagMs < 1000
                ? `${audit.maxLagMs} ms`
                : `${(audit.maxLagMs / 1000).toFixed(1)} s`}
          </dd>
        </div>
        <div className="fact">
          <dt>Waiting in spools</dt>
          <dd>{audit.spoolDepth.toLocaleString()} events</dd>
        </div>
        <div className="fact">
          <dt>Last event</dt>
          <dd>{audit.lastEventAt ? <RelativeTime iso={audit.lastEventAt} /> : "—"}</dd>
        </div>
      </dl>
    </section>
  );
}

function Stat({
  label,
  value,
  note,
  tone,
}: {
  label: string;
  value: string;
  note?: string | undefined;
  tone?: string;
}) {
  return (
    <div className={tone ? `stat stat-${tone}` : "stat"}>
      <span className="stat-label">{label}</span>
      <span className="stat-value">{value}</span>
      {note ? <span className="stat-note">{note}</span> : null}
    </div>
  );
}
