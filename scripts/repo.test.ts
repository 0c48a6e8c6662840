// Whole-repository checks that belong in `npm test`: every workspace type-checks in strict mode, and the
// code passes the linter and formatter. A type error or lint finding fails CI like a failing test.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name: string) => `${root}node_modules/.bin/${name}`;
const workspaces = ["proto", "policy", "control-plane", "data-plane", "admin-ui", "examples"];

describe("repository", () => {
  for (const ws of workspaces) {
    it(`${ws} type-checks`, { timeout: 180_000 }, async () => {
      const result = await run(bin("tsc"), ["-p", `${ws}/tsconfig.json`], { cwd: root, maxBuffer: 16 << 20 }).catch(
        (err: { stdout?: string; stderr?: string }) => ({
          stdout: err.stdout ?? "",
          stderr: err.stderr ?? "",
          failed: true,
        }),
      );
      expect("failed" in result ? `${result.stdout}${result.stderr}` : "").toBe("");
    });
  }

  it("passes biome lint and format checks", { timeout: 120_000 }, async () => {
    const result = await run(bin("biome"), ["check", "--diagnostic-level=error", "."], {
      cwd: root,
      maxBuffer: 16 << 20,
    }).catch((err: { stdout?: string; stderr?: string }) => ({
      stdout: err.stdout ?? "",
      stderr: err.stderr ?? "",
      failed: true,
    }));
    expect("failed" in result ? `${result.stdout}${result.stderr}`.slice(0, 4000) : "").toBe("");
  });
});
