// @vitest-environment jsdom
// Settings: users (create, role change, disable), API tokens (secret shown once, revoke), issuers (add, remove),
// keys (rotate), against the fake control plane.
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";
import { fakeControlPlane, json, renderConsole, sessionFor } from "../../testing/fake-control-plane.tsx";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const at = "2026-01-01T00:00:00.000Z";
const user = {
  id: "u1",
  email: "dana@example.com",
  displayName: "Dana",
  role: "auditor",
  disabled: false,
  mustChangePassword: false,
  lastLoginAt: null,
  createdAt: at,
  updatedAt: at,
};
const token = {
  id: "t1",
  name: "ci",
  role: "auditor",
  prefix: "pc_at_Ab3x",
  createdAt: at,
  expiresAt: null,
  lastUsedAt: null,
  revokedAt: null,
};

function controlPlane() {
  return fakeControlPlane({
    "GET /api/v1/auth/session": () => json(200, sessionFor("admin")),
    "GET /api/v1/users": () => json(200, { items: [user], nextCursor: null }),
    "PATCH /api/v1/users/u1": () => json(200, { ...user, role: "security" }),
    "POST /api/v1/users": () => json(201, { ...user, id: "u2", email: "eve@example.com" }),
    "GET /api/v1/api-tokens": () => json(200, { items: [token], nextCursor: null }),
    "POST /api/v1/api-tokens": () => json(201, { ...token, id: "t2", name: "deploy", token: "pc_at_SECRET" }),
    "DELETE /api/v1/api-tokens/t1": () => new Response(null, { status: 204 }),
    "GET /api/v1/trusted-issuers": () => json(200, { items: [], nextCursor: null }),
    "POST /api/v1/trusted-issuers": () => json(201, {}),
    "GET /api/v1/keys": () =>
      json(200, {
        items: [
          {
            kid: "k1",
            alg: "ES256",
            status: "active",
            publicJwk: {},
            createdAt: at,
            activatesAt: at,
            retiresAt: null,
            revokedAt: null,
          },
        ],
      }),
    "POST /api/v1/keys/rotate": () =>
      json(201, { kid: "k2", activatesAt: "2099-01-01T00:00:00.000Z", previousRetiresAt: "2099-01-02T00:00:00.000Z" }),
  });
}

async function lastBody(cp: ReturnType<typeof fakeControlPlane>, method: string, path: string) {
  const r = [...cp.requests].reverse().find((q) => q.method === method && new URL(q.url).pathname === path);
  return r?.text().then((t) => (t ? JSON.parse(t) : undefined));
}

it("creates users, changes a role and disables a user", async () => {
  const cp = controlPlane();
  renderConsole(cp, "/settings");
  const users = await screen.findByRole("region", { name: "Console users" });
  await within(users).findByText("dana@example.com");
  fireEvent.change(within(users).getByLabelText("Role of dana@example.com"), { target: { value: "security" } });
  await waitFor(async () => expect(await lastBody(cp, "PATCH", "/api/v1/users/u1")).toEqual({ role: "security" }));
  fireEvent.click(within(users).getByRole("button", { name: "Disable" }));
  await waitFor(async () => expect(await lastBody(cp, "PATCH", "/api/v1/users/u1")).toEqual({ disabled: true }));

  fireEvent.click(within(users).getByRole("button", { name: "Add user" }));
  const form = within(users).getByRole("form", { name: "Add a console user" });
  fireEvent.change(within(form).getByLabelText("Email"), { target: { value: "eve@example.com" } });
  fireEvent.change(within(form).getByLabelText("Initial password"), { target: { value: "a-long-password-1" } });
  fireEvent.change(within(form).getByLabelText("Role"), { target: { value: "platform" } });
  fireEvent.click(within(form).getByRole("button", { name: "Add user" }));
  await waitFor(async () =>
    expect(await lastBody(cp, "POST", "/api/v1/users")).toEqual({
      email: "eve@example.com",
      displayName: "",
      role: "platform",
      password: "a-long-password-1",
    }),
  );
});

it("shows a new API token's secret once, and revokes a token after confirming", async () => {
  vi.spyOn(window, "confirm").mockReturnValue(true);
  const cp = controlPlane();
  renderConsole(cp, "/settings");
  const tokens = await screen.findByRole("region", { name: "API tokens" });
  await within(tokens).findByText("ci");
  fireEvent.change(within(tokens).getByLabelText("Token name"), { target: { value: "deploy" } });
  fireEvent.click(within(tokens).getByRole("button", { name: "Create token" }));
  expect((await within(tokens).findByTestId("api-token-secret")).textContent).toBe("pc_at_SECRET");
  expect(await lastBody(cp, "POST", "/api/v1/api-tokens")).toEqual({
    name: "deploy",
    role: "auditor",
    expiresInDays: 90,
  });
  fireEvent.click(within(tokens).getByRole("button", { name: "Done" }));
  await waitFor(() => expect(screen.queryByText("pc_at_SECRET")).toBeNull());

  fireEvent.click(within(tokens).getByRole("button", { name: "Revoke" }));
  await waitFor(() => expect(cp.requests.some((r) => r.method === "DELETE")).toBe(true));
});

it("adds a trusted issuer and rotates the signing key", async () => {
  vi.spyOn(window, "confirm").mockReturnValue(true);
  const cp = controlPlane();
  renderConsole(cp, "/settings");
  const issuers = await screen.findByRole("region", { name: "Trusted issuers" });
  expect(await within(issuers).findByText(/No trusted issuers/)).toBeTruthy();
  fireEvent.click(within(issuers).getByRole("button", { name: "Add issuer" }));
  fireEvent.change(within(issuers).getByLabelText("Name"), { target: { value: "corp-sso" } });
  fireEvent.change(within(issuers).getByLabelText("Issuer (iss)"), { target: { value: "https://login.example/" } });
  fireEvent.change(within(issuers).getByLabelText("JWKS URL"), { target: { value: "https://login.example/jwks" } });
  fireEvent.click(within(issuers).getByRole("button", { name: "Add issuer" }));
  await waitFor(async () =>
    expect(await lastBody(cp, "POST", "/api/v1/trusted-issuers")).toEqual({
      name: "corp-sso",
      issuer: "https://login.example/",
      jwksUrl: "https://login.example/jwks",
    }),
  );

  const keys = screen.getByRole("region", { name: "Signing keys" });
  expect(await within(keys).findByText("k1")).toBeTruthy();
  fireEvent.click(within(keys).getByRole("button", { name: "Rotate key" }));
  expect(await within(keys).findByText("k2")).toBeTruthy();
});

it("J11: revokes one of an issuer's key ids at once, and restores them", async () => {
  const issuer = {
    id: "i1",
    name: "corp-sso",
    issuer: "https://login.example/",
    jwksUrl: "https://login.example/jwks",
    staticJwks: null,
    audience: null,
    claimMapping: {},
    revokedKids: ["old"],
    enabled: true,
    createdAt: at,
    updatedAt: at,
  };
  vi.spyOn(window, "prompt").mockReturnValue(" kid1 ");
  const cp = fakeControlPlane({
    "GET /api/v1/auth/session": () => json(200, sessionFor("admin")),
    "GET /api/v1/users": () => json(200, { items: [], nextCursor: null }),
    "GET /api/v1/api-tokens": () => json(200, { items: [], nextCursor: null }),
    "GET /api/v1/keys": () => json(200, { items: [] }),
    "GET /api/v1/trusted-issuers": () => json(200, { items: [issuer], nextCursor: null }),
    "PATCH /api/v1/trusted-issuers/i1": () => json(200, issuer),
  });
  renderConsole(cp, "/settings");
  const issuers = await screen.findByRole("region", { name: "Trusted issuers" });
  expect(await within(issuers).findByText(/Revoked: old/)).toBeTruthy();
  fireEvent.click(within(issuers).getByRole("button", { name: "Revoke key…" }));
  await waitFor(async () =>
    expect(await lastBody(cp, "PATCH", "/api/v1/trusted-issuers/i1")).toEqual({ revokedKids: ["old", "kid1"] }),
  );
  fireEvent.click(within(issuers).getByRole("button", { name: "Restore keys" }));
  await waitFor(async () =>
    expect(await lastBody(cp, "PATCH", "/api/v1/trusted-issuers/i1")).toEqual({ revokedKids: [] }),
  );
});
