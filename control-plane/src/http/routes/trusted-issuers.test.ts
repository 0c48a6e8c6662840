import { eq } from "drizzle-orm";
import { exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app-harness.ts";
import { adminAuditLog } from "../../db/schema.ts";
import { tokenSettings } from "../../tokens/settings.ts";

let t: TestApp;
let publicJwk: Record<string, unknown>;
let privateJwk: Record<string, unknown>;
beforeAll(async () => {
  t = await createTestApp();
  const pair = await generateKeyPair("ES256", { extractable: true });
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: "k1" };
  privateJwk = { ...(await exportJWK(pair.privateKey)), kid: "k1" };
});
afterAll(() => t.close());

const base = {
  name: "corporate-sso",
  issuer: "https://login.example.com/",
  jwksUrl: "https://login.example.com/.well-known/jwks.json",
  audience: "api://portcullis",
  claimMapping: { department: "dept", cost_center: "cc" },
};

describe("trusted issuers", () => {
  it("creates, reads, lists, updates and deletes, auditing each change", async () => {
    const created = await t.call("POST", "/api/v1/trusted-issuers", { body: base });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ ...base, staticJwks: null, enabled: true, id: expect.any(String) });
    const id = created.body.id as string;

    expect((await t.call("GET", `/api/v1/trusted-issuers/${id}`, { role: "security" })).body.name).toBe(base.name);
    const list = await t.call("GET", "/api/v1/trusted-issuers?q=login.example", { role: "auditor" });
    expect(list.body.items.map((i: { name: string }) => i.name)).toEqual([base.name]);

    const patched = await t.call("PATCH", `/api/v1/trusted-issuers/${id}`, {
      body: { jwksUrl: null, staticJwks: { keys: [publicJwk] }, enabled: false },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ jwksUrl: null, staticJwks: { keys: [publicJwk] }, enabled: false });
    expect((await t.call("GET", "/api/v1/trusted-issuers?enabled=true")).body.items).toEqual([]);

    expect((await t.call("DELETE", `/api/v1/trusted-issuers/${id}`)).status).toBe(204);
    expect((await t.call("GET", `/api/v1/trusted-issuers/${id}`)).status).toBe(404);
    const audit = await t.database.db.select().from(adminAuditLog).where(eq(adminAuditLog.targetId, id));
    expect(audit.map((a) => a.action).sort()).toEqual([
      "trusted_issuer.create",
      "trusted_issuer.delete",
      "trusted_issuer.update",
    ]);
  });

  it("refuses a static JWK Set with private key material, naming the key", async () => {
    const res = await t.call("POST", "/api/v1/trusted-issuers", {
      body: {
        ...base,
        name: "leaky",
        jwksUrl: undefined,
        staticJwks: { keys: [publicJwk, { ...privateJwk, kid: "k2" }] },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([{ field: "body.staticJwks.keys.1", message: expect.stringMatching(/"d"/) }]);
    const symmetric = await t.call("POST", "/api/v1/trusted-issuers", {
      body: { ...base, name: "hmac", jwksUrl: undefined, staticJwks: { keys: [{ kty: "oct", k: "c2VjcmV0" }] } },
    });
    expect(symmetric.status).toBe(400);
    expect(symmetric.body.error.fields[0].field).toBe("body.staticJwks.keys.0");
    expect((await t.call("GET", "/api/v1/trusted-issuers?q=leaky")).body.items).toEqual([]);
  });

  it("refuses JWKS URLs pointing at metadata or link-local addresses", async () => {
    for (const jwksUrl of [
      "http://169.254.169.254/latest/meta-data/",
      "http://2852039166/",
      "http://[::ffff:a9fe:a9fe]/",
      "http://metadata.google.internal/",
    ]) {
      const res = await t.call("POST", "/api/v1/trusted-issuers", { body: { ...base, name: "meta", jwksUrl } });
      expect(res.status, jwksUrl).toBe(400);
      expect(res.body.error.fields[0].field).toBe("body.jwksUrl");
    }
  });

  it("requires https in production and exactly one key source", async () => {
    const previous = t.deps.tokens;
    t.deps.tokens = tokenSettings({ production: true });
    try {
      const res = await t.call("POST", "/api/v1/trusted-issuers", {
        body: { ...base, name: "plain", issuer: "http://login.example.com", jwksUrl: "http://login.example.com/jwks" },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual([
        "body.issuer",
        "body.jwksUrl",
      ]);
    } finally {
      t.deps.tokens = previous;
    }
    const neither = await t.call("POST", "/api/v1/trusted-issuers", { body: { ...base, jwksUrl: undefined } });
    expect(neither.status).toBe(400);
    const both = await t.call("POST", "/api/v1/trusted-issuers", {
      body: { ...base, staticJwks: { keys: [publicJwk] } },
    });
    expect(both.status).toBe(400);
    const mapping = await t.call("POST", "/api/v1/trusted-issuers", {
      body: { ...base, claimMapping: { salary: "pay" } },
    });
    expect(mapping.body.error.fields[0].field).toBe("body.claimMapping.salary");
  });

  it("answers 409 for a duplicate name or issuer", async () => {
    expect((await t.call("POST", "/api/v1/trusted-issuers", { body: { ...base, name: "dup" } })).status).toBe(201);
    const dup = await t.call("POST", "/api/v1/trusted-issuers", { body: { ...base, name: "dup-2" } });
    expect(dup.status).toBe(409);
  });

  it("lets admins write; security and auditors only read; platform neither", async () => {
    const body = { ...base, name: "nope", issuer: "https://nope.example.com" };
    expect((await t.call("POST", "/api/v1/trusted-issuers", { role: "security", body })).status).toBe(403);
    expect((await t.call("POST", "/api/v1/trusted-issuers", { role: "auditor", body })).status).toBe(403);
    expect((await t.call("GET", "/api/v1/trusted-issuers", { role: "platform" })).status).toBe(403);
    expect((await t.call("GET", "/api/v1/trusted-issuers", { role: "security" })).status).toBe(200);
  });
});

describe("agent credentials for private_key_jwt", () => {
  it("registers a public key and refuses a private one", async () => {
    const agent = await t.call("POST", "/api/v1/agents", {
      body: { name: "jwt-agent", owner: "x", trust: "first_party" },
    });
    const ok = await t.call("POST", `/api/v1/agents/${agent.body.id}/credentials`, { body: { publicJwk } });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ kind: "private_key_jwt", clientId: expect.stringMatching(/^pc_ci_/) });
    expect(ok.body.clientSecret).toBeUndefined();
    const bad = await t.call("POST", `/api/v1/agents/${agent.body.id}/credentials`, {
      body: { publicJwk: privateJwk },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].field).toBe("body.publicJwk");
  });
});
