// Decisions over time: one stacked bar per bucket (allowed at the bottom, held for approval, denied on top),
// a y axis with round ticks and a time axis. Plain SVG: the figures are small and the CSP forbids inline styles,
// so colours come from classes in the stylesheet.
import type { Overview } from "../../api/client.ts";

const WIDTH = 760;
const HEIGHT = 240;
const M = { top: 12, right: 12, bottom: 28, left: 40 };
const layers = ["allow", "approval", "deny"] as const;
const names = { allow: "allowed", approval: "held", deny: "denied" };

/** The smallest "nice" axis maximum (1, 2, 5 × 10^n) at or above `max`, and its tick step. */
export function niceScale(max: number, ticks = 4): { top: number; step: number } {
  if (max <= 0) return { top: ticks, step: 1 };
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const rounded = Math.max(1, step);
  return { top: Math.ceil(max / rounded) * rounded, step: rounded };
}

const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const day = new Intl.DateTimeFormat(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit" });

export function DecisionsChart({ overview }: { overview: Overview }) {
  const { series, window } = overview;
  const plotW = WIDTH - M.left - M.right;
  const plotH = HEIGHT - M.top - M.bottom;
  const totals = series.map((s) => s.allow + s.approval + s.deny);
  const { top, step } = niceScale(Math.max(0, ...totals));
  const slot = plotW / Math.max(1, series.length);
  const barW = Math.max(1, slot * 0.72);
  const y = (v: number) => M.top + plotH - (v / top) * plotH;
  const fmt = window.minutes > 1440 ? day : time;
  const labelEvery = Math.max(1, Math.round(series.length / 6));
  const ticks: number[] = [];
  for (let v = 0; v <= top; v += step) ticks.push(v);
  const t = overview.totals;

  return (
    <svg
      className="chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={`Decisions over the window: ${t.allow} allowed, ${t.deny} denied, ${t.approval} held for approval`}
    >
      {ticks.map((v) => (
        <g key={v} className="chart-grid">
          <line x1={M.left} x2={WIDTH - M.right} y1={y(v)} y2={y(v)} />
          <text x={M.left - 8} y={y(v) + 4} textAnchor="end">
            {v}
          </text>
        </g>
      ))}
      {series.map((s, i) => {
        const x = M.left + i * slot + (slot - barW) / 2;
        let base = 0;
        const label = `${fmt.format(new Date(s.at))}: ${s.allow} allowed, ${s.deny} denied, ${s.approval} held`;
        return (
          <g key={s.at} className="chart-bar">
            <title>{label}</title>
            <rect className="chart-hit" x={M.left + i * slot} y={M.top} width={slot} height={plotH} />
            {layers.map((layer) => {
              const v = s[layer];
              if (!v) return null;
              const y0 = y(base);
              base += v;
              return (
                <rect
                  key={layer}
                  className={`chart-${layer}`}
                  x={x}
                  y={y(base)}
                  width={barW}
                  height={Math.max(1, y0 - y(base))}
                  rx={barW > 6 ? 1.5 : 0}
                >
                  <title>{`${label.split(":")[0]}: ${v} ${names[layer]}`}</title>
                </rect>
              );
            })}
          </g>
        );
      })}
      <line className="chart-axis" x1={M.left} x2={WIDTH - M.right} y1={y(0)} y2={y(0)} />
      {series.map((s, i) =>
        i % labelEvery === 0 ? (
          <text key={s.at} className="chart-label" x={M.left + i * slot + slot / 2} y={HEIGHT - 8} textAnchor="middle">
            {fmt.format(new Date(s.at))}
          </text>
        ) : null,
      )}
    </svg>
  );
}
