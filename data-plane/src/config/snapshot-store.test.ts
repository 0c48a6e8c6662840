import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { generateSigningKeyPair, signSnapshot } from "@portcullis/proto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeResources, tempDir } from "../../test/fixtures.ts";
import { loadSnapshot, SNAPSHOT_FILE, saveSnapshot } from "./snapshot-store.ts";

describe("snapshot store", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  it("round-trips the signed fields byte for byte", async () => {
    const key = generateSigningKeyPair();
    const signed = signSnapshot({ version: 7, resources: makeResources(), signingKey: key.privateKey, kid: key.kid });
    await saveSnapshot(dir, { ...signed, version: "7" });
    const loaded = await loadSnapshot(dir);
    expect(loaded.status).toBe("found");
    if (loaded.status !== "found") return;
    expect(loaded.snapshot.version).toBe(7);
    expect(loaded.snapshot.sha256).toBe(signed.sha256);
    expect(loaded.snapshot.signature).toBe(signed.signature);
    expect(loaded.snapshot.resourcesJson.equals(signed.resourcesJson)).toBe(true);
  });

  it("reports a missing file as missing and a damaged one with its reason, never throwing", async () => {
    expect(await loadSnapshot(dir)).toEqual({ status: "missing" });
    await writeFile(path.join(dir, SNAPSHOT_FILE), "{not json");
    expect(await loadSnapshot(dir)).toMatchObject({
      status: "unreadable",
      reason: expect.stringContaining("not valid JSON"),
    });
    await writeFile(path.join(dir, SNAPSHOT_FILE), JSON.stringify({ v: 1, version: 1 }));
    expect(await loadSnapshot(dir)).toMatchObject({
      status: "unreadable",
      reason: expect.stringContaining("expected fields"),
    });
  });

  it("stores the resources as readable canonical JSON next to the signature, with mode 0600", async () => {
    const key = generateSigningKeyPair();
    const signed = signSnapshot({ version: 1, resources: makeResources(), signingKey: key.privateKey, kid: key.kid });
    await saveSnapshot(dir, signed);
    const file = JSON.parse(await readFile(path.join(dir, SNAPSHOT_FILE), "utf8"));
    expect(file).toMatchObject({ v: 1, version: 1, sha256: signed.sha256, signature: signed.signature });
    expect(file.resourcesJson).toBe(signed.resourcesJson.toString("utf8"));
    expect((await stat(path.join(dir, SNAPSHOT_FILE))).mode & 0o777).toBe(0o600);
  });
});
