// What a newcomer runs: `npm start` (`portcullis start`: control plane, one node and the demo's tool servers in
// one process, the demo seeded on the new database), then `npm run demo` in a second terminal. The banner says
// what to run next, the demo exits 0 with every played step as the scenario says, strict mode fails exactly when
// some step is not available yet, and a restart keeps the demo without seeding it again.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createServerDatabase, testDbKind } from "./harness.ts";
import { freePort, getJson, processGroup, type Spawned, signIn, until } from "./processes.ts";

const root = mkdtempSync(path.join(tmpdir(), "pc-demo-start-"));
const procs = processGroup();
const cleanups: (() => Promise<void>)[] = [];
const demoScript = fileURLToPath(new URL("../../examples/expense-report/demo.ts", import.meta.url));
afterAll(async () => {
  procs.killAll();
  for (const f of cleanups.reverse()) await f().catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

async function exitOf(p: Spawned): Promise<{ code: number | null; output: string }> {
  const code = await p.exited;
  return { code, output: p.output() };
}

describe("npm start, then npm run demo", () => {
  it("starts with the demo, plays it, and keeps it across a restart", { timeout: 300_000 }, async () => {
    const env: Record<string, string> = {
      PORTCULLIS_DATA_DIR: path.join(root, "data"),
      PORTCULLIS_CP_HTTP: `127.0.0.1:${await freePort()}`,
      PORTCULLIS_CP_GRPC: `127.0.0.1:${await freePort()}`,
      PORTCULLIS_DP_HTTP: `127.0.0.1:${await freePort()}`,
      PORTCULLIS_DEMO_TOOLS_HTTP: `127.0.0.1:${await freePort()}`,
      // An empty console directory: this test is about the demo, and the console is built by other tests.
      PORTCULLIS_CONSOLE_DIR: path.join(root, "no-console"),
      PORTCULLIS_SECRET_KEY: Buffer.alloc(32, 9).toString("base64"),
      PORTCULLIS_LOG_LEVEL: "",
    };
    if (testDbKind() === "postgres") {
      const db = await createServerDatabase();
      cleanups.push(db.drop);
      env.DATABASE_URL = db.url;
    }
    const start = async () => {
      const p = procs.spawn(["start"], env);
      await until(
        "the banner",
        async () => (p.output().includes("Stop with Ctrl-C.") ? true : undefined),
        180_000,
      ).catch((err) => {
        throw new Error(`${(err as Error).message}\n${p.output()}`);
      });
      return p;
    };

    const first = await start();
    const banner = first.output();
    expect(banner).toContain("the expense-report walkthrough was seeded");
    expect(banner).toMatch(/Approver login {4}bob@company\.com \/ demo-\S+ {3}\(security/);
    expect(banner).toContain("npm run demo");
    expect(banner).toContain(`Demo tools        http://${env.PORTCULLIS_DEMO_TOOLS_HTTP}/`);
    // Warnings only by default: the banner is not buried in JSON log lines.
    expect(banner).not.toMatch(/"level":30/);

    // Unattended: a held call is approved by bob through the REST API (without it the demo waits for the console).
    const demoEnv = {
      PORTCULLIS_DATA_DIR: env.PORTCULLIS_DATA_DIR as string,
      NO_COLOR: "1",
      PORTCULLIS_DEMO_APPROVE: "auto",
    };
    const demo = await exitOf(procs.spawn([], demoEnv, demoScript));
    expect(demo.code, demo.output).toBe(0);
    expect(demo.output).toContain("✓  2. receipt_ocr(receipt) → allowed");
    expect(demo.output).toContain("tool saw: alice@company.com, via expense-report-v1");
    expect(demo.output).toContain("✓  7. receipt_ocr again → denied (denied_by_policy)");
    expect(demo.output).toContain("tool saw: alice@company.com, via expense-report-v1 → ocr-helper-v2");
    const summary = /(\d+) passed, (\d+) failed, (\d+) not available yet/.exec(demo.output);
    expect(summary, demo.output).not.toBeNull();
    const [, passed, failed, unavailable] = (summary as RegExpExecArray).map(Number);
    expect(failed).toBe(0);
    expect(passed).toBe(23);
    expect(unavailable).toBe(0);
    expect(demo.output).toMatch(/approving \S+ as bob@company\.com through the REST API/);
    expect(demo.output).toMatch(/console {3}http:\/\/\S+\/sessions\/sess_[A-Za-z0-9_-]+/);

    // Strict: fails exactly when some step could not be played on this gateway.
    const strict = await exitOf(procs.spawn([], { ...demoEnv, PORTCULLIS_DEMO_STRICT: "1" }, demoScript));
    expect(strict.code, strict.output).toBe((unavailable as number) > 0 ? 1 : 0);

    // Ctrl-C, then a second start: the demo is there, not seeded again, and its tool servers run.
    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);
    const second = await start();
    expect(second.output()).toContain("the expense-report walkthrough is seeded");
    expect((await getJson(`http://${env.PORTCULLIS_DEMO_TOOLS_HTTP}/healthz`))?.status).toBe(200);
    // Attended (no PORTCULLIS_DEMO_APPROVE): the demo prints where to approve and waits; bob approves, it goes on.
    const attended = procs.spawn([], { ...demoEnv, PORTCULLIS_DEMO_APPROVE: "" }, demoScript);
    const link = await until("the demo to wait for an approval", async () => {
      const m = /Waiting for approval: open (http:\/\/\S+\/approvals\/(\S+))/.exec(attended.output());
      return m ? { url: m[1] as string, id: m[2] as string } : undefined;
    });
    expect(link.url).toBe(`http://${env.PORTCULLIS_CP_HTTP}/approvals/${link.id}`);
    const credentials = JSON.parse(
      readFileSync(path.join(env.PORTCULLIS_DATA_DIR as string, "demo", "credentials.json"), "utf8"),
    ) as { console: { users: { email: string; password: string }[] } };
    const bob = credentials.console.users.find((u) => u.email === "bob@company.com");
    const bobApi = await signIn(`http://${env.PORTCULLIS_CP_HTTP}`, "bob@company.com", bob?.password ?? "");
    await bobApi("POST", `/api/v1/approvals/${link.id}/decision`, { decision: "approve", comment: "by hand" });
    const again = await exitOf(attended);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain("23 passed, 0 failed, 0 not available yet");
    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);
  });
});
