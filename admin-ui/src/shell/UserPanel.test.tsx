// @vitest-environment jsdom
// Signing out: the logout call carries the CSRF token, and the console lands on the plain sign-in page.
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";
import { apiError, fakeControlPlane, json, renderConsole, sessionFor } from "../testing/fake-control-plane.tsx";

afterEach(cleanup);

it("signs out with the CSRF token and shows the sign-in page at /login", async () => {
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": () => json(200, sessionFor("platform", "pat@example.test")),
    "GET /api/v1/agents": () => json(200, { items: [], nextCursor: null }),
    "POST /api/v1/auth/logout": () => new Response(null, { status: 204 }),
  });
  renderConsole(cp, "/agents");
  fireEvent.click(await screen.findByRole("button", { name: /sign out/i }));
  expect(await screen.findByRole("heading", { name: "Sign in to the console" })).toBeTruthy();
  await waitFor(() => expect(window.location.pathname + window.location.search).toBe("/login"));
  const logout = cp.requests.find((r) => r.method === "POST");
  expect(logout?.headers.get("x-csrf-token")).toBe("csrf-platform");
});

it("keeps the user signed in and says why when signing out fails", async () => {
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": () => json(200, sessionFor("security")),
    "POST /api/v1/auth/logout": () => apiError(403, "csrf_failed", "missing or wrong X-CSRF-Token header"),
  });
  renderConsole(cp, "/");
  fireEvent.click(await screen.findByRole("button", { name: /sign out/i }));
  // (The overview's own figures fail against this fake too; the sign-out alert is the one that says so.)
  expect(await screen.findByText(/Could not sign out\./)).toBeTruthy();
  expect(screen.getByText("security@example.test")).toBeTruthy();
});
