import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir } from "../../test/fixtures.ts";
import { ensurePrivateDirectory, removeStaleTempFiles, writeFileDurably } from "./durable-file.ts";

describe("durable files", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  it("replaces a file atomically, readable only by its owner, and leaves no temp file behind", async () => {
    const file = path.join(dir, "state.json");
    await writeFileDurably(file, "one");
    await writeFileDurably(file, "two");
    expect(await readFile(file, "utf8")).toBe("two");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(["state.json"]);
  });

  it("creates private directories and removes temp files a crash left behind", async () => {
    const sub = path.join(dir, "a", "b");
    await ensurePrivateDirectory(sub);
    expect((await stat(sub)).mode & 0o777).toBe(0o700);
    await writeFile(path.join(sub, "snapshot.json.tmp-123-abcd"), "half");
    await writeFile(path.join(sub, "keep.json"), "{}");
    await removeStaleTempFiles(sub);
    expect(await readdir(sub)).toEqual(["keep.json"]);
  });
});
