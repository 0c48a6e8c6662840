// One session: who ran which agent, for how long, every call in order with its decision and reason, and the
// integrity of the signed audit batches that carry them, as `portcullis audit verify` checks it; exportable.
import { Link } from "../../app/router.tsx";
import { IntegrityBadge, verdictOf } from "../../components/AuditBadges.tsx";
import { Icon } from "../../components/Icon.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { RelativeTime } from "../../components/RelativeTime.tsx";
import { EmptyState, ErrorState } from "../../components/StateViews.tsx";
import { ExportLinks } from "../audit/ExportLinks.tsx";
import { noAuditFilters } from "../audit/useAuditEvents.ts";
import { CallList, SessionStrip } from "./SessionFigure.tsx";
import { sessionStatus } from "./SessionsPage.tsx";
import { useSessionTimeline } from "./useSessions.ts";

export function SessionPage({ id }: { id: string }) {
  const timeline = useSessionTimeline(id);
  return (
    <>
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/sessions">Sessions</Link> <span aria-hidden="true">/</span> <span className="mono">{id}</span>
      </nav>
      <PageHeader
        title="Session"
        description="Every call of the session in order, and the integrity of the signed evidence that carries it."
        actions={<ExportLinks filters={{ ...noAuditFilters, session: id }} />}
      />
      {timeline.isError ? (
        <ErrorState
          error={timeline.error}
          onRetry={() => timeline.refetch()}
          title={(timeline.error as { status?: number }).status === 404 ? "No such session" : undefined}
        />
      ) : timeline.isPending ? (
        <section className="panel" aria-busy="true">
          <span className="skeleton" />
        </section>
      ) : (
        <SessionDetail t={timeline.data} />
      )}
    </>
  );
}

type Timeline = NonNullable<ReturnType<typeof useSessionTimeline>["data"]>;

function SessionDetail({ t }: { t: Timeline }) {
  const events = t.events;
  const first = events[0];
  const last = events[events.length - 1];
  const start = new Date(t.session?.startedAt ?? first?.at ?? t.checkedAt).getTime();
  const end = last ? new Date(last.at).getTime() : start;
  const count = (v: ReturnType<typeof verdictOf>) => events.filter((e) => verdictOf(e) === v).length;
  const evaluated = events.reduce((sum, e) => sum + (e.policiesEvaluated ?? 0), 0);
  const enforced = new Set(events.flatMap((e) => e.policiesDeciding.map((p) => p.id))).size;
  const chain = t.session?.delegation.chain ?? [];
  const failedBatches = t.batches.filter((b) => b.integrity !== "verified");
  return (
    <>
      <section className="panel session-summary" aria-label="Summary">
        <dl className="facts">
          <Fact label="Operator">{t.session?.operatorSub ?? first?.operator ?? "—"}</Fact>
          <Fact label="Agent">
            <span className="mono">{t.session?.agentName ?? first?.agent ?? "—"}</span>
          </Fact>
          <Fact label="Started">
            {t.session ? <RelativeTime iso={t.session.startedAt} /> : "—"} {t.session ? sessionStatus(t.session) : null}
          </Fact>
          <Fact label="Duration">{duration(end - start)}</Fact>
          <Fact label="Tools invoked">
            {events.length} ({count("allow")} allowed, {count("deny")} denied
            {count("approval") ? `, ${count("approval")} held` : ""})
          </Fact>
          <Fact label="Policies">
            {evaluated} evaluated · {enforced} enforced
          </Fact>
          <Fact label="Audit trail">
            <span data-testid="session-integrity">
              <IntegrityBadge integrity={t.integrity} />
            </span>
          </Fact>
          {chain.length ? (
            <Fact label="Delegation">
              <span className="chain">
                {[t.session?.operatorSub ?? "operator", ...chain.map((h) => h.agent)].join(" → ")}
              </span>
            </Fact>
          ) : null}
        </dl>
      </section>
      {events.length === 0 ? (
        <EmptyState icon="sessions" title="No calls recorded in this session yet">
          {t.open
            ? "The session is still open: calls appear once its node ships their signed audit batches."
            : "The session ended without any tool call."}
        </EmptyState>
      ) : (
        <section className="panel" aria-labelledby="calls-title">
          <h2 id="calls-title" className="panel-title">
            Calls
          </h2>
          <figure className="session-figure">
            <div className="chart-scroll">
              <SessionStrip events={events} start={start} />
            </div>
            <figcaption className="legend">
              <span className="legend-item legend-allow">Allowed</span>
              <span className="legend-item legend-deny">Denied</span>
              <span className="legend-item legend-approval">Held for approval</span>
            </figcaption>
          </figure>
          <CallList events={events} start={start} />
          {t.truncated ? <p className="notice">Only the first 2000 calls are shown; export for all of them.</p> : null}
        </section>
      )}
      {t.batches.length ? (
        <section className="panel" aria-labelledby="evidence-title">
          <h2 id="evidence-title" className="panel-title">
            Evidence
          </h2>
          <p className="panel-text">
            {t.batches.length} signed {t.batches.length === 1 ? "batch carries" : "batches carry"} these calls. Each was
            checked now against its node's key, its chain and every event it holds
            {failedBatches.length === 0 ? ": all verified." : "."}
          </p>
          {failedBatches.length ? (
            <ul className="problem-list">
              {failedBatches.map((b) => (
                <li key={`${b.streamId}/${b.seq}`}>
                  <IntegrityBadge integrity={b.integrity} /> batch {b.seq} of stream{" "}
                  <span className="mono">{b.streamId}</span>
                  {b.problems.map((p) => (
                    <div key={p.kind} className="cell-secondary">
                      {p.kind}: {p.detail}
                    </div>
                  ))}
                </li>
              ))}
            </ul>
          ) : null}
          <p className="cell-secondary">
            <Icon name="lock" /> Checked <RelativeTime iso={t.checkedAt} />. Offline:{" "}
            <code>portcullis audit verify</code>.
          </p>
        </section>
      ) : null}
    </>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
}
