// @vitest-environment jsdom
// The overview: totals by outcome, a stacked bar per bucket, denied tools, node health; an empty window says
// so; the chart's scale rounds to readable ticks.
import { cleanup, screen } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";
import type { Overview } from "../../api/client.ts";
import { fakeControlPlane, json, renderConsole, sessionFor } from "../../testing/fake-control-plane.tsx";
import { niceScale } from "./DecisionsChart.tsx";

afterEach(cleanup);

function overview(counts: [number, number, number][]): Overview {
  const from = Date.parse("2026-12-07T10:00:00.000Z");
  const series = counts.map(([allow, deny, approval], i) => ({
    at: new Date(from + i * 60_000).toISOString(),
    allow,
    deny,
    approval,
  }));
  const sum = (k: "allow" | "deny" | "approval") => series.reduce((s, b) => s + b[k], 0);
  return {
    window: { from: series[0]?.at ?? "", to: "2026-12-07T11:00:00.000Z", minutes: 60, bucketSeconds: 60 },
    series,
    totals: { allow: sum("allow"), deny: sum("deny"), approval: sum("approval") },
    topDeniedTools: [{ tool: "create_expense_report", count: sum("deny") }],
    topAgents: [{ agent: "expense-report-v1", calls: sum("allow") + sum("deny"), denied: sum("deny") }],
    nodes: { total: 3, ready: 2, stale: 0, disconnected: 1 },
    audit: { maxLagMs: 1500, spoolDepth: 12, lastEventAt: new Date().toISOString() },
  };
}

function show(o: Overview, role: "auditor" | "platform" = "auditor") {
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": () => json(200, sessionFor(role)),
    "GET /api/v1/overview": () => json(200, o),
  });
  renderConsole(cp, "/");
  return cp;
}

it("draws decisions stacked by outcome, the denied tools and node health", async () => {
  show(
    overview([
      [3, 1, 0],
      [0, 0, 0],
      [5, 2, 1],
    ]),
  );
  const chart = await screen.findByRole("img", { name: /8 allowed, 3 denied, 1 held for approval/ });
  // One rect per non-zero layer of each bucket, plus one hover target per bucket.
  expect(chart.querySelectorAll("rect.chart-allow")).toHaveLength(2);
  expect(chart.querySelectorAll("rect.chart-deny")).toHaveLength(2);
  expect(chart.querySelectorAll("rect.chart-approval")).toHaveLength(1);
  expect(chart.querySelectorAll("rect.chart-hit")).toHaveLength(3);
  expect(screen.getByText("25% of calls")).toBeTruthy();
  expect(screen.getByRole("img", { name: "Most denied tools" }).textContent).toContain("create_expense_report");
  expect(screen.getByRole("img", { name: "2 ready, 0 behind, 1 offline" })).toBeTruthy();
  expect(screen.getByText("1.5 s")).toBeTruthy();
  expect(screen.getByRole("link", { name: /Search denied calls/ }).getAttribute("href")).toBe("/audit?decision=deny");
});

it("says when the window has no calls, and offers no audit search to platform", async () => {
  show(overview([[0, 0, 0]]), "platform");
  expect(await screen.findByRole("heading", { name: "No calls in this window" })).toBeTruthy();
  expect(screen.queryByRole("link", { name: /Search denied calls/ })).toBeNull();
});

it("rounds the chart's scale to 1, 2 or 5 times a power of ten", () => {
  expect(niceScale(0)).toEqual({ top: 4, step: 1 });
  expect(niceScale(7)).toEqual({ top: 8, step: 2 });
  expect(niceScale(37)).toEqual({ top: 40, step: 10 });
  expect(niceScale(1234)).toEqual({ top: 1500, step: 500 });
});
