// @vitest-environment jsdom
// The sign-in form: the API's messages are shown (per field where it names one), API text is rendered as text,
// the button is disabled while signing in, and a successful sign-in opens the console.
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import {
  apiError,
  fakeControlPlane,
  type Handler,
  json,
  renderConsole,
  sessionFor,
  signedOut,
} from "../testing/fake-control-plane.tsx";

afterEach(cleanup);

async function submit(email: string, password: string) {
  fireEvent.change(await screen.findByLabelText("Email"), { target: { value: email } });
  fireEvent.change(screen.getByLabelText("Password"), { target: { value: password } });
  fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
}

function signInWith(login: Handler) {
  const cp = fakeControlPlane({ "GET /api/v1/auth/session": signedOut, "POST /api/v1/auth/login": login });
  renderConsole(cp, "/");
  return cp;
}

describe("login form", () => {
  it("shows the API's message when the password is wrong, and re-enables the button", async () => {
    signInWith(() => apiError(401, "unauthenticated", "email or password is wrong, or the account is disabled"));
    await submit("admin@example.test", "not-the-password");
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Sign-in failed");
    expect(alert.textContent).toContain("Email or password is wrong, or the account is disabled.");
    expect((screen.getByRole("button", { name: "Sign in" }) as HTMLButtonElement).disabled).toBe(false);
  });

  it("puts validation messages under the fields the API names", async () => {
    signInWith(() =>
      apiError(400, "validation_failed", "body.email: expected an email address", [
        { field: "body.email", message: "expected an email address" },
      ]),
    );
    await submit("not-an-email", "x");
    expect((await screen.findByRole("alert")).textContent).toContain("Check the highlighted fields.");
    const email = screen.getByLabelText("Email");
    expect(email.getAttribute("aria-invalid")).toBe("true");
    const describedBy = email.getAttribute("aria-describedby");
    expect(describedBy && document.getElementById(describedBy)?.textContent).toBe("Expected an email address.");
    expect(screen.getByLabelText("Password").getAttribute("aria-invalid")).toBeNull();
  });

  it("says so when the control plane cannot be reached", async () => {
    signInWith(() => Promise.reject(new TypeError("fetch failed")));
    await submit("admin@example.test", "whatever-password");
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Cannot reach the control plane");
  });

  it("shows the request id of a server error", async () => {
    signInWith(() => apiError(500, "internal", "internal error; the server log has details under this request id"));
    await submit("admin@example.test", "whatever-password");
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Request ID req-0001");
  });

  it("renders API text as text, never as markup", async () => {
    signInWith(() => apiError(401, "unauthenticated", '<img src=x onerror="alert(1)">bad'));
    await submit("admin@example.test", "whatever-password");
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain('<img src=x onerror="alert(1)">bad');
    expect(alert.querySelector("img")).toBeNull();
  });

  it("disables the button while signing in, then opens the console", async () => {
    let answer: (r: Response) => void = () => {};
    const cp = signInWith(() => new Promise<Response>((resolve) => (answer = resolve)));
    await submit("  admin@example.test ", "correct-horse-battery");
    const pending = await screen.findByRole("button", { name: "Signing in…" });
    expect((pending as HTMLButtonElement).disabled).toBe(true);

    const login = cp.requests.find((r) => r.method === "POST");
    expect(await login?.json()).toEqual({ email: "admin@example.test", password: "correct-horse-battery" });

    answer(json(200, sessionFor("admin", "admin@example.test")));
    expect(await screen.findByText("admin@example.test")).toBeTruthy();
    await waitFor(() => expect(window.location.pathname).toBe("/"));
  });

  it("returns to the page that was asked for after signing in", async () => {
    const cp = fakeControlPlane({
      "GET /api/v1/auth/session": signedOut,
      "POST /api/v1/auth/login": () => json(200, sessionFor("admin")),
      "GET /api/v1/policies": () => json(200, { items: [], nextCursor: null }),
    });
    renderConsole(cp, "/policies");
    await waitFor(() => expect(window.location.pathname + window.location.search).toBe("/login?next=%2Fpolicies"));
    await submit("admin@example.test", "correct-horse-battery");
    expect(await screen.findByRole("heading", { name: "No policies yet" })).toBeTruthy();
    expect(window.location.pathname).toBe("/policies");
  });
});
