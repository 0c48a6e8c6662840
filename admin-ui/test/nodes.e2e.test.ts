// A platform engineer enrolls a node from the console, end to end: signs in (platform role), opens Nodes, creates
// a bootstrap token, runs the exact command the console shows (a real `portcullis dp` process), watches the node
// appear online and in sync, then revokes it and sees it leave the list with a note saying what revoking did.
// With PORTCULLIS_E2E_SCREENSHOTS=DIR it saves the page at desktop and narrow widths.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleEnv, screenshot, startConsoleEnv } from "./support/console-env.ts";

const platform = { email: "pat@company.com", password: "platform-e2e-password" };
const cli = fileURLToPath(new URL("../../control-plane/src/cli.ts", import.meta.url));

let env: ConsoleEnv;
let node: ChildProcess | undefined;
let nodeOutput = "";

beforeAll(async () => {
  env = await startConsoleEnv("nodes");
  await env.createUser({ ...platform, displayName: "Pat Platform", role: "platform" });
}, 300_000);

afterAll(async () => {
  node?.kill("SIGKILL");
  await env?.close();
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** `A=1 B=2 npx portcullis dp` → { A: "1", B: "2" }, refusing anything but that shape. */
function envOfCommand(command: string): Record<string, string> {
  const match = /^((?:[A-Z_]+=\S+ )+)npx portcullis dp$/.exec(command);
  expect(match, command).not.toBeNull();
  return Object.fromEntries(
    (match?.[1] ?? "")
      .trim()
      .split(" ")
      .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
  );
}

describe("nodes in a browser (platform user)", () => {
  it("enrolls a node with the shown command, sees it online and in sync, then revokes it", {
    timeout: 240_000,
  }, async () => {
    const page = await env.newPage();
    await env.signIn(page, platform);

    await page.getByRole("navigation").getByRole("link", { name: "Nodes" }).click();
    await page.getByRole("heading", { name: "No nodes yet — add one" }).waitFor();
    await page.getByRole("button", { name: "Add node" }).first().click();
    const addPanel = page.getByRole("region", { name: "Add a node" });
    await addPanel.getByRole("button", { name: "Create bootstrap token" }).click();
    const command = (await addPanel.getByTestId("bootstrap-command").textContent()) ?? "";
    const shown = envOfCommand(command);
    expect(Object.keys(shown).sort()).toEqual(["PORTCULLIS_BOOTSTRAP_TOKEN", "PORTCULLIS_CP_GRPC"]);
    await addPanel.getByRole("button", { name: "Done" }).click();

    // Run exactly what the console showed (npx portcullis dp is this CLI), on a free port and a fresh state dir.
    node = spawn(process.execPath, [cli, "dp"], {
      env: {
        ...process.env,
        ...shown,
        PORTCULLIS_DP_HTTP: `127.0.0.1:${await freePort()}`,
        PORTCULLIS_DP_DATA_DIR: join(env.workDir, "node-1"),
        PORTCULLIS_DP_NAME: "edge-node-1",
        PORTCULLIS_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    node.stdout?.on("data", (d) => {
      nodeOutput += d;
    });
    node.stderr?.on("data", (d) => {
      nodeOutput += d;
    });

    // The page refreshes on its own: the node shows up online and serving the current snapshot.
    const row = page.getByRole("row").filter({ hasText: "edge-node-1" });
    await row
      .getByText("Online")
      .waitFor({ timeout: 120_000 })
      .catch((e: Error) => {
        throw new Error(`${e.message}\nnode output:\n${nodeOutput}`);
      });
    await row.getByText(/In sync · v\d+/).waitFor({ timeout: 60_000 });
    await screenshot(page, "nodes-online");

    await row.getByRole("button", { name: "Revoke edge-node-1" }).click();
    const dialog = page.getByRole("alertdialog");
    await dialog.getByLabel("Reason (kept in the audit trail)").fill("e2e: host decommissioned");
    await dialog.getByRole("button", { name: "Revoke node" }).click();
    // A revoked node leaves the list; the page says what happened to it.
    await page
      .getByText(/Revoked edge-node-1\. Its streams are closed and its keys refused\./)
      .waitFor({ timeout: 60_000 });
    await row.waitFor({ state: "detached", timeout: 30_000 });
    await screenshot(page, "nodes-revoked");

    expect(env.pageProblems).toEqual([]);
    await page.context().close();
  });
});
