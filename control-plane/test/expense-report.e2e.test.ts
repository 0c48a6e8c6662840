// The acceptance test: the expense-report walkthrough (shared/scenarios/expense-report.md) end to end with real
// processes. The control plane (`portcullis cp` with PORTCULLIS_DEMO=1, on PostgreSQL when DATABASE_URL is set,
// PGlite otherwise) seeds the demo; the demo's tool servers run as their own process and verify every gateway
// assertion against the control plane's JWKS; a data-plane node (`portcullis dp`) enrolls with a bootstrap token.
// The walkthrough client (official MCP SDK) plays every step; then the audit trail is checked through the API
// (each call once, in order, with the policies that decided it, and the trail's signatures verified), the tool
// servers' view (the assertion said "alice, via expense-report-v1", never the caller's own token), and the
// console in Chromium signed in as bob, the security user the seed created.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  type DemoCredentials,
  type DemoServersConfig,
  type HeldApproval,
  type LogEntry,
  runWalkthrough,
  type StepResult,
  type WalkthroughResult,
} from "@portcullis/examples/expense-report";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumArgs, ensureChromium } from "../../admin-ui/test/support/chromium.ts";
import { createServerDatabase, testDbKind } from "./harness.ts";
import { type ApiCall, freePort, getJson, processGroup, signIn, until } from "./processes.ts";

const root = mkdtempSync(path.join(tmpdir(), "pc-expense-"));
const procs = processGroup();
const cleanups: (() => Promise<void>)[] = [];
const serveScript = fileURLToPath(new URL("../../examples/expense-report/serve.ts", import.meta.url));
const adminUiRoot = fileURLToPath(new URL("../../admin-ui", import.meta.url));
const consoleDir = path.join(root, "console");
const adminPassword = "expense-report-e2e-password";

let cpUrl = "";
let credentials: DemoCredentials;
let servers: DemoServersConfig;
let browser: Browser | undefined;
let api: ApiCall;

beforeAll(async () => {
  // The console this control plane serves, built into a directory of this test's own.
  const { build } = (await import("vite")) as typeof import("vite");
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({
      root: adminUiRoot,
      configFile: path.join(adminUiRoot, "vite.config.ts"),
      mode: "production",
      logLevel: "warn",
      build: { outDir: consoleDir, emptyOutDir: true, sourcemap: false },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }

  const dataDir = path.join(root, "cp");
  const dpHttp = `127.0.0.1:${await freePort()}`;
  const env: Record<string, string> = {
    PORTCULLIS_DATA_DIR: dataDir,
    PORTCULLIS_CP_HTTP: `127.0.0.1:${await freePort()}`,
    PORTCULLIS_CP_GRPC: `127.0.0.1:${await freePort()}`,
    PORTCULLIS_ADMIN_PASSWORD: adminPassword,
    PORTCULLIS_SECRET_KEY: Buffer.alloc(32, 8).toString("base64"),
    PORTCULLIS_CONSOLE_DIR: consoleDir,
    PORTCULLIS_DEMO: "1",
    PORTCULLIS_DEMO_TOOLS_HTTP: `127.0.0.1:${await freePort()}`,
    PORTCULLIS_DP_HTTP: dpHttp,
  };
  if (testDbKind() === "postgres") {
    const db = await createServerDatabase();
    cleanups.push(db.drop);
    env.DATABASE_URL = db.url;
  }
  cpUrl = `http://${env.PORTCULLIS_CP_HTTP}`;
  const cp = procs.spawn(["cp"], env);
  await until(
    "the control plane",
    async () => ((await getJson(`${cpUrl}/readyz`))?.status === 200 ? true : undefined),
    180_000,
  ).catch((err) => {
    throw new Error(`${(err as Error).message}\n${cp.output()}`);
  });
  // The seed runs once the control plane listens; servers.json is the last thing it writes.
  const readDemo = async () => {
    try {
      servers = JSON.parse(readFileSync(path.join(dataDir, "demo", "servers.json"), "utf8"));
      credentials = JSON.parse(readFileSync(path.join(dataDir, "demo", "credentials.json"), "utf8"));
      return true;
    } catch {
      return undefined;
    }
  };
  await until("the demo seed", readDemo, 120_000).catch((err) => {
    throw new Error(`${(err as Error).message}\n${cp.output()}`);
  });

  // The demo's tool servers: a process of their own, as a tool owner's would be.
  const tools = procs.spawn([path.join(dataDir, "demo", "servers.json")], {}, serveScript);
  await until("the demo tool servers", async () =>
    (await getJson(`${credentials.toolServers}/healthz`))?.status === 200 ? true : undefined,
  ).catch((err) => {
    throw new Error(`${(err as Error).message}\n${tools.output()}`);
  });

  // A node, enrolled with a bootstrap token, in sync with the seeded configuration.
  api = await signIn(cpUrl, "admin@portcullis.local", adminPassword);
  const groups = await api("GET", "/api/v1/gateway-groups");
  const issued = await api("POST", `/api/v1/gateway-groups/${groups.items[0].id}/bootstrap-tokens`, {});
  const dp = procs.spawn(["dp"], {
    PORTCULLIS_CP_GRPC: env.PORTCULLIS_CP_GRPC as string,
    PORTCULLIS_DP_HTTP: dpHttp,
    PORTCULLIS_DP_DATA_DIR: path.join(root, "dp"),
    PORTCULLIS_BOOTSTRAP_TOKEN: issued.token,
    PORTCULLIS_DP_HEARTBEAT_SECONDS: "1",
  });
  await until(
    "the node to be ready",
    async () => ((await getJson(`http://${dpHttp}/readyz`))?.status === 200 ? true : undefined),
    120_000,
  ).catch((err) => {
    throw new Error(`${(err as Error).message}\n${dp.output()}`);
  });
  browser = await chromium.launch({ executablePath: ensureChromium(), args: chromiumArgs });
}, 420_000);

afterAll(async () => {
  await browser?.close();
  procs.killAll();
  for (const f of cleanups.reverse()) await f().catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

interface EventView {
  tool: string | null;
  agent: string | null;
  operator: string | null;
  decision: string | null;
  outcome: string | null;
  code: string | null;
  policies: { id: string; name: string | null }[];
  evaluated: number | null;
  streamId: string;
  at: string;
}

/** The audit outcome of each step's outcome (a held call: approval_pending where the gateway has approvals). */
const auditOutcome: Record<string, readonly string[]> = {
  allowed: ["ok"],
  denied: ["denied"],
  held: ["approval_pending", "approval_required"],
  unknown_tool: ["unknown_tool"],
};
const DELEGATED_CHAIN = "alice@company.com, via expense-report-v1 → ocr-helper-v2";
const approved: HeldApproval[] = [];

/** Bob approves a held call in the console, from the link the agent was given (the Approvals page). */
/** A browser page signed in to the console as bob, with the password the seed wrote. */
async function bobsPage(): Promise<Page> {
  const bob = credentials.console.users.find((u) => u.email === "bob@company.com");
  const page = await (browser as Browser).newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(20_000);
  await page.goto(`${cpUrl}/`);
  await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
  await page.getByLabel("Email").fill(bob?.email ?? "");
  await page.getByLabel("Password").fill(bob?.password ?? "");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
  return page;
}

async function approveInConsole(approval: HeldApproval): Promise<void> {
  expect(new URL(approval.approveUrl ?? "").pathname).toBe(`/approvals/${approval.id}`);
  const page = await bobsPage();
  try {
    await page.goto(`${cpUrl}/approvals/${approval.id}`);
    const panel = page.getByRole("region", { name: /create_expense_report for alice@company.com/ });
    await panel.getByLabel("Arguments").waitFor();
    expect(JSON.parse((await panel.getByLabel("Arguments").textContent()) ?? "")).toMatchObject({ amount: 1200 });
    await panel.getByLabel("Comment (kept in the audit trail)").fill("receipts checked");
    await panel.getByRole("button", { name: "Approve" }).click();
    await panel.getByText("Approved. The agent's identical retry will execute once.").waitFor();
    approved.push(approval);
  } finally {
    await page.close();
  }
}

describe("the expense-report walkthrough, end to end", () => {
  let result: WalkthroughResult;
  const played = (r: WalkthroughResult) => r.steps.filter((s) => s.status !== "unavailable");

  it("plays every available step as the scenario says", { timeout: 180_000 }, async () => {
    result = await runWalkthrough({ credentials, approve: approveInConsole });
    const failed = result.steps.filter((s) => s.status === "fail");
    expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
    // The gateway has every feature the scenario needs: nothing is left out.
    expect(result.steps.filter((s) => s.status === "unavailable")).toEqual([]);
    expect(result.steps).toHaveLength(23);
    for (const step of played(result)) expect(step.observed?.outcome, step.title).toBe(step.expected);
    // Every allowed call reached its tool with an assertion for the session's operator and agent (chain).
    for (const step of played(result).filter((s) => s.expected === "allowed" && s.tool)) {
      const operator = step.session === "carol" ? "carol@company.com" : "alice@company.com";
      const saw = step.session === "delegation" ? DELEGATED_CHAIN : `${operator}, via expense-report-v1`;
      expect(step.observed?.toolSaw, step.title).toBe(saw);
    }
    // Held calls name their approval; bob approved the $1200 one in the console, and only that one.
    const held = result.steps.filter((s) => s.expected === "held");
    expect(held.map((s) => [s.args?.amount, s.observed?.code])).toEqual([
      [1200, "approval_pending"],
      [1300, "approval_pending"],
    ]);
    expect(approved.map((a) => a.id)).toEqual([held[0]?.observed?.approval?.id]);
    const approvals = (await api("GET", `/api/v1/approvals?session=${result.sessions.limits}`)).items as {
      id: string;
      status: string;
      args: { amount: number };
      decidedBy: string | null;
    }[];
    expect(approvals.map((a) => [a.args.amount, a.status, a.decidedBy]).sort()).toEqual([
      [1200, "consumed", "bob@company.com"],
      [1300, "pending", null],
    ]);
    // The delegate runs in a session of its own, opened from the delegating agent's.
    expect(result.sessions.delegation).toBeDefined();
    const delegated = await api("GET", `/api/v1/sessions/${result.sessions.delegation}`);
    expect(delegated).toMatchObject({
      parentSessionId: result.sessions["delegation-parent"],
      agentName: "ocr-helper-v2",
      operatorSub: "alice@company.com",
      delegation: {
        depth: 1,
        chain: [
          { agent: "expense-report-v1", trust: "first_party" },
          { agent: "ocr-helper-v2", trust: "third_party" },
        ],
      },
    });
  });

  it("records every call once, in order, with the policies that decided it, and the trail verifies", {
    timeout: 120_000,
  }, async () => {
    expect(result, "the walkthrough ran").toBeDefined();
    const calls = (label: string): StepResult[] =>
      played(result).filter((s) => s.session === label && s.tool !== undefined);
    for (const [label, sessionId] of Object.entries(result.sessions)) {
      const expected = calls(label);
      const page = await until(`the audit events of the ${label} session`, async () => {
        const p = await api("GET", `/api/v1/sessions/${sessionId}/events`);
        return p.items.length >= expected.length ? p : undefined;
      });
      const events = page.items as EventView[];
      expect(
        events.map((e) => e.tool),
        label,
      ).toEqual(expected.map((s) => s.tool));
      expected.forEach((step, i) => {
        const event = events[i] as EventView;
        expect(auditOutcome[step.expected], step.title).toContain(event.outcome);
        expect(event.agent).toBe(label === "delegation" ? "ocr-helper-v2" : "expense-report-v1");
        expect(event.operator).toBe(label === "carol" ? "carol@company.com" : "alice@company.com");
        if (step.policy) {
          expect(
            event.policies.map((p) => p.name),
            step.title,
          ).toContain(step.policy);
          expect(event.evaluated, step.title).toBeGreaterThan(0);
        }
      });
      for (const streamId of page.streams as string[]) {
        expect(await api("GET", `/api/v1/audit/verify?streamId=${streamId}`)).toMatchObject({ ok: true, problems: [] });
      }
    }
    // The happy path is the scenario's figure: four tools, four allowed, in order.
    const happy = (await api("GET", `/api/v1/sessions/${result.sessions.happy}/events`)).items as EventView[];
    expect(happy.map((e) => `${e.tool} ${e.decision}`)).toEqual([
      "receipt_ocr allow",
      "get_employee_cost_center allow",
      "create_expense_report allow",
      "send_notification allow",
    ]);
    const session = await api("GET", `/api/v1/sessions/${result.sessions.happy}`);
    expect(session).toMatchObject({ operatorSub: "alice@company.com", agentName: "expense-report-v1" });
    // The whole trail verifies too, and no decision arrived twice.
    const verified = await api("GET", "/api/v1/audit/verify");
    expect(verified).toMatchObject({ ok: true, problems: [] });
    const expectedEvents = Object.keys(result.sessions).reduce((n, label) => n + calls(label).length, 0);
    expect(verified.events).toBe(expectedEvents);
  });

  it("the tools saw only gateway assertions, and refuse calls without one", { timeout: 60_000 }, async () => {
    const seen = (await (await fetch(`${credentials.toolServers}/_demo/log`)).json()) as {
      log: LogEntry[];
      reports: { employee_id: string; amount: number; filed_by: string }[];
      notifications: { recipient: string }[];
    };
    expect(seen.log.length).toBeGreaterThan(0);
    expect(seen.log.filter((e) => !e.accepted)).toEqual([]);
    expect(seen.log.filter((e) => e.foreignAuthorization)).toEqual([]);
    // Exactly the allowed expense reports were filed: the held, capped and denied ones never reached accounting.
    const filed = played(result).filter((s) => s.tool === "create_expense_report" && s.expected === "allowed");
    expect(seen.reports.map((r) => r.amount).sort((x, y) => x - y)).toEqual(
      filed.map((s) => Number(s.args?.amount)).sort((x, y) => x - y),
    );
    expect(seen.reports.every((r) => r.filed_by === "alice@company.com, via expense-report-v1")).toBe(true);
    expect(seen.notifications.map((n) => n.recipient)).toEqual(["bob@company.com"]);
    // Nothing but the gateway gets in: no assertion, a malformed one, one for another upstream.
    const noAssertion = await fetch(`${credentials.toolServers}/accounting/reports`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ employee_id: "alice@company.com", amount: 1, cost_center: "eng-team-001" }),
    });
    expect(noAssertion.status).toBe(401);
    expect(((await noAssertion.json()) as { error: { code: string } }).error.code).toBe("assertion_missing");
    const forged = await fetch(`${credentials.toolServers}/ocr/mcp`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "portcullis-assertion": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0.",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(forged.status).toBe(401);
    expect(Object.keys(servers.audiences).sort()).toEqual([
      "accounting",
      "accounting-admin",
      "directory",
      "notify",
      "ocr",
    ]);
  });

  it("the console shows the demo to bob, the security user the seed created", { timeout: 90_000 }, async () => {
    const bob = credentials.console.users.find((u) => u.email === "bob@company.com");
    expect(bob?.role).toBe("security");
    const page = await bobsPage();
    const problems: string[] = [];
    page.on("pageerror", (err) => problems.push(err.message));
    expect(await page.getByTestId("user-email").textContent()).toBe("bob@company.com");
    // The scenario's policies, as the seed wrote them.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Policies" }).click();
    await page.getByRole("row").filter({ hasText: "expense-manager-approval" }).waitFor();
    await page.getByRole("row").filter({ hasText: "ocr-once-per-session" }).waitFor();
    await page.screenshot({ path: path.join(root, "policies.png") });
    // The link `npm run demo` prints: the happy path's session, every call in order with its signature verified.
    const happy = result.sessions.happy as string;
    await page.goto(`${cpUrl}/sessions/${encodeURIComponent(happy)}`);
    await page.getByRole("heading", { name: "Session", level: 1 }).waitFor();
    const calls = page.getByTestId("timeline-call");
    await until("the session's four calls", async () => ((await calls.count()) === 4 ? true : undefined));
    const tools = ["receipt_ocr", "get_employee_cost_center", "create_expense_report", "send_notification"];
    for (const [i, tool] of tools.entries()) {
      const text = await calls.nth(i).textContent();
      expect(text).toMatch(new RegExp(`${tool}.*Allowed`));
      expect(text).toContain("Signature verified");
    }
    expect(await page.getByTestId("session-integrity").textContent()).toBe("Signature verified");
    await page.getByText("4 (4 allowed, 0 denied)").waitFor();
    await page.getByText("alice@company.com").first().waitFor();
    // With PORTCULLIS_E2E_SCREENSHOTS=DIR (as the console's e2e tests), the session page is kept as a picture.
    const shots = process.env.PORTCULLIS_E2E_SCREENSHOTS;
    await page.screenshot({ path: path.join(shots ?? root, "expense-report-session.png"), fullPage: true });
    // Every other session of the walkthrough too: each call there, each verified.
    for (const label of ["repeats", "limits", "delegation", "carol"]) {
      const id = result.sessions[label] as string;
      const expected = played(result).filter((s) => s.session === label && s.tool !== undefined).length;
      await page.goto(`${cpUrl}/sessions/${encodeURIComponent(id)}`);
      await page.getByRole("heading", { name: "Session", level: 1 }).waitFor();
      const rows = page.getByTestId("timeline-call");
      await until(`the ${label} session's calls`, async () => ((await rows.count()) === expected ? true : undefined));
      for (let i = 0; i < expected; i++) expect(await rows.nth(i).textContent()).toContain("Signature verified");
      expect(await page.getByTestId("session-integrity").textContent()).toBe("Signature verified");
    }
    expect(problems).toEqual([]);
    await page.close();
  });
});
