// A strict parser of the Prometheus text exposition format for the metrics tests (both planes): it fails the test
// on any line Prometheus would not accept.
import { expect } from "vitest";

/** One sample: metric name, labels, value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*)?,?\\})? (\\S+)(?: -?\\d+)?$`);
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

/**
 * Parses the Prometheus text exposition format (0.0.4) strictly: every line is empty, a HELP, a TYPE or a sample; each
 * family is typed once, before its samples; samples of a histogram are its _bucket/_sum/_count series.
 */
export function parseExposition(text: string): Sample[] {
  expect(text.endsWith("\n")).toBe(true);
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.slice(0, -1).split("\n")) {
    if (line === "") continue; // empty lines are allowed between families
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      expect(name, line).toMatch(new RegExp(`^${NAME}$`));
      if (kind === "TYPE") {
        expect(TYPES.has(rest), line).toBe(true);
        expect(types.has(name), `${name} typed twice`).toBe(false);
        types.set(name, rest);
      }
      continue;
    }
    const match = SAMPLE.exec(line);
    expect(match, `not a sample line: ${line}`).not.toBeNull();
    const [, name, labelText, valueText] = match as unknown as [string, string, string | undefined, string];
    // As Prometheus parses it (Go's ParseFloat): NaN and Inf in any case (prom-client writes "Nan").
    const value = /^[+-]?inf$/i.test(valueText)
      ? valueText.startsWith("-")
        ? -Infinity
        : Infinity
      : /^nan$/i.test(valueText)
        ? Number.NaN
        : Number(valueText);
    if (!/^nan$/i.test(valueText)) expect(Number.isNaN(value), line).toBe(false);
    const labels: Record<string, string> = {};
    for (const m of (labelText ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[m[1] as string] = (m[2] as string).replace(/\\n/g, "\n").replace(/\\(["\\])/g, "$1");
    }
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count|total|created)$/, "");
    const type = types.get(family) ?? types.get(name);
    expect(type, `sample before its TYPE: ${line}`).toBeDefined();
    if (type === "histogram") expect(name, line).toMatch(/_(bucket|sum|count)$/);
    if (name.endsWith("_bucket")) expect(labels.le, line).toBeDefined();
    samples.push({ name, labels, value });
  }
  return samples;
}

/** The value of one series (0 when absent, as a counter not yet incremented). */
export function seriesValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (s) =>
      s.name === name &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v) &&
      Object.keys(s.labels).length === Object.keys(labels).length,
  );
  expect(found.length, `${name} ${JSON.stringify(labels)} is one series`).toBeLessThanOrEqual(1);
  return found[0]?.value ?? 0;
}
