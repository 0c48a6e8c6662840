// The figure of a session: its calls as numbered steps along one line, coloured by decision, with the time each
// happened after the session started; below it, the calls in order with tool, decision, reason, policies,
// latency and the integrity of the signed batch that carries each.
import type { TimelineEvent } from "../../api/client.ts";
import { DecisionBadge, formatLatency, IntegrityBadge, policyNames, verdictOf } from "../../components/AuditBadges.tsx";

const WIDTH = 760;
const HEIGHT = 86;
const PAD = 28;

/** "+1.2 s", "+3 min": how long after `start` something happened. */
export function offset(at: string, start: number): string {
  const ms = Math.max(0, new Date(at).getTime() - start);
  if (ms < 1000) return `+${ms} ms`;
  if (ms < 60_000) return `+${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `+${Math.round(ms / 60_000)} min`;
  return `+${(ms / 3_600_000).toFixed(1)} h`;
}

export function SessionStrip({ events, start }: { events: TimelineEvent[]; start: number }) {
  const n = events.length;
  const step = n > 1 ? (WIDTH - 2 * PAD) / (n - 1) : 0;
  const x = (i: number) => (n > 1 ? PAD + i * step : WIDTH / 2);
  const r = Math.max(7, Math.min(13, step / 2.6 || 13));
  const labelEvery = Math.max(1, Math.ceil(n / 12));
  const summary = events.map((e, i) => `${i + 1}. ${e.tool ?? e.kind}: ${verdictOf(e)}`).join("; ");
  return (
    <svg
      className="session-strip"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={`The session's ${n} calls in order: ${summary}`}
    >
      <line className="strip-line" x1={PAD} x2={WIDTH - PAD} y1={30} y2={30} />
      {events.map((e, i) => (
        <g key={e.id} className={`strip-step strip-${verdictOf(e)}`}>
          <title>{`${i + 1}. ${e.tool ?? e.kind} — ${verdictOf(e)}${e.reason ? `: ${e.reason}` : ""}`}</title>
          <circle cx={x(i)} cy={30} r={r} />
          {r >= 9 ? (
            <text className="strip-number" x={x(i)} y={34} textAnchor="middle">
              {i + 1}
            </text>
          ) : null}
          {i % labelEvery === 0 ? (
            <text className="strip-time" x={x(i)} y={66} textAnchor="middle">
              {offset(e.at, start)}
            </text>
          ) : null}
        </g>
      ))}
    </svg>
  );
}

export function CallList({ events, start }: { events: TimelineEvent[]; start: number }) {
  return (
    <ol className="call-list">
      {events.map((e, i) => {
        const deciding = policyNames(e.policiesDeciding);
        return (
          <li key={e.id} className={`call call-${verdictOf(e)}`} data-testid="timeline-call">
            <span className="call-index" aria-hidden="true">
              {i + 1}
            </span>
            <div className="call-body">
              <div className="call-head">
                <span className="call-tool mono">{e.tool ?? e.kind}</span>
                <DecisionBadge event={e} />
                <span className="call-meta">
                  {offset(e.at, start)} · {formatLatency(e.latencyUs)}
                </span>
                <span className="call-integrity">
                  <IntegrityBadge integrity={e.integrity} />
                </span>
              </div>
              {e.reason ? <p className="call-reason">{e.reason}</p> : null}
              <dl className="call-facts">
                {e.code ? (
                  <>
                    <dt>Code</dt>
                    <dd className="mono">{e.code}</dd>
                  </>
                ) : null}
                <dt>Decided by</dt>
                <dd>{deciding.length ? deciding.join(", ") : <span className="muted">no policy</span>}</dd>
                <dt>Policies</dt>
                <dd>
                  {e.policiesEvaluated ?? 0} evaluated · {e.policiesMatched.length} matched
                </dd>
                {e.argsSha256 ? (
                  <>
                    <dt>Arguments</dt>
                    <dd className="mono" title="SHA-256 of the canonical arguments, as the node signed it">
                      sha256 {e.argsSha256.slice(0, 16)}…
                    </dd>
                  </>
                ) : null}
                <dt>Evidence</dt>
                <dd className="mono">
                  batch {e.batchSeq} · event {e.eventSeq} · decision {e.id}
                </dd>
              </dl>
            </div>
          </li>
        );
      })}
    </ol>
  );
}
