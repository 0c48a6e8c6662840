// The auditor's console end to end: a real control plane (in-process, PGlite in memory) with a real data-plane
// node carrying the expense-report scenario's calls through the real signed audit ingest. An auditor signs in,
// sees the overview's charts, finds a denied call in the audit search, opens its session, sees "Signature
// verified" on every call, and exports the session (the download is the API's JSON Lines). With
// PORTCULLIS_E2E_SCREENSHOTS=DIR it also saves a screenshot of each page at desktop and narrow widths.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScenarioTraffic, type ScenarioTraffic } from "../../control-plane/test/support/scenario-traffic.ts";
import { type ConsoleEnv, screenshot, startConsoleEnv } from "./support/console-env.ts";

const auditor = { email: "auditor@company.com", password: "auditor-e2e-password" };

let env: ConsoleEnv;
let traffic: ScenarioTraffic;

beforeAll(async () => {
  env = await startConsoleEnv("audit");
  await env.createUser({ ...auditor, displayName: "Dana Auditor", role: "auditor" });
  traffic = await runScenarioTraffic({
    cpUrl: env.cp.url,
    grpcAddress: env.cp.grpcAddress,
    apiToken: env.adminToken,
    workDir: env.workDir,
  });
}, 300_000);

afterAll(async () => {
  await traffic?.close();
  await env?.close();
});

describe("the auditor's console", () => {
  it("finds a denied call, opens its session, sees it verified, and exports it", { timeout: 120_000 }, async () => {
    const page = await env.newPage({ acceptDownloads: true });
    page.setDefaultTimeout(15_000);
    await env.signIn(page, auditor);
    const nav = page.getByRole("navigation", { name: "Main" }).getByRole("link");
    expect(await page.locator("nav .nav-label").allTextContents()).toEqual([
      "Overview",
      "Policies",
      "Agents",
      "Tools",
      "Nodes",
      "Approvals",
      "Sessions",
      "Audit",
    ]);

    // The overview: the scenario's five calls by outcome, its denied tools, the node ready.
    await page
      .getByRole("img", { name: /Decisions over the window: 2 allowed, 2 denied, 1 held for approval/ })
      .waitFor();
    const denied = page.getByRole("img", { name: "Most denied tools" });
    expect(await denied.textContent()).toContain("get_employee_cost_center");
    await page.getByRole("img", { name: "1 ready, 0 behind, 0 offline" }).waitFor();
    await screenshot(page, "overview");

    // The audit search: denied calls of the cost-centre tool.
    await nav.filter({ hasText: "Audit" }).click();
    await page.getByRole("heading", { name: "Audit", level: 1 }).waitFor();
    await page.getByLabel("Decision").selectOption("deny");
    await page.getByLabel("Tool").fill("get_employee_cost_center");
    await page.getByText("1 event", { exact: true }).waitFor();
    const row = page.getByRole("row").filter({ hasText: "get_employee_cost_center" });
    expect(await row.textContent()).toContain("Denied");
    expect(await row.textContent()).toContain("cost-center-self-only");
    const csv = page.getByRole("link", { name: "CSV" });
    expect(await csv.getAttribute("href")).toBe(
      "/api/v1/audit/events/export?tool=get_employee_cost_center&decision=deny&format=csv",
    );
    await screenshot(page, "audit");

    // Its session: every call in order, each "Signature verified".
    await row.getByRole("link").click();
    await page.getByRole("heading", { name: "Session", level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/sessions/${traffic.main.id}`);
    const calls = page.getByTestId("timeline-call");
    await calls.first().waitFor();
    expect(await calls.count()).toBe(4);
    expect(await calls.nth(1).textContent()).toMatch(/get_employee_cost_center.*Denied/);
    for (let i = 0; i < 4; i++) expect(await calls.nth(i).textContent()).toContain("Signature verified");
    expect(await page.getByTestId("session-integrity").textContent()).toBe("Signature verified");
    await page.getByText("4 (2 allowed, 2 denied)").waitFor();
    await page.getByRole("img", { name: /The session's 4 calls in order/ }).waitFor();
    await screenshot(page, "session");

    // Export: the browser downloads the session's events as JSON Lines, newest first.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "JSON Lines" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^portcullis-audit-.*\.jsonl$/);
    const file = join(env.workDir, "session.jsonl");
    await download.saveAs(file);
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual([...traffic.main.calls].reverse().map((c) => c.decisionId));
    expect(lines.every((l) => l.sessionId === traffic.main.id && typeof l.record === "string")).toBe(true);

    // The sessions list leads back to both sessions.
    await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Sessions" }).click();
    await page.getByRole("heading", { name: "Sessions", level: 1 }).waitFor();
    await page.getByRole("link", { name: traffic.approval.id }).waitFor();
    await page.getByRole("link", { name: traffic.main.id }).waitFor();
    await screenshot(page, "sessions");

    expect(env.pageProblems).toEqual([]);
    await page.context().close();
  });
});
