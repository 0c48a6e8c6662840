// @vitest-environment jsdom
// The Agents page: pages through nextCursor, filters through the API, and designs its empty and error states.
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";
import type { Agent } from "../../api/client.ts";
import { apiError, fakeControlPlane, json, renderConsole, sessionFor } from "../../testing/fake-control-plane.tsx";

afterEach(cleanup);

function agent(name: string, trust: Agent["trust"] = "first_party"): Agent {
  return {
    id: `id-${name}`,
    name,
    description: "",
    owner: "team-a",
    trust,
    labels: {},
    allowedDelegates: [],
    mtlsSubjects: [],
    disabled: false,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
  };
}

const signedInAsPlatform = () => json(200, sessionFor("platform"));

function agentRequests(cp: ReturnType<typeof fakeControlPlane>) {
  return cp.requests.filter((r) => r.url.includes("/api/v1/agents")).map((r) => new URL(r.url).searchParams);
}

it("pages forward with nextCursor and back again", async () => {
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": signedInAsPlatform,
    "GET /api/v1/agents": (r) =>
      new URL(r.url).searchParams.get("cursor") === "cursor-2"
        ? json(200, { items: [agent("second-page-agent")], nextCursor: null })
        : json(200, { items: [agent("first-page-agent")], nextCursor: "cursor-2" }),
  });
  renderConsole(cp, "/agents");
  expect(await screen.findByText("first-page-agent")).toBeTruthy();
  fireEvent.click(screen.getByRole("button", { name: "Next" }));
  expect(await screen.findByText("second-page-agent")).toBeTruthy();
  expect(screen.getByText(/Page 2/)).toBeTruthy();
  expect((screen.getByRole("button", { name: "Next" }) as HTMLButtonElement).disabled).toBe(true);
  fireEvent.click(screen.getByRole("button", { name: "Previous" }));
  expect(await screen.findByText("first-page-agent")).toBeTruthy();
  expect(agentRequests(cp).map((q) => q.get("cursor"))).toEqual([null, "cursor-2"]);
});

it("filters by trust through the API and offers to clear filters when nothing matches", async () => {
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": signedInAsPlatform,
    "GET /api/v1/agents": (r) =>
      new URL(r.url).searchParams.get("trust")
        ? json(200, { items: [], nextCursor: null })
        : json(200, { items: [agent("only-agent")], nextCursor: null }),
  });
  renderConsole(cp, "/agents");
  expect(await screen.findByText("only-agent")).toBeTruthy();
  fireEvent.change(screen.getByRole("combobox"), { target: { value: "third_party" } });
  expect(await screen.findByRole("heading", { name: "No agents match" })).toBeTruthy();
  expect(agentRequests(cp).at(-1)?.get("trust")).toBe("third_party");
  fireEvent.click(screen.getByRole("button", { name: "Clear filters" }));
  expect(await screen.findByText("only-agent")).toBeTruthy();
});

it("explains an empty registry", async () => {
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": signedInAsPlatform,
    "GET /api/v1/agents": () => json(200, { items: [], nextCursor: null }),
  });
  renderConsole(cp, "/agents");
  expect(await screen.findByRole("heading", { name: "No agents registered yet" })).toBeTruthy();
});

it("shows the API's error with its request id, and retries", async () => {
  let calls = 0;
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": signedInAsPlatform,
    "GET /api/v1/agents": () =>
      ++calls === 1
        ? apiError(500, "internal", "internal error; the server log has details under this request id")
        : json(200, { items: [agent("back-again")], nextCursor: null }),
  });
  renderConsole(cp, "/agents");
  const alert = await screen.findByRole("alert");
  expect(alert.textContent).toContain("Internal error; the server log has details under this request id.");
  expect(alert.textContent).toContain("req-0001");
  fireEvent.click(screen.getByRole("button", { name: "Try again" }));
  expect(await screen.findByText("back-again")).toBeTruthy();
  await waitFor(() => expect(calls).toBe(2));
});

it("falls back to the sign-in page when the session has ended", async () => {
  let signedIn = true;
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": () => (signedIn ? signedInAsPlatform() : apiError(401, "unauthenticated", "x")),
    "GET /api/v1/agents": () => {
      signedIn = false;
      return apiError(401, "unauthenticated", "the session has ended; sign in again");
    },
  });
  renderConsole(cp, "/agents");
  expect(await screen.findByRole("heading", { name: "Sign in to the console" })).toBeTruthy();
  await waitFor(() => expect(window.location.pathname + window.location.search).toBe("/login?next=%2Fagents"));
});
