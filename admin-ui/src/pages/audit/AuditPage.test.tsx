// @vitest-environment jsdom
// Audit search: filters go to the API as query parameters (times as ISO 8601), export links follow the
// filters, rows link to their session, and an empty result offers to clear the filters.
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";
import type { AuditEvent } from "../../api/client.ts";
import { fakeControlPlane, json, renderConsole, sessionFor } from "../../testing/fake-control-plane.tsx";

afterEach(cleanup);

const denied: AuditEvent = {
  id: "01900000-0000-7000-8000-000000000001",
  at: new Date().toISOString(),
  kind: "decision",
  nodeId: "node-1",
  streamId: "stream-1",
  batchSeq: 1,
  eventSeq: 2,
  sessionId: "sess_BBBBBBBBBBBBBBBBBBBBBB",
  agent: "expense-report-v1",
  operator: "alice@company.com",
  tool: "get_employee_cost_center",
  decision: "deny",
  outcome: "denied",
  code: "denied_by_policy",
  reason: "denied by policy 'cost-center-self-only'",
  protocol: "http-tools",
  policiesDeciding: [{ id: "p-cc", name: "cost-center-self-only" }],
  policiesMatched: [],
  policiesEvaluated: 4,
  argsSha256: null,
  latencyUs: 8600,
  configVersion: 1,
  record: "{}",
};

it("sends the filters to the API, builds export links from them, and links to the session", async () => {
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": () => json(200, sessionFor("auditor")),
    "GET /api/v1/audit/events": (req) => {
      const q = new URL(req.url).searchParams;
      return json(200, { items: q.get("decision") === "deny" ? [denied] : [], nextCursor: null });
    },
  });
  renderConsole(cp, "/audit");
  expect(await screen.findByRole("heading", { name: "No calls recorded yet" })).toBeTruthy();
  fireEvent.change(screen.getByLabelText("Decision"), { target: { value: "deny" } });
  fireEvent.change(screen.getByLabelText("From"), { target: { value: "2026-12-07T09:30" } });
  expect(await screen.findByText("get_employee_cost_center")).toBeTruthy();
  const last = new URL((cp.requests.at(-1) as Request).url).searchParams;
  expect(last.get("decision")).toBe("deny");
  expect(last.get("from")).toBe(new Date("2026-12-07T09:30").toISOString());
  const table = within(screen.getByRole("table"));
  expect(table.getByText("Denied")).toBeTruthy();
  expect(table.getByText("8.6 ms")).toBeTruthy();
  expect(screen.getByRole("link", { name: "JSON Lines" }).getAttribute("href")).toBe(
    `/api/v1/audit/events/export?decision=deny&from=${encodeURIComponent(new Date("2026-12-07T09:30").toISOString())}&format=jsonl`,
  );
  expect(screen.getByTitle(denied.sessionId as string).getAttribute("href")).toBe(`/sessions/${denied.sessionId}`);

  fireEvent.change(screen.getByLabelText("Tool"), { target: { value: "nothing" } });
  fireEvent.change(screen.getByLabelText("Decision"), { target: { value: "" } });
  expect(await screen.findByRole("heading", { name: "No events match" })).toBeTruthy();
  fireEvent.click(screen.getByRole("button", { name: "Clear filters" }));
  await waitFor(() => expect((screen.getByLabelText("Tool") as HTMLInputElement).value).toBe(""));
});

it("takes filters from the address bar", async () => {
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": () => json(200, sessionFor("security")),
    "GET /api/v1/audit/events": () => json(200, { items: [denied], nextCursor: null }),
  });
  renderConsole(cp, "/audit?decision=deny&tool=get_employee_cost_center");
  expect(await screen.findByText("get_employee_cost_center")).toBeTruthy();
  const q = new URL((cp.requests.at(-1) as Request).url).searchParams;
  expect([q.get("decision"), q.get("tool")]).toEqual(["deny", "get_employee_cost_center"]);
});
