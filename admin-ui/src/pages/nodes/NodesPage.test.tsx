// @vitest-environment jsdom
// The Nodes page: live status with offline nodes and refused configs, adding a node with a token shown once,
// revoking with a reason, and read-only for roles without gateways:write.
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";
import type { DataPlaneNode, GatewayGroup, Role } from "../../api/client.ts";
import { apiError, fakeControlPlane, json, renderConsole, sessionFor } from "../../testing/fake-control-plane.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const now = new Date().toISOString();

function node(name: string, over: Partial<DataPlaneNode> = {}): DataPlaneNode {
  return {
    id: `id-${name}`,
    name,
    groupId: "group-1",
    groupName: "edge-eu",
    labels: {},
    dpVersion: "0.4.2",
    enrolledAt: "2026-01-01T00:00:00.000Z",
    lastSeenAt: now,
    online: true,
    inSync: true,
    servingVersion: 7,
    servingSha256: "abc",
    currentVersion: 7,
    lastNack: null,
    spoolDepth: 0,
    auditLagMs: 120,
    lastApplyMs: 35,
    revokedAt: null,
    ...over,
  };
}

const group: GatewayGroup = {
  id: "group-1",
  name: "edge-eu",
  description: "",
  settings: {},
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
} as GatewayGroup;

const signedInAs = (role: Role) => () => json(200, sessionFor(role));

const fleet = [
  node("dp-healthy"),
  node("dp-down", {
    online: false,
    inSync: false,
    servingVersion: 5,
    lastSeenAt: "2026-01-01T00:00:00.000Z",
    lastNack: { version: 7, reason: "upstream 'crm' references unknown secret", at: now },
    spoolDepth: 2048,
    auditLagMs: 95_000,
  }),
];

function rowOf(name: string) {
  const cell = screen.getByText(name);
  const row = cell.closest("tr");
  if (!row) throw new Error(`no row for ${name}`);
  return within(row);
}

it("lists nodes with status, sync, the refused config's reason and the metrics", async () => {
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": signedInAs("platform"),
    "GET /api/v1/nodes": () => json(200, { items: fleet }),
  });
  renderConsole(cp, "/nodes");
  expect(await screen.findByText("dp-down")).toBeTruthy();
  expect(screen.getByRole("heading", { name: "Nodes", level: 1 })).toBeTruthy();

  const healthy = rowOf("dp-healthy");
  expect(healthy.getByText("Online")).toBeTruthy();
  expect(healthy.getByText("In sync · v7")).toBeTruthy();
  expect(healthy.getByText("120 ms")).toBeTruthy();
  expect(healthy.getByText("35 ms")).toBeTruthy();
  expect(healthy.getByText("0.4.2")).toBeTruthy();
  expect(healthy.getByText("just now")).toBeTruthy();

  const down = rowOf("dp-down");
  expect(down.getByText("Offline")).toBeTruthy();
  expect(down.getByText("Serving v5 of v7")).toBeTruthy();
  const nack = down.getByRole("note", { name: "dp-down refused a config" });
  expect(nack.textContent).toContain("Refused v7");
  expect(nack.textContent).toContain("upstream 'crm' references unknown secret");
  expect(down.getByText("2 min")).toBeTruthy();
  expect(down.getByText(/2.?048/)).toBeTruthy();
  expect(screen.getByText(/1 offline/)).toBeTruthy();
  expect(screen.getByText("Refreshes every 5 s")).toBeTruthy();
});

it("says what to do when there are no nodes, and shows a failed load with a retry", async () => {
  let calls = 0;
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": signedInAs("admin"),
    "GET /api/v1/nodes": () => (++calls === 1 ? apiError(500, "internal", "internal error") : json(200, { items: [] })),
  });
  renderConsole(cp, "/nodes");
  const alert = await screen.findByRole("alert");
  expect(alert.textContent).toContain("Internal error.");
  expect(alert.textContent).toContain("req-0001");
  fireEvent.click(screen.getByRole("button", { name: "Try again" }));
  const empty = await screen.findByRole("region", { name: "No nodes yet — add one" });
  expect(within(empty).getByRole("button", { name: "Add node" })).toBeTruthy();
});

it("creates a bootstrap token and shows the command once, with a copy button", async () => {
  const writeText = vi.fn(async () => {});
  vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
  const command = "PORTCULLIS_CP_GRPC=127.0.0.1:7071 PORTCULLIS_BOOTSTRAP_TOKEN=pbt_secret123 npx portcullis dp";
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": signedInAs("platform"),
    "GET /api/v1/nodes": () => json(200, { items: [node("dp-healthy")] }),
    "GET /api/v1/gateway-groups": () => json(200, { items: [group], nextCursor: null }),
    "POST /api/v1/gateway-groups/group-1/bootstrap-tokens": () =>
      json(201, {
        id: "tok-1",
        groupId: "group-1",
        token: "pbt_secret123",
        expiresAt: "2099-01-01T00:00:00.000Z",
        command,
      }),
  });
  renderConsole(cp, "/nodes");
  await screen.findByText("dp-healthy");
  fireEvent.click(screen.getByRole("button", { name: "Add node" }));
  const panel = await screen.findByRole("region", { name: "Add a node" });
  await within(panel).findByRole("option", { name: "edge-eu" });
  fireEvent.change(within(panel).getByLabelText("Token expires in"), { target: { value: "15" } });
  fireEvent.click(within(panel).getByRole("button", { name: "Create bootstrap token" }));

  expect((await within(panel).findByTestId("bootstrap-command")).textContent).toBe(command);
  expect(within(panel).getByText("Copy the command now: it will not be shown again.")).toBeTruthy();
  const post = cp.requests.find((r) => r.method === "POST");
  expect(await post?.json()).toEqual({ expiresInMinutes: 15 });
  expect(post?.headers.get("X-CSRF-Token")).toBe("csrf-platform");

  fireEvent.click(within(panel).getByRole("button", { name: "Copy command" }));
  await waitFor(() => expect(writeText).toHaveBeenCalledWith(command));
  expect(await within(panel).findByRole("button", { name: "Copied" })).toBeTruthy();

  // Closing the panel forgets the token; opening it again starts over.
  fireEvent.click(within(panel).getByRole("button", { name: "Done" }));
  expect(screen.queryByText(command)).toBeNull();
  fireEvent.click(screen.getByRole("button", { name: "Add node" }));
  const again = await screen.findByRole("region", { name: "Add a node" });
  expect(within(again).getByRole("button", { name: "Create bootstrap token" })).toBeTruthy();
  expect(screen.queryByText(command)).toBeNull();
  expect(screen.queryByText(/pbt_secret123/)).toBeNull();
});

it("says so when the clipboard cannot be used", async () => {
  vi.stubGlobal("navigator", { ...navigator, clipboard: undefined });
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": signedInAs("admin"),
    "GET /api/v1/nodes": () => json(200, { items: [] }),
    "GET /api/v1/gateway-groups": () => json(200, { items: [group], nextCursor: null }),
    "POST /api/v1/gateway-groups/group-1/bootstrap-tokens": () =>
      json(201, { id: "t", groupId: "group-1", token: "tok", expiresAt: "2099-01-01T00:00:00.000Z", command: "cmd" }),
  });
  renderConsole(cp, "/nodes");
  fireEvent.click(await screen.findByRole("button", { name: "Add node" }));
  const panel = await screen.findByRole("region", { name: "Add a node" });
  await within(panel).findByRole("option", { name: "edge-eu" });
  fireEvent.click(within(panel).getByRole("button", { name: "Create bootstrap token" }));
  fireEvent.click(await within(panel).findByRole("button", { name: "Copy command" }));
  expect(await within(panel).findByText(/select the text and copy it/)).toBeTruthy();
});

it("revokes a node only after confirming with a reason", async () => {
  let items = fleet;
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": signedInAs("admin"),
    "GET /api/v1/nodes": () => json(200, { items }),
    "POST /api/v1/nodes/id-dp-down/revoke": () => {
      items = fleet.filter((n) => n.name !== "dp-down");
      return new Response(null, { status: 204 });
    },
  });
  renderConsole(cp, "/nodes");
  await screen.findByText("dp-down");
  fireEvent.click(screen.getByRole("button", { name: "Revoke dp-down" }));
  const dialog = await screen.findByRole("alertdialog", { name: "Revoke dp-down?" });
  const confirm = within(dialog).getByRole("button", { name: "Revoke node" }) as HTMLButtonElement;
  expect(confirm.disabled).toBe(true);
  expect(cp.requests.some((r) => r.method === "POST")).toBe(false);

  // Cancel leaves the node alone.
  fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
  expect(screen.queryByRole("alertdialog")).toBeNull();

  fireEvent.click(screen.getByRole("button", { name: "Revoke dp-down" }));
  const again = await screen.findByRole("alertdialog", { name: "Revoke dp-down?" });
  fireEvent.change(within(again).getByLabelText(/Reason/), { target: { value: "host decommissioned" } });
  fireEvent.click(within(again).getByRole("button", { name: "Revoke node" }));
  expect((await screen.findByRole("status")).textContent).toContain("Revoked dp-down");
  const post = cp.requests.find((r) => r.method === "POST");
  expect(await post?.json()).toEqual({ reason: "host decommissioned" });
  await waitFor(() => expect(screen.queryAllByText("dp-down").filter((e) => e.closest("tr"))).toEqual([]));
  expect(screen.getByText("dp-healthy")).toBeTruthy();
});

it("shows the API's refusal inside the revoke confirmation", async () => {
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": signedInAs("platform"),
    "GET /api/v1/nodes": () => json(200, { items: fleet }),
    "POST /api/v1/nodes/id-dp-down/revoke": () => apiError(409, "conflict", "the node is already revoked"),
  });
  renderConsole(cp, "/nodes");
  fireEvent.click(await screen.findByRole("button", { name: "Revoke dp-down" }));
  const dialog = await screen.findByRole("alertdialog");
  fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: "x" } });
  fireEvent.click(within(dialog).getByRole("button", { name: "Revoke node" }));
  expect((await within(dialog).findByRole("alert")).textContent).toContain("The node is already revoked.");
});

for (const role of ["auditor", "security"] as const) {
  it(`is read-only for ${role}: no Add node, no Revoke`, async () => {
    const cp = fakeControlPlane({
      "GET /api/v1/auth/session": signedInAs(role),
      "GET /api/v1/nodes": () => json(200, { items: fleet }),
    });
    renderConsole(cp, "/nodes");
    await screen.findByText("dp-down");
    expect(screen.getByText("Read-only")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Add node" })).toBeNull();
    expect(screen.queryByRole("button", { name: /Revoke/ })).toBeNull();
    expect(screen.queryByRole("columnheader", { name: "Actions" })).toBeNull();
  });
}

it("read-only roles see the empty state without the add button", async () => {
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": signedInAs("auditor"),
    "GET /api/v1/nodes": () => json(200, { items: [] }),
  });
  renderConsole(cp, "/nodes");
  const empty = await screen.findByRole("region", { name: "No nodes yet — add one" });
  expect(within(empty).queryByRole("button")).toBeNull();
});
