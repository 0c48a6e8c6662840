// The control plane as a newcomer runs it: a real process started by the `portcullis` CLI, answering
// /readyz, printing the one-time admin password on the first start only, and reusing its database after.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createServerDatabase, testDbKind } from "./harness.ts";
import { freePort } from "./processes.ts";

const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const dataDir = mkdtempSync(path.join(tmpdir(), "portcullis-cli-"));
const children: ChildProcess[] = [];
let dropDb: (() => Promise<void>) | undefined;

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
  await dropDb?.();
});

async function databaseEnv(): Promise<Record<string, string>> {
  if (testDbKind() === "pglite") return {};
  const db = await createServerDatabase();
  dropDb = db.drop;
  return { DATABASE_URL: db.url };
}

function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, DATABASE_URL: "", PORTCULLIS_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitReady(url: string, deadlineMs = 60_000, output?: () => string): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < deadlineMs) {
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) return Date.now() - start;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}/readyz did not answer 200 within ${deadlineMs} ms\n${output?.() ?? ""}`);
}

describe("portcullis cp", () => {
  // Two cold starts (migrations on a new database, then a restart): generous bounds for a loaded machine.
  it("starts, answers /readyz, prints the admin password once, and keeps its data across restarts", async () => {
    const env = { ...(await databaseEnv()), PORTCULLIS_DATA_DIR: dataDir };
    const port = await freePort();
    const first = run(["cp"], { ...env, PORTCULLIS_CP_HTTP: `127.0.0.1:${port}`, PORTCULLIS_CP_GRPC: "127.0.0.1:0" });
    const ms = await waitReady(`http://127.0.0.1:${port}`, 90_000, first.output);
    console.info(`control plane ready ${ms} ms after spawn (${testDbKind()})`);
    const password = /Admin password\s+(\S+)/.exec(first.output())?.[1];
    expect(password, first.output()).toBeDefined();
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@portcullis.local", password }),
    });
    expect(login.status).toBe(200);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);

    const port2 = await freePort();
    const second = run(["cp"], { ...env, PORTCULLIS_CP_HTTP: `127.0.0.1:${port2}`, PORTCULLIS_CP_GRPC: "127.0.0.1:0" });
    await waitReady(`http://127.0.0.1:${port2}`, 90_000, second.output);
    expect(second.output()).not.toMatch(/Admin password/);
    const again = await fetch(`http://127.0.0.1:${port2}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@portcullis.local", password }),
    });
    expect(again.status).toBe(200);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  }, 240_000);

  it("exits 2 naming a bad variable", async () => {
    const r = run(["cp"], { PORTCULLIS_CP_HTTP: "nonsense" });
    expect(await r.exited).toBe(2);
    expect(r.output()).toContain("PORTCULLIS_CP_HTTP: expected HOST:PORT");
  });

  it("prints help, and refuses unknown commands", async () => {
    const help = run(["help"], {});
    expect(await help.exited).toBe(0);
    expect(help.output()).toContain("portcullis cp");
    const bad = run(["frobnicate"], {});
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain("unknown command: frobnicate");
  });
});
