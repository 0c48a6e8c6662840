// @vitest-environment jsdom
// The navigation shows each role exactly the sections it may use, marks read-only ones, and the shell refuses
// sections outside the role with an explanation instead of a blank page.
import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { Role } from "../api/client.ts";
import { navigationFor } from "../app/sections.ts";
import { fakeControlPlane, json, renderConsole, sessionFor } from "../testing/fake-control-plane.tsx";
import { Navigation } from "./Navigation.tsx";

afterEach(cleanup);

const expected: Record<Role, { items: string[]; readOnly: string[] }> = {
  admin: {
    items: ["Overview", "Policies", "Agents", "Tools", "Nodes", "Approvals", "Sessions", "Audit", "Settings"],
    readOnly: [],
  },
  security: {
    items: ["Overview", "Policies", "Tools", "Nodes", "Approvals", "Sessions", "Audit"],
    readOnly: ["Tools", "Nodes"],
  },
  platform: { items: ["Overview", "Policies", "Agents", "Tools", "Nodes"], readOnly: ["Policies"] },
  auditor: {
    items: ["Overview", "Policies", "Agents", "Tools", "Nodes", "Approvals", "Sessions", "Audit"],
    readOnly: ["Policies", "Agents", "Tools", "Nodes", "Approvals"],
  },
};

function navLinks() {
  return within(screen.getByRole("navigation", { name: "Main" })).getAllByRole("link");
}

describe("role-based navigation", () => {
  for (const [role, want] of Object.entries(expected) as [Role, (typeof expected)[Role]][]) {
    it(`shows ${role} exactly ${want.items.join(", ")}`, () => {
      render(<Navigation userRole={role} pathname="/" />);
      const links = navLinks();
      expect(links.map((a) => a.querySelector(".nav-label")?.textContent)).toEqual(want.items);
      const readOnly = links
        .filter((a) => a.querySelector(".nav-note"))
        .map((a) => a.querySelector(".nav-label")?.textContent);
      expect(readOnly).toEqual(want.readOnly);
      expect(navigationFor(role).map((s) => s.label)).toEqual(want.items);
    });
  }

  it("marks the current section, including with a trailing slash", () => {
    render(<Navigation userRole="admin" pathname="/agents/" />);
    const current = navLinks().filter((a) => a.getAttribute("aria-current") === "page");
    expect(current.map((a) => a.getAttribute("href"))).toEqual(["/agents"]);
  });

  it("signed in as auditor, the shell shows the user and the auditor's sections", async () => {
    const cp = fakeControlPlane({
      "GET /api/v1/auth/session": () => json(200, sessionFor("auditor", "ada@example.test")),
    });
    renderConsole(cp, "/");
    expect(await screen.findByText("ada@example.test")).toBeTruthy();
    expect(navLinks().map((a) => a.querySelector(".nav-label")?.textContent)).toEqual(expected.auditor.items);
    expect(screen.getByRole("button", { name: /sign out/i })).toBeTruthy();
  });

  it("a section outside the role explains itself and calls no API for it", async () => {
    const cp = fakeControlPlane({ "GET /api/v1/auth/session": () => json(200, sessionFor("security")) });
    renderConsole(cp, "/agents");
    expect(await screen.findByRole("heading", { name: "Agents is not available to your role" })).toBeTruthy();
    expect(cp.requests.map((r) => new URL(r.url).pathname)).toEqual(["/api/v1/auth/session"]);
  });

  it("an unknown path inside a section says there is nothing there", async () => {
    const cp = fakeControlPlane({ "GET /api/v1/auth/session": () => json(200, sessionFor("admin")) });
    renderConsole(cp, "/policies/not-a-policy-page");
    expect(await screen.findByRole("heading", { name: "No such policy page" })).toBeTruthy();
  });
});
