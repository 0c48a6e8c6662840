// @vitest-environment jsdom
// The session page: calls in order with decision, reason, policies and integrity badges; a failed batch is
// named with its problem; an unknown session says so; the export links carry the session.
import { cleanup, screen, within } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";
import type { SessionTimeline, TimelineEvent } from "../../api/client.ts";
import { apiError, fakeControlPlane, json, renderConsole, sessionFor } from "../../testing/fake-control-plane.tsx";

afterEach(cleanup);

const SID = "sess_AAAAAAAAAAAAAAAAAAAAAA";
const started = "2026-12-07T10:00:00.000Z";

function call(n: number, over: Partial<TimelineEvent>): TimelineEvent {
  return {
    id: `0190000${n}-0000-7000-8000-000000000000`,
    at: new Date(Date.parse(started) + n * 1500).toISOString(),
    kind: "decision",
    nodeId: "node-1",
    streamId: "stream-1",
    batchSeq: 1,
    eventSeq: n,
    sessionId: SID,
    agent: "expense-report-v1",
    operator: "alice@company.com",
    tool: "receipt_ocr",
    decision: "allow",
    outcome: "ok",
    code: "allowed",
    reason: "allowed by policy 'expense-agent-tools'",
    protocol: "http-tools",
    policiesDeciding: [{ id: "p-allow", name: "expense-agent-tools" }],
    policiesMatched: [{ id: "p-allow", name: "expense-agent-tools" }],
    policiesEvaluated: 4,
    argsSha256: "a".repeat(64),
    latencyUs: 850,
    configVersion: 3,
    record: "{}",
    integrity: "verified",
    ...over,
  };
}

function timeline(over: Partial<SessionTimeline> = {}): SessionTimeline {
  return {
    session: {
      id: SID,
      operatorSub: "alice@company.com",
      agentId: "agent-1",
      agentName: "expense-report-v1",
      parentSessionId: null,
      delegation: { chain: [{ agent: "expense-report-v1", trust: "first_party", owner: "finance" }], origin: "human" },
      startedAt: started,
      expiresAt: "2026-12-07T10:15:00.000Z",
      endedAt: null,
    },
    integrity: "verified",
    open: false,
    truncated: false,
    checkedAt: "2026-12-07T10:20:00.000Z",
    events: [
      call(1, {}),
      call(2, {
        tool: "get_employee_cost_center",
        decision: "deny",
        outcome: "denied",
        code: "denied_by_policy",
        reason: "denied by policy 'cost-center-self-only': <b>not yours</b>",
        policiesDeciding: [{ id: "p-cc", name: "cost-center-self-only" }],
      }),
    ],
    batches: [
      {
        nodeId: "node-1",
        streamId: "stream-1",
        seq: 1,
        receivedAt: started,
        eventCount: 2,
        integrity: "verified",
        problems: [],
      },
    ],
    ...over,
  } as SessionTimeline;
}

function open(body: SessionTimeline | Response) {
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": () => json(200, sessionFor("auditor")),
    [`GET /api/v1/sessions/${SID}/timeline`]: () => (body instanceof Response ? body : json(200, body)),
  });
  renderConsole(cp, `/sessions/${SID}`);
  return cp;
}

it("shows each call in order with its decision, reason, policies and a verified badge", async () => {
  open(timeline());
  const calls = await screen.findAllByTestId("timeline-call");
  expect(calls).toHaveLength(2);
  expect(within(calls[0] as HTMLElement).getByText("receipt_ocr")).toBeTruthy();
  expect(within(calls[0] as HTMLElement).getByText("Allowed")).toBeTruthy();
  const denied = calls[1] as HTMLElement;
  expect(within(denied).getByText("Denied")).toBeTruthy();
  expect(within(denied).getByText("cost-center-self-only")).toBeTruthy();
  // Reasons are text, never markup.
  expect(within(denied).getByText(/<b>not yours<\/b>/)).toBeTruthy();
  expect(denied.querySelector("b")).toBeNull();
  expect(within(denied).getByText("Signature verified")).toBeTruthy();
  expect(screen.getByTestId("session-integrity").textContent).toBe("Signature verified");
  expect(screen.getByText("2 (1 allowed, 1 denied)")).toBeTruthy();
  expect(screen.getByText("alice@company.com → expense-report-v1")).toBeTruthy();
  const csv = screen.getByRole("link", { name: "CSV" });
  expect(csv.getAttribute("href")).toBe(`/api/v1/audit/events/export?session=${SID}&format=csv`);
});

it("names a failed batch and its problem", async () => {
  const t = timeline({ integrity: "failed" });
  t.events = t.events.map((e) => ({ ...e, integrity: "failed" }));
  t.batches = [
    {
      ...(t.batches[0] as SessionTimeline["batches"][number]),
      integrity: "failed",
      problems: [{ kind: "modified_event", detail: "an event differs from what node node-1 signed" }],
    },
  ];
  open(t);
  expect((await screen.findByTestId("session-integrity")).textContent).toBe("Verification failed");
  expect(screen.getByText(/modified_event: an event differs/)).toBeTruthy();
  expect(screen.getAllByText("Verification failed").length).toBeGreaterThan(2);
});

it("says when the session does not exist", async () => {
  open(apiError(404, "not_found", `session ${SID} does not exist`));
  expect(await screen.findByRole("heading", { name: "No such session" })).toBeTruthy();
  expect(screen.getByText(`Session ${SID} does not exist.`)).toBeTruthy();
});
