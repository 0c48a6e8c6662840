// The production configuration shipped in deploy/compose.yaml, run for real: `portcullis cp` with the control
// plane's environment from the compose file (PORTCULLIS_ENV=production as the image sets it, the database swapped
// for this test's own). On PostgreSQL it must come up and serve the console and API; without a database server it
// must refuse to start, naming DATABASE_URL, because production never falls back to the embedded database.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createServerDatabase, testDbKind } from "./harness.ts";
import { freePort, getJson, processGroup, until } from "./processes.ts";

const compose = parse(readFileSync(fileURLToPath(new URL("../../deploy/compose.yaml", import.meta.url)), "utf8")) as {
  services: Record<string, { environment?: Record<string, string> }>;
};
const dockerfile = readFileSync(fileURLToPath(new URL("../../deploy/Dockerfile", import.meta.url)), "utf8");
const dataDir = mkdtempSync(path.join(tmpdir(), "portcullis-deploy-"));
const group = processGroup();
let dropDb: (() => Promise<void>) | undefined;

afterAll(async () => {
  group.killAll();
  rmSync(dataDir, { recursive: true, force: true });
  await dropDb?.();
});

/** The compose file's control-plane environment with `${VAR:?…}` references filled in as an operator's .env would. */
function controlPlaneEnv(): Record<string, string> {
  const dotEnv: Record<string, string> = {
    PORTCULLIS_SECRET_KEY: Buffer.alloc(32, 7).toString("base64"),
    PORTCULLIS_ADMIN_PASSWORD: "correct horse battery staple",
  };
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(compose.services["control-plane"]?.environment ?? {})) {
    env[k] = String(v).replace(/\$\{([A-Z0-9_]+)(?::[?-][^}]*)?\}/g, (_, name: string) => dotEnv[name] ?? "");
  }
  // The image's own defaults (ENV in the Dockerfile): production mode.
  expect(dockerfile).toMatch(/PORTCULLIS_ENV=production/);
  return { ...env, PORTCULLIS_ENV: "production", PORTCULLIS_DATA_DIR: dataDir };
}

describe("deploy/compose.yaml's control plane", () => {
  it("starts in production mode with the shipped settings, or refuses without a database", {
    timeout: 180_000,
  }, async () => {
    const env = controlPlaneEnv();
    expect(env.PORTCULLIS_SECRET_KEY).not.toBe("");
    const port = await freePort();
    const listen = { PORTCULLIS_CP_HTTP: `127.0.0.1:${port}`, PORTCULLIS_CP_GRPC: "127.0.0.1:0" };
    if (testDbKind() === "pglite") {
      const refused = group.spawn(["cp"], { ...env, ...listen, DATABASE_URL: "" });
      expect(await refused.exited).toBe(2);
      expect(refused.output()).toContain("DATABASE_URL: required when PORTCULLIS_ENV=production");
      return;
    }
    const db = await createServerDatabase();
    dropDb = db.drop;
    const cp = group.spawn(["cp"], { ...env, ...listen, DATABASE_URL: db.url });
    const ready = await until(
      "the control plane to be ready",
      async () => {
        const r = await getJson(`http://127.0.0.1:${port}/readyz`);
        return r?.status === 200 ? r : undefined;
      },
      120_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${cp.output()}`);
    });
    expect(ready.status).toBe(200);
    // The admin password from the environment works (nothing generated or printed in production).
    expect(cp.output()).not.toMatch(/Admin password/);
    const origin = env.PORTCULLIS_PUBLIC_URL as string;
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin },
      body: JSON.stringify({ email: "admin@portcullis.local", password: "correct horse battery staple" }),
    });
    expect(login.status, await login.clone().text()).toBe(200);
    cp.child.kill("SIGTERM");
    expect(await cp.exited).toBe(0);
  });
});
