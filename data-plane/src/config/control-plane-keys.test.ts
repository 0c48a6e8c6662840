import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateSigningKeyPair, signSnapshot, trustedKeys } from "@portcullis/proto";
import { afterAll, describe, expect, it } from "vitest";
import { makeResources } from "../../test/fixtures.ts";
import { loadLearnedKeys, saveLearnedKeys, withPublishedKeys } from "./control-plane-keys.ts";
import { buildEngine } from "./validate.ts";

const dir = mkdtempSync(path.join(tmpdir(), "pc-keys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("control-plane key rotation", () => {
  const oldKey = generateSigningKeyPair();
  const newKey = generateSigningKeyPair();
  const enrollment = trustedKeys([oldKey.publicKey]);

  it("trusts a new key once a verified snapshot has published it, and not before", () => {
    const announcing = makeResources();
    announcing.trust.controlPlaneKeys = [oldKey.publicJwk, newKey.publicJwk] as unknown as Record<string, unknown>[];
    const v1 = buildEngine(
      signSnapshot({ version: 1, resources: announcing, signingKey: oldKey.privateKey, kid: oldKey.kid }),
      { cpKeys: enrollment },
    );
    expect(v1.ok).toBe(true);
    const byNewKey = signSnapshot({
      version: 2,
      resources: makeResources(),
      signingKey: newKey.privateKey,
      kid: newKey.kid,
    });
    expect(buildEngine(byNewKey, { cpKeys: enrollment }).ok).toBe(false);
    expect(buildEngine(byNewKey, { cpKeys: enrollment, serving: v1.ok ? v1.engine : undefined }).ok).toBe(true);
    // An unknown key is still refused.
    const rogue = generateSigningKeyPair();
    const forged = signSnapshot({
      version: 3,
      resources: makeResources(),
      signingKey: rogue.privateKey,
      kid: rogue.kid,
    });
    expect(buildEngine(forged, { cpKeys: enrollment, serving: v1.ok ? v1.engine : undefined }).ok).toBe(false);
  });

  it("remembers learned keys across restarts", async () => {
    await saveLearnedKeys(dir, withPublishedKeys(enrollment, [newKey.publicJwk]));
    const loaded = await loadLearnedKeys(dir, enrollment);
    expect([...loaded.keys()].sort()).toEqual([oldKey.kid, newKey.kid].sort());
    expect([...(await loadLearnedKeys(path.join(dir, "missing"), enrollment)).keys()]).toEqual([oldKey.kid]);
  });
});
