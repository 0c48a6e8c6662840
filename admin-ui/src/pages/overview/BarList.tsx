// A ranked list with a proportional bar per row (top denied tools, busiest agents), drawn in SVG so widths need
// no inline style.
const WIDTH = 360;
const ROW = 34;

export interface BarItem {
  label: string;
  value: number;
  /** A second, overlaid part of the bar (e.g. the denied share of an agent's calls). */
  part?: number;
  detail?: string;
}

export function BarList({ items, tone, label }: { items: BarItem[]; tone: "deny" | "neutral"; label: string }) {
  const max = Math.max(1, ...items.map((i) => i.value));
  const height = items.length * ROW;
  return (
    <svg className="bar-list" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={label}>
      {items.map((item, i) => {
        const w = Math.max(2, (item.value / max) * (WIDTH - 4));
        return (
          <g key={item.label} transform={`translate(0 ${i * ROW})`}>
            <title>{`${item.label}: ${item.detail ?? item.value}`}</title>
            <text className="bar-label" x={0} y={12}>
              {item.label}
            </text>
            <text className="bar-value" x={WIDTH} y={12} textAnchor="end">
              {item.detail ?? item.value}
            </text>
            <rect className="bar-track" x={0} y={18} width={WIDTH} height={8} rx={4} />
            <rect className={`bar-fill bar-${tone}`} x={0} y={18} width={w} height={8} rx={4} />
            {item.part ? (
              <rect
                className="bar-fill bar-deny"
                x={0}
                y={18}
                width={Math.max(2, (item.part / max) * (WIDTH - 4))}
                height={8}
                rx={4}
              />
            ) : null}
          </g>
        );
      })}
    </svg>
  );
}
