// What the console's browser tests share: a real control plane (in-process, PGlite in memory) serving a console
// built into the test's own directory (so parallel browser tests never race over admin-ui/dist), an admin API
// token, console users created through the API, Chromium, and a page that records uncaught errors and CSP
// violations. Screenshots at desktop and narrow widths when PORTCULLIS_E2E_SCREENSHOTS names a directory.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core";
import { parseConfig } from "../../../control-plane/src/config.ts";
import { type Database, openDatabase } from "../../../control-plane/src/db/client.ts";
import { type RunningControlPlane, startControlPlane } from "../../../control-plane/src/main.ts";
import { createApiToken } from "../../../control-plane/src/services/api-tokens.ts";
import { buildConsole } from "./build-console.ts";
import { chromiumArgs, ensureChromium } from "./chromium.ts";

export interface ConsoleUser {
  email: string;
  password: string;
  displayName: string;
  role: "admin" | "security" | "platform" | "auditor";
}

export interface ConsoleEnv {
  workDir: string;
  cp: RunningControlPlane;
  browser: Browser;
  /** An admin API token for setting things up through the REST API. */
  adminToken: string;
  /** Uncaught page errors and CSP violations seen by pages from `newPage`. */
  pageProblems: string[];
  createUser(user: ConsoleUser): Promise<void>;
  newPage(options?: BrowserContextOptions): Promise<Page>;
  signIn(page: Page, user: { email: string; password: string }): Promise<void>;
  close(): Promise<void>;
}

export async function startConsoleEnv(name: string): Promise<ConsoleEnv> {
  const executablePath = ensureChromium();
  const workDir = mkdtempSync(join(tmpdir(), `portcullis-${name}-e2e-`));
  const outDir = join(workDir, "console");
  await buildConsole(outDir);
  const database: Database = await openDatabase({ dataDir: "memory://" });
  const cp = await startControlPlane(
    parseConfig({
      PORTCULLIS_CP_HTTP: "127.0.0.1:0",
      PORTCULLIS_CP_GRPC: "127.0.0.1:0",
      PORTCULLIS_DATA_DIR: join(workDir, "cp"),
      PORTCULLIS_ADMIN_PASSWORD: `${name}-e2e-admin-password`,
      PORTCULLIS_LOG_LEVEL: "silent",
      PORTCULLIS_CONSOLE_DIR: outDir,
    }),
    { database },
  );
  const ctx = {
    ...cp.deps,
    actor: { type: "system" as const, id: "e2e", name: "e2e", role: "admin" as const },
    requestId: "e2e",
  };
  const adminToken = (await createApiToken({ ctx, input: { name: "e2e-admin", role: "admin" } })).token;
  const browser = await chromium.launch({ executablePath, args: chromiumArgs });
  const pageProblems: string[] = [];
  return {
    workDir,
    cp,
    browser,
    adminToken,
    pageProblems,
    async createUser(user) {
      const created = await fetch(`${cp.url}/api/v1/users`, {
        method: "POST",
        headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
        body: JSON.stringify(user),
      });
      if (created.status !== 201) throw new Error(`creating ${user.email}: ${created.status} ${await created.text()}`);
    },
    async newPage(options) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, ...options });
      const page = await context.newPage();
      page.on("pageerror", (err) => pageProblems.push(`pageerror: ${err.message}`));
      page.on("console", (msg) => {
        if (/Content Security Policy/i.test(msg.text())) pageProblems.push(`csp: ${msg.text()}`);
      });
      return page;
    },
    async signIn(page, user) {
      await page.goto(`${cp.url}/login`);
      await page.getByLabel("Email").fill(user.email);
      await page.getByLabel("Password").fill(user.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    },
    async close() {
      await browser.close();
      await cp.close();
      await database.close();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** Saves the page at desktop and narrow (420 px) widths when PORTCULLIS_E2E_SCREENSHOTS names a directory. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const shots = process.env.PORTCULLIS_E2E_SCREENSHOTS;
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const size = page.viewportSize();
  await page.setViewportSize({ width: 420, height: 900 });
  await page.screenshot({ path: join(shots, `${name}-narrow.png`), fullPage: true });
  if (size) await page.setViewportSize(size);
}
