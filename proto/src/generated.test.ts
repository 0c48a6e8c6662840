import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generatedDir, generateTypes } from "../scripts/gen.ts";

function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

const tmp = mkdtempSync(join(tmpdir(), "portcullis-proto-stale-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("generated types", () => {
  it("are up to date with the .proto files (run `npm run gen` when this fails)", () => {
    const fresh = join(tmp, "generated");
    generateTypes(fresh);
    const files = listFiles(fresh);
    expect(listFiles(generatedDir), "generated files added or removed").toEqual(files);
    for (const file of files) {
      const committed = readFileSync(join(generatedDir, file), "utf8");
      expect(committed, `src/generated/${file} is stale`).toBe(readFileSync(join(fresh, file), "utf8"));
    }
  });
});
