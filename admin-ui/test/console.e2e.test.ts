// The console end to end: the built console served by a real control plane (in-process, PGlite in memory),
// driven by Chromium. Sign in, see the shell, see an agent created through the API, sign out.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../control-plane/src/config.ts";
import { type Database, openDatabase } from "../../control-plane/src/db/client.ts";
import { type RunningControlPlane, startControlPlane } from "../../control-plane/src/main.ts";
import { chromiumArgs, ensureChromium } from "./support/chromium.ts";

const adminUiRoot = fileURLToPath(new URL("..", import.meta.url));
const adminEmail = "admin@portcullis.local";
const adminPassword = "e2e-correct-horse-battery";

let dataDir: string;
let database: Database;
let cp: RunningControlPlane;
let browser: Browser;
/** Problems the page reported: uncaught exceptions and CSP violations. */
const pageProblems: string[] = [];

beforeAll(async () => {
  const executablePath = ensureChromium();
  // The control plane serves admin-ui/dist, so the console is built there (a fraction of a second).
  // Vitest sets NODE_ENV=test, which would give a development build of React; build what users get.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({
      root: adminUiRoot,
      configFile: join(adminUiRoot, "vite.config.ts"),
      mode: "production",
      logLevel: "warn",
      build: { sourcemap: false },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  dataDir = mkdtempSync(join(tmpdir(), "portcullis-console-e2e-"));
  database = await openDatabase({ dataDir: "memory://" });
  cp = await startControlPlane(
    parseConfig({
      PORTCULLIS_CP_HTTP: "127.0.0.1:0",
      PORTCULLIS_CP_GRPC: "127.0.0.1:0",
      PORTCULLIS_DATA_DIR: dataDir,
      PORTCULLIS_ADMIN_PASSWORD: adminPassword,
      PORTCULLIS_LOG_LEVEL: "silent",
    }),
    { database },
  );
  browser = await chromium.launch({ executablePath, args: chromiumArgs });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await cp?.close();
  await database?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function watch(page: Page) {
  page.on("pageerror", (err) => pageProblems.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (/Content Security Policy/i.test(msg.text())) pageProblems.push(`csp: ${msg.text()}`);
  });
}

/** A call to the REST API from inside the page: the browser's session cookie plus the CSRF token. */
async function apiFromPage(page: Page, method: string, path: string, body?: unknown) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const session = await fetch("/api/v1/auth/session").then((r) => r.json());
      const res = await fetch(path, {
        method,
        headers: { "content-type": "application/json", "x-csrf-token": session.csrfToken },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    { method, path, body },
  );
}

describe("console in a browser", () => {
  it("signs in, shows the shell and the agents, and signs out", { timeout: 60_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(10_000);
    watch(page);

    // Not signed in: the console sends us to the sign-in page.
    await page.goto(`${cp.url}/`);
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");

    // A wrong password shows the API's message.
    await page.getByLabel("Email").fill(adminEmail);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").getByText("Email or password is wrong, or the account is disabled.").waitFor();

    // Signing in opens the overview, with the user and the admin's eight sections.
    await page.getByLabel("Password").fill(adminPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    expect(await page.getByTestId("user-email").textContent()).toBe(adminEmail);
    const nav = page.getByRole("navigation", { name: "Main" }).getByRole("link");
    expect(await nav.allTextContents()).toEqual([
      "Overview",
      "Policies",
      "Agents",
      "Tools",
      "Nodes",
      "Approvals",
      "Sessions",
      "Settings",
    ]);

    // An agent created through the API with the browser's cookie appears on the Agents page.
    const name = `e2e-agent-${Date.now().toString(36)}`;
    const created = await apiFromPage(page, "POST", "/api/v1/agents", {
      name,
      description: "<script>window.__pwned = true</script> created by the e2e test",
      owner: "console-e2e",
      trust: "third_party",
      labels: { suite: "e2e" },
    });
    expect(created.status).toBe(201);
    await nav.filter({ hasText: "Agents" }).click();
    await page.getByRole("heading", { name: "Agents", level: 1 }).waitFor();
    const row = page.getByRole("row").filter({ hasText: name });
    await row.waitFor();
    expect(await row.textContent()).toContain("console-e2e");
    expect(await row.textContent()).toContain("Third party");
    expect(await row.textContent()).toContain("<script>window.__pwned = true</script>");
    expect(await page.evaluate(() => (window as { __pwned?: boolean }).__pwned)).toBeUndefined();
    expect(new URL(page.url()).pathname).toBe("/agents");

    // The search box filters through the API.
    await page.getByLabel("Search agents by name").fill("no-such-agent");
    await page.getByRole("heading", { name: "No agents match" }).waitFor();

    // Policies: a fresh database has none, and the page says what to do about it.
    await nav.filter({ hasText: "Policies" }).click();
    await page.getByRole("heading", { name: "No policies yet" }).waitFor();

    // Nodes: none yet; with a gateway group, "Add node" creates a bootstrap token and shows its command once.
    await nav.filter({ hasText: "Nodes" }).click();
    await page.getByRole("heading", { name: "No nodes yet — add one" }).waitFor();
    const groupName = `e2e-group-${Date.now().toString(36)}`;
    expect((await apiFromPage(page, "POST", "/api/v1/gateway-groups", { name: groupName })).status).toBe(201);
    await page.getByRole("button", { name: "Add node" }).first().click();
    const addPanel = page.getByRole("region", { name: "Add a node" });
    await addPanel.getByRole("option", { name: groupName }).waitFor({ state: "attached" });
    await addPanel.getByLabel("Gateway group").selectOption({ label: groupName });
    await addPanel.getByRole("button", { name: "Create bootstrap token" }).click();
    const command = await addPanel.getByTestId("bootstrap-command").textContent();
    expect(command).toMatch(/^PORTCULLIS_CP_GRPC=\S+ PORTCULLIS_BOOTSTRAP_TOKEN=\S+ npx portcullis dp$/);
    await addPanel.getByText("Copy the command now: it will not be shown again.").waitFor();
    await addPanel.getByRole("button", { name: "Done" }).click();
    expect(await page.getByText(command ?? "").count()).toBe(0);
    expect(new URL(page.url()).pathname).toBe("/nodes");

    // Sign out: back on the sign-in page, and the old session is gone.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");
    const after = await page.evaluate(() => fetch("/api/v1/auth/session").then((r) => r.status));
    expect(after).toBe(401);

    expect(pageProblems).toEqual([]);
    await page.close();
  });
});
