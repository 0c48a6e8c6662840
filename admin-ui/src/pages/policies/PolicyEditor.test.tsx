// @vitest-environment jsdom
// The policy editor, playground and versions against the fake control plane: the live check underlines the
// error where the compiler put it, saving sends a new version with optimistic locking, the playground sends the
// draft in place of the saved policy and shows the decision, and rollback asks first.
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";
import type { Policy, PolicyVersion, Role } from "../../api/client.ts";
import { apiError, fakeControlPlane, json, renderConsole, sessionFor } from "../../testing/fake-control-plane.tsx";

afterEach(cleanup);

const ID = "0190c2e4-0000-7000-8000-0000000000aa";
const signedInAs = (role: Role) => () => json(200, sessionFor(role));

function version(n: number, over: Partial<PolicyVersion> = {}): PolicyVersion {
  return {
    version: n,
    name: "ocr-once",
    description: "OCR once per session",
    target: { agents: ["*"], tools: ["receipt_ocr"] },
    effect: "deny",
    condition: 'session.count("receipt_ocr") >= 1',
    mode: "enforce",
    priority: 0,
    approvers: "",
    contentHash: `hash${n}`.padEnd(64, "0"),
    comment: `change ${n}`,
    rolledBackFrom: null,
    createdBy: "security@example.test",
    createdAt: "2026-01-01T00:00:00.000Z",
    ...over,
  };
}
const policy = (n: number, over: Partial<PolicyVersion> = {}): Policy => ({
  ...version(n, over),
  id: ID,
  currentVersion: n,
  updatedAt: "2026-01-01T00:00:00.000Z",
});

async function bodyOf(cp: ReturnType<typeof fakeControlPlane>, key: string) {
  const r = [...cp.requests].reverse().find((q) => `${q.method} ${new URL(q.url).pathname}` === key);
  return r ? r.clone().json() : undefined;
}

it("checks the condition as the user types and marks the error at its line and column", async () => {
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": signedInAs("security"),
    "GET /api/v1/policies/0190c2e4-0000-7000-8000-0000000000aa": () => json(200, policy(2)),
    "POST /api/v1/policies/check": async (req) => {
      const draft = await req.json();
      return draft.condition.includes("user")
        ? json(200, {
            ok: false,
            errors: [{ field: "body.condition", message: "undeclared reference to 'user'", line: 2, column: 4 }],
            types: { condition: null, approvers: null },
          })
        : json(200, { ok: true, errors: [], types: { condition: "bool", approvers: null } });
    },
  });
  renderConsole(cp, `/policies/${ID}`);
  const condition = await screen.findByLabelText(/Condition \(CEL\)/);
  expect(await screen.findByText("bool")).toBeTruthy();

  fireEvent.change(condition, { target: { value: "true &&\n   user.name == 'x'" } });
  expect(await screen.findByText("Line 2, column 4", {}, { timeout: 3000 })).toBeTruthy();
  expect(screen.getByText("undeclared reference to 'user'")).toBeTruthy();
  const mark = document.querySelector(".cel-error-mark");
  expect(mark?.textContent).toBe("user");
  expect(condition.getAttribute("aria-invalid")).toBe("true");
  expect(screen.getByRole("button", { name: "Save new version" })).toHaveProperty("disabled", true);
  expect(await bodyOf(cp, "POST /api/v1/policies/check")).toEqual({
    effect: "deny",
    condition: "true &&\n   user.name == 'x'",
  });

  // Fixing it clears the mark and allows saving; the save sends the version it was based on.
  fireEvent.change(condition, { target: { value: 'session.count("receipt_ocr") >= 2' } });
  await waitFor(() => expect(document.querySelector(".cel-error-mark")).toBeNull(), { timeout: 3000 });
  cp.route(`PATCH /api/v1/policies/${ID}`, () =>
    json(200, policy(3, { condition: 'session.count("receipt_ocr") >= 2' })),
  );
  fireEvent.change(screen.getByLabelText(/Why this change/), { target: { value: "allow a retry" } });
  const save = screen.getByRole("button", { name: "Save new version" });
  await waitFor(() => expect(save).toHaveProperty("disabled", false));
  fireEvent.click(save);
  expect(await screen.findByText("Saved as version 3.")).toBeTruthy();
  expect(await bodyOf(cp, `PATCH /api/v1/policies/${ID}`)).toMatchObject({
    condition: 'session.count("receipt_ocr") >= 2',
    comment: "allow a retry",
    expectedVersion: 2,
  });
});

it("shows the API's field errors when saving a new policy fails", async () => {
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": signedInAs("admin"),
    "POST /api/v1/policies/check": () =>
      json(200, { ok: true, errors: [], types: { condition: null, approvers: null } }),
    "POST /api/v1/policies": () =>
      apiError(409, "conflict", "a policy named ocr-once already exists", [
        { field: "body.name", message: "already taken" },
      ]),
  });
  renderConsole(cp, "/policies/new");
  fireEvent.change(await screen.findByLabelText("Name"), { target: { value: "ocr-once" } });
  fireEvent.change(screen.getByLabelText("Tools"), { target: { value: "receipt_ocr, label:risk=high" } });
  fireEvent.click(screen.getByRole("button", { name: "Create policy" }));
  expect(await screen.findByText("already taken")).toBeTruthy();
  expect(screen.getByText(/A policy named ocr-once already exists/)).toBeTruthy();
  expect(await bodyOf(cp, "POST /api/v1/policies")).toMatchObject({
    name: "ocr-once",
    target: { agents: ["*"], tools: ["receipt_ocr", "label:risk=high"] },
    effect: "deny",
  });
});

it("runs the playground with the draft in place of the saved policy and shows the decision", async () => {
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": signedInAs("security"),
    "GET /api/v1/policies/0190c2e4-0000-7000-8000-0000000000aa": () => json(200, policy(2)),
    "POST /api/v1/policies/check": () =>
      json(200, { ok: true, errors: [], types: { condition: "bool", approvers: null } }),
    "POST /api/v1/policies/simulate": () =>
      json(200, {
        decision: {
          outcome: "deny",
          code: "denied_by_policy",
          reason: "denied by policy 'ocr-once'",
          adaptable: true,
          evaluated: [ID],
          matched: [ID],
          deciding: [ID],
          results: [{ id: ID, name: "ocr-once", effect: "deny", mode: "enforce", matched: true }],
          errors: [],
        },
        listed: true,
        policiesLoaded: 4,
        context: { agent: "expense-report-v1", operator: "alice@company.com", tool: "receipt_ocr", upstream: "ocr" },
      }),
  });
  renderConsole(cp, `/policies/${ID}`);
  const playground = await screen.findByRole("region", { name: "Playground" });
  const run = within(playground).getByRole("button", { name: "Run" });
  fireEvent.click(run);
  expect(within(playground).getByText("Name the agent that calls")).toBeTruthy();

  fireEvent.change(within(playground).getByLabelText("Agent"), { target: { value: "expense-report-v1" } });
  fireEvent.change(within(playground).getByLabelText("On behalf of"), { target: { value: "alice@company.com" } });
  fireEvent.change(within(playground).getByLabelText("Tool"), { target: { value: "receipt_ocr" } });
  fireEvent.change(within(playground).getByLabelText("Arguments (JSON object)"), { target: { value: "[1]" } });
  fireEvent.click(run);
  expect(within(playground).getByText(/must be a JSON object/)).toBeTruthy();
  fireEvent.change(within(playground).getByLabelText("Arguments (JSON object)"), {
    target: { value: '{"image": "r.png"}' },
  });
  fireEvent.change(within(playground).getByLabelText(/Earlier calls/), { target: { value: "receipt_ocr allow" } });
  fireEvent.click(run);

  const result = await within(playground).findByRole("region", { name: "Simulation result" });
  expect(within(result).getByText("Denied")).toBeTruthy();
  expect(within(result).getByText("denied by policy 'ocr-once'")).toBeTruthy();
  expect(within(result).getByText("Decided")).toBeTruthy();
  expect(within(result).getByText(/4 policies loaded/)).toBeTruthy();
  expect(await bodyOf(cp, "POST /api/v1/policies/simulate")).toEqual({
    agent: "expense-report-v1",
    operator: "alice@company.com",
    tool: "receipt_ocr",
    args: { image: "r.png" },
    session: { calls: [{ tool: "receipt_ocr", decision: "allow" }] },
    draft: expect.objectContaining({ id: ID, name: "ocr-once", condition: 'session.count("receipt_ocr") >= 1' }),
  });
});

it("lists versions, diffs two of them and rolls back after confirming", async () => {
  const versions = [version(3, { condition: "a ||\nb" }), version(2), version(1)];
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": signedInAs("security"),
    "GET /api/v1/policies/0190c2e4-0000-7000-8000-0000000000aa": () => json(200, policy(3)),
    "GET /api/v1/policies/0190c2e4-0000-7000-8000-0000000000aa/versions": () => json(200, { items: versions }),
    "GET /api/v1/policies/0190c2e4-0000-7000-8000-0000000000aa/diff": (req) => {
      const q = new URL(req.url).searchParams;
      return json(200, {
        from: version(Number(q.get("from"))),
        to: version(Number(q.get("to"))),
        changes: [
          { field: "condition", from: "a", to: "a ||\nb" },
          { field: "priority", from: 0, to: 5 },
        ],
        conditionDiff: [
          { value: "a\n", added: false, removed: true },
          { value: "a ||\nb\n", added: true, removed: false },
        ],
      });
    },
    "POST /api/v1/policies/0190c2e4-0000-7000-8000-0000000000aa/rollback": () => json(200, policy(4)),
  });
  renderConsole(cp, `/policies/${ID}/versions`);
  const diff = await screen.findByRole("region", { name: "Changes from version 2 to 3" });
  expect(within(diff).getByRole("table", { name: "Condition, side by side" }).textContent).toContain("a ||");
  fireEvent.click(within(diff).getByLabelText("Unified"));
  expect(within(diff).getByLabelText("Condition, unified").textContent).toBe("- a\n+ a ||\n+ b\n");
  expect(within(diff).getByText("priority")).toBeTruthy();

  fireEvent.click(screen.getByRole("button", { name: "Roll back to v1" }));
  const confirm = screen.getByRole("alertdialog", { name: "Roll back to version 1?" });
  expect(within(confirm).getByText(/saves version 4 with the content of version 1/)).toBeTruthy();
  fireEvent.change(within(confirm).getByLabelText(/Why/), { target: { value: "v2 broke OCR" } });
  fireEvent.click(within(confirm).getByRole("button", { name: "Roll back to v1" }));
  expect(await screen.findByText("Rolled back: version 4 is now current.")).toBeTruthy();
  expect(await bodyOf(cp, `POST /api/v1/policies/${ID}/rollback`)).toEqual({ toVersion: 1, comment: "v2 broke OCR" });
});

it("is read-only for platform users: no save, no rollback, but the playground works", async () => {
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": signedInAs("platform"),
    "GET /api/v1/policies/0190c2e4-0000-7000-8000-0000000000aa": () => json(200, policy(2)),
    "POST /api/v1/policies/check": () =>
      json(200, { ok: true, errors: [], types: { condition: "bool", approvers: null } }),
  });
  renderConsole(cp, `/policies/${ID}`);
  await screen.findByRole("region", { name: "Playground" });
  expect(screen.queryByRole("button", { name: /Save/ })).toBeNull();
  expect(screen.getByLabelText("Name").matches(":disabled")).toBe(true);
  expect(screen.getByLabelText(/Condition \(CEL\)/).hasAttribute("readonly")).toBe(true);
});
