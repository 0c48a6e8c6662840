import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app-harness.ts";
import { adminAuditLog, upstreams } from "../../db/schema.ts";
import { readUpstreamCredential } from "../../services/upstreams.ts";
import { tokenSettings } from "../../tokens/settings.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const SECRET = "sk-live-do-not-leak-0123456789";
const expenses = {
  name: "expenses",
  kind: "mcp",
  url: "https://expenses.internal.example/mcp",
  labels: { team: "finance" },
  settings: { timeoutMs: 5000 },
  credential: { kind: "bearer", value: SECRET },
};

async function storedRow(id: string) {
  const [row] = await t.database.db.select().from(upstreams).where(eq(upstreams.id, id));
  if (!row) throw new Error(`no upstream ${id}`);
  return row;
}

describe("upstreams", () => {
  it("creates, reads, lists, updates and deletes, auditing each change", async () => {
    const created = await t.call("POST", "/api/v1/upstreams", { role: "platform", body: expenses });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "expenses",
      kind: "mcp",
      settings: { timeoutMs: 5000 },
      credential: { kind: "bearer", set: true },
    });
    const id = created.body.id as string;

    const got = await t.call("GET", `/api/v1/upstreams/${id}`, { role: "auditor" });
    expect(got.status).toBe(200);
    await t.call("POST", "/api/v1/upstreams", {
      body: { name: "billing-api", kind: "http", url: "http://billing.internal:8080" },
    });
    const byKind = await t.call("GET", "/api/v1/upstreams?kind=http");
    expect(byKind.body.items.map((u: { name: string }) => u.name)).toEqual(["billing-api"]);
    const byQ = await t.call("GET", "/api/v1/upstreams?q=internal.example");
    expect(byQ.body.items.map((u: { name: string }) => u.name)).toEqual(["expenses"]);
    const byLabel = await t.call("GET", "/api/v1/upstreams?label=team%3Dfinance");
    expect(byLabel.body.items.map((u: { name: string }) => u.name)).toEqual(["expenses"]);

    const patched = await t.call("PATCH", `/api/v1/upstreams/${id}`, { body: { description: "expense reports" } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ description: "expense reports", credential: { kind: "bearer", set: true } });

    expect((await t.call("DELETE", `/api/v1/upstreams/${id}`)).status).toBe(204);
    expect((await t.call("GET", `/api/v1/upstreams/${id}`)).status).toBe(404);

    const audit = await t.database.db.select().from(adminAuditLog).where(eq(adminAuditLog.targetId, id));
    expect(audit.map((a) => a.action).sort()).toEqual(["upstream.create", "upstream.delete", "upstream.update"]);
    expect(audit.find((a) => a.action === "upstream.update")?.details).toEqual({ credential: "unchanged" });
  });

  it("never returns the credential, stores it encrypted, and decrypts it for snapshots", async () => {
    const created = await t.call("POST", "/api/v1/upstreams", { body: { ...expenses, name: "vault" } });
    const id = created.body.id as string;
    const responses = [
      created,
      await t.call("GET", `/api/v1/upstreams/${id}`),
      await t.call("GET", "/api/v1/upstreams"),
      await t.call("PATCH", `/api/v1/upstreams/${id}`, { body: { labels: {} } }),
    ];
    for (const r of responses) expect(JSON.stringify(r.body)).not.toContain(SECRET);

    const row = await storedRow(id);
    expect(row.credentialKind).toBe("bearer");
    expect(row.credentialCiphertext?.includes(Buffer.from(SECRET))).toBe(false);
    expect(readUpstreamCredential(t.deps, row)).toEqual({ kind: "bearer", value: SECRET });
    // The ciphertext is bound to its row: it does not decrypt as another upstream's.
    expect(() => readUpstreamCredential(t.deps, { ...row, id: "0190c2e4-0000-7000-8000-000000000000" })).toThrow();
  });

  it("replaces a credential with a header one, keeps it across edits, and clears it with null", async () => {
    const created = await t.call("POST", "/api/v1/upstreams", { body: { ...expenses, name: "rotating" } });
    const id = created.body.id as string;

    const replaced = await t.call("PATCH", `/api/v1/upstreams/${id}`, {
      body: { credential: { kind: "header", headerName: "X-Api-Key", value: "key-2" } },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.credential).toEqual({ kind: "header", set: true, headerName: "X-Api-Key" });
    expect(replaced.body.settings).toEqual({ timeoutMs: 5000 });

    const edited = await t.call("PATCH", `/api/v1/upstreams/${id}`, { body: { settings: { timeoutMs: 1000 } } });
    expect(edited.body).toMatchObject({ settings: { timeoutMs: 1000 }, credential: { headerName: "X-Api-Key" } });
    expect(readUpstreamCredential(t.deps, await storedRow(id))).toEqual({
      kind: "header",
      headerName: "X-Api-Key",
      value: "key-2",
    });

    const cleared = await t.call("PATCH", `/api/v1/upstreams/${id}`, { body: { credential: null } });
    expect(cleared.body).toMatchObject({ credential: null, settings: { timeoutMs: 1000 } });
    const row = await storedRow(id);
    expect([row.credentialKind, row.credentialCiphertext, row.settings]).toEqual([null, null, { timeoutMs: 1000 }]);
    expect(readUpstreamCredential(t.deps, row)).toBeNull();

    const audit = await t.database.db.select().from(adminAuditLog).where(eq(adminAuditLog.targetId, id));
    expect(audit.map((a) => a.details.credential)).toEqual(["set", "replaced", "unchanged", "cleared"]);
  });

  it("hashes audit state without the secret", async () => {
    // Same upstream, two different secrets: the audit hash cannot depend on either.
    const a = await t.call("POST", "/api/v1/upstreams", { body: { ...expenses, name: "hash-a" } });
    await t.call("PATCH", `/api/v1/upstreams/${a.body.id}`, {
      body: { credential: { kind: "bearer", value: "another-secret-value" } },
    });
    const [create, update] = await t.database.db
      .select()
      .from(adminAuditLog)
      .where(eq(adminAuditLog.targetId, a.body.id))
      .orderBy(adminAuditLog.id);
    expect(update?.beforeHash).toBe(create?.afterHash);
    expect(JSON.stringify([create, update])).not.toContain(SECRET);
  });

  it("answers 404, 409 and 400 naming the field", async () => {
    expect((await t.call("GET", "/api/v1/upstreams/0190c2e4-0000-7000-8000-000000000000")).status).toBe(404);
    await t.call("POST", "/api/v1/upstreams", { body: { ...expenses, name: "dup" } });
    const dup = await t.call("POST", "/api/v1/upstreams", { body: { ...expenses, name: "dup" } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toBe('an upstream named "dup" already exists');

    const bad = await t.call("POST", "/api/v1/upstreams", {
      body: { name: "Bad Name", kind: "grpc", url: "ftp://files.example", settings: [1] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      "body.kind",
      "body.name",
      "body.settings",
      "body.url",
    ]);
    const fieldsOf = async (body: unknown) =>
      (await t.call("POST", "/api/v1/upstreams", { body })).body.error.fields.map((f: { field: string }) => f.field);
    expect(await fieldsOf({ ...expenses, name: "x", url: "relative/path" })).toEqual(["body.url"]);
    expect(await fieldsOf({ ...expenses, name: "x", url: "https://user:pw@host.example" })).toEqual(["body.url"]);
    expect(await fieldsOf({ ...expenses, name: "x", credential: { kind: "header", value: "v" } })).toEqual([
      "body.credential.headerName",
    ]);
    expect(await fieldsOf({ ...expenses, name: "x", credential: { kind: "bearer", value: "a\r\nX-Evil: 1" } })).toEqual(
      ["body.credential.value"],
    );
    expect(await fieldsOf({ ...expenses, name: "x", settings: { credentialHeader: "X" } })).toEqual(["body.settings"]);
  });

  it("T11: refuses URLs pointing to metadata, link-local and (in production) loopback addresses in every spelling", async () => {
    const create = (name: string, url: string) =>
      t.call("POST", "/api/v1/upstreams", { body: { ...expenses, name, url } });
    for (const [i, url] of [
      "http://169.254.169.254/latest/meta-data/",
      "http://2852039166/",
      "http://[::ffff:a9fe:a9fe]/mcp",
      "http://metadata.google.internal/computeMetadata/v1/",
      "http://[fe80::1]:8080/",
      "http://0.0.0.0:8080/mcp",
    ].entries()) {
      const res = await create(`ssrf-${i}`, url);
      expect(res.status, url).toBe(400);
      expect(res.body.error.fields, url).toEqual([
        { field: "body.url", message: expect.stringMatching(/forbidden address|metadata/) },
      ]);
      expect(JSON.stringify(res.body), url).not.toContain("169.254");
    }
    // Loopback (the development default) is allowed; a production control plane refuses it in every spelling.
    const local = await create("loopback-dev", "http://127.0.0.1:9/mcp");
    expect(local.status).toBe(201);
    const previous = t.deps.tokens;
    t.deps.tokens = tokenSettings({ production: true });
    try {
      for (const url of ["http://0177.0.0.1/", "http://127.1:8080/", "http://[::1]/", "http://localhost:8080/"]) {
        expect((await create("loopback-prod", url)).status, url).toBe(400);
      }
      const moved = await t.call("PATCH", `/api/v1/upstreams/${local.body.id}`, {
        body: { url: "http://169.254.169.254/" },
      });
      expect(moved.status).toBe(400);
      expect((await create("private-prod", "http://10.1.2.3:8080/mcp")).status).toBe(201);
    } finally {
      t.deps.tokens = previous;
    }
  });

  it("lets security and auditors read but not write", async () => {
    expect((await t.call("GET", "/api/v1/upstreams", { role: "security" })).status).toBe(200);
    const body = { ...expenses, name: "nope" };
    expect((await t.call("POST", "/api/v1/upstreams", { role: "security", body })).status).toBe(403);
    expect((await t.call("POST", "/api/v1/upstreams", { role: "auditor", body })).status).toBe(403);
  });
});
