import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app-harness.ts";
import { loadKeyRing } from "../../keys/control-plane-keys.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await loadKeyRing(t.database.db, t.deps.secretKey); // creates the first key
});
afterAll(() => t.close());

describe("signing keys", () => {
  it("lists keys and rotates with a delayed activation, auditing the rotation", async () => {
    const before = await t.call("GET", "/api/v1/keys", { role: "auditor" });
    expect(before.status).toBe(200);
    expect(before.body.items).toHaveLength(1);
    const [first] = before.body.items;
    expect(first).toMatchObject({ status: "active", alg: "EdDSA", retiresAt: null });
    expect(first.publicJwk).not.toHaveProperty("d");

    const rotated = await t.call("POST", "/api/v1/keys/rotate", { body: { activateAfterSeconds: 120 } });
    expect(rotated.status).toBe(201);
    const after = await t.call("GET", "/api/v1/keys");
    expect(after.body.items).toMatchObject([
      { kid: rotated.body.kid, status: "pending", activatesAt: rotated.body.activatesAt },
      { kid: first.kid, status: "active", retiresAt: rotated.body.previousRetiresAt },
    ]);
    expect((await t.call("POST", "/api/v1/keys/rotate", { body: {} })).status).toBe(409);
    const audit = await t.call("GET", "/api/v1/admin-audit?action=signing_key.rotate");
    expect(audit.body.items).toHaveLength(1);
  });

  it("is admin-only for rotation and hidden from platform and security", async () => {
    expect((await t.call("POST", "/api/v1/keys/rotate", { role: "security", body: {} })).status).toBe(403);
    expect((await t.call("POST", "/api/v1/keys/rotate", { role: "auditor", body: {} })).status).toBe(403);
    expect((await t.call("GET", "/api/v1/keys", { role: "platform" })).status).toBe(403);
    expect((await t.call("GET", "/api/v1/keys", { role: "security" })).status).toBe(403);
  });
});
