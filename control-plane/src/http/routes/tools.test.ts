import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app-harness.ts";
import { adminAuditLog } from "../../db/schema.ts";
import { toolDefinitionHash } from "../../services/tools.ts";

let t: TestApp;
let mcpId: string;
let httpId: string;
beforeAll(async () => {
  t = await createTestApp();
  const mcp = await t.call("POST", "/api/v1/upstreams", {
    body: { name: "expenses", kind: "mcp", url: "https://expenses.example/mcp" },
  });
  const http = await t.call("POST", "/api/v1/upstreams", {
    body: { name: "billing", kind: "http", url: "https://billing.example" },
  });
  mcpId = mcp.body.id;
  httpId = http.body.id;
});
afterAll(() => t.close());

const submit = {
  name: "submit_expense_report",
  description: "Submit a report for approval",
  inputSchema: { type: "object", properties: { reportId: { type: "string" } }, required: ["reportId"] },
  annotations: { destructiveHint: true },
  labels: { risk: "high" },
  sensitive: true,
};
const names = (body: { items: { name: string }[] }) => body.items.map((x) => x.name);

describe("tool definition hash", () => {
  it("is the SHA-256 of the sorted-key canonical JSON of name, description, inputSchema and annotations", () => {
    const canonical =
      '{"annotations":{"readOnlyHint":true},"description":"d","inputSchema":{"properties":{"a":{"type":"string"}},"type":"object"},"name":"n"}';
    const expected = createHash("sha256").update(canonical).digest("hex");
    expect(
      toolDefinitionHash({
        name: "n",
        inputSchema: { type: "object", properties: { a: { type: "string" } } },
        description: "d",
        annotations: { readOnlyHint: true },
      }),
    ).toBe(expected);
  });
});

describe("tools", () => {
  it("creates, reads, lists, updates and deletes, auditing each change", async () => {
    const created = await t.call("POST", "/api/v1/tools", { role: "platform", body: { ...submit, upstreamId: mcpId } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      ...submit,
      upstreamId: mcpId,
      status: "active",
      http: null,
      pendingHash: null,
    });
    expect(created.body.pinnedHash).toBe(toolDefinitionHash(submit));
    const id = created.body.id as string;

    expect((await t.call("GET", `/api/v1/tools/${id}`, { role: "auditor" })).body.name).toBe(submit.name);
    await t.call("POST", "/api/v1/tools", {
      body: {
        upstreamId: httpId,
        name: "get_invoice",
        status: "disabled",
        http: { method: "GET", path: "/invoices/{id}" },
      },
    });
    expect(names((await t.call("GET", `/api/v1/tools?upstreamId=${httpId}`)).body)).toEqual(["get_invoice"]);
    expect(names((await t.call("GET", "/api/v1/tools?status=disabled")).body)).toEqual(["get_invoice"]);
    expect(names((await t.call("GET", "/api/v1/tools?q=expense")).body)).toEqual([submit.name]);
    expect(names((await t.call("GET", "/api/v1/tools?label=risk")).body)).toEqual([submit.name]);

    // Labels and status are not part of the definition: the pin stays.
    const relabelled = await t.call("PATCH", `/api/v1/tools/${id}`, { body: { labels: {}, status: "quarantined" } });
    expect(relabelled.body).toMatchObject({ labels: {}, status: "quarantined", pinnedHash: created.body.pinnedHash });
    // An administrator's edit of the definition approves it: the pin follows.
    const edited = await t.call("PATCH", `/api/v1/tools/${id}`, { body: { description: "Submit a report" } });
    expect(edited.status).toBe(200);
    expect(edited.body.pinnedHash).toBe(toolDefinitionHash({ ...submit, description: "Submit a report" }));
    expect(edited.body.pinnedHash).not.toBe(created.body.pinnedHash);

    expect((await t.call("DELETE", `/api/v1/tools/${id}`)).status).toBe(204);
    expect((await t.call("GET", `/api/v1/tools/${id}`)).status).toBe(404);

    const audit = await t.database.db
      .select()
      .from(adminAuditLog)
      .where(eq(adminAuditLog.targetId, id))
      .orderBy(adminAuditLog.id);
    expect(audit.map((a) => a.action)).toEqual(["tool.create", "tool.update", "tool.update", "tool.delete"]);
    expect(audit[1]?.details).toEqual({});
    expect(audit[2]?.details).toEqual({ repinned: { from: created.body.pinnedHash, to: edited.body.pinnedHash } });
  });

  it("needs an HTTP mapping on HTTP upstreams and refuses one elsewhere", async () => {
    const missing = await t.call("POST", "/api/v1/tools", { body: { upstreamId: httpId, name: "list_invoices" } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.fields).toEqual([{ field: "body.http", message: expect.stringContaining("required") }]);

    const http = { method: "POST", path: "/reports/{reportId}/submit", arguments: { reportId: "path" } };
    const refused = await t.call("POST", "/api/v1/tools", { body: { ...submit, upstreamId: mcpId, name: "x", http } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields[0].field).toBe("body.http");

    const ok = await t.call("POST", "/api/v1/tools", { body: { upstreamId: httpId, name: "submit", http } });
    expect(ok.status).toBe(201);
    expect(ok.body.http).toEqual(http);

    const badMapping = await t.call("PATCH", `/api/v1/tools/${ok.body.id}`, {
      body: { http: { method: "FETCH", path: "reports", arguments: { q: "path" } } },
    });
    expect(badMapping.status).toBe(400);
    expect(badMapping.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      "body.http.method",
      "body.http.path",
    ]);
    const unplaced = await t.call("PATCH", `/api/v1/tools/${ok.body.id}`, {
      body: { http: { method: "GET", path: "/reports", arguments: { q: "path" } } },
    });
    expect(unplaced.body.error.fields).toEqual([
      { field: "body.http.arguments.q", message: "the path has no {q} placeholder" },
    ]);
  });

  it("answers 400 for an unknown upstream, 409 for a duplicate name, 404 for an unknown tool", async () => {
    const unknownUpstream = await t.call("POST", "/api/v1/tools", {
      body: { ...submit, upstreamId: "0190c2e4-0000-7000-8000-000000000000" },
    });
    expect(unknownUpstream.status).toBe(400);
    expect(unknownUpstream.body.error.fields[0].field).toBe("body.upstreamId");

    await t.call("POST", "/api/v1/tools", { body: { ...submit, upstreamId: mcpId, name: "dup" } });
    const dup = await t.call("POST", "/api/v1/tools", { body: { ...submit, upstreamId: mcpId, name: "dup" } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toBe('a tool named "dup" already exists on that upstream');
    // The same name on another upstream is a different tool.
    const other = await t.call("POST", "/api/v1/tools", {
      body: { upstreamId: httpId, name: "dup", http: { method: "GET", path: "/dup" } },
    });
    expect(other.status).toBe(201);

    expect((await t.call("DELETE", "/api/v1/tools/0190c2e4-0000-7000-8000-000000000000")).status).toBe(404);
    const bad = await t.call("POST", "/api/v1/tools", {
      body: { upstreamId: "nope", name: "has space", inputSchema: "x", status: "paused", sensitive: "yes" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      "body.inputSchema",
      "body.name",
      "body.sensitive",
      "body.status",
      "body.upstreamId",
    ]);
    const move = await t.call("PATCH", `/api/v1/tools/${other.body.id}`, { body: { upstreamId: mcpId } });
    expect(move.status).toBe(400);
  });

  it("deletes an upstream's tools with it", async () => {
    const up = await t.call("POST", "/api/v1/upstreams", {
      body: { name: "short-lived", kind: "a2a", url: "https://agent.example" },
    });
    const tool = await t.call("POST", "/api/v1/tools", { body: { upstreamId: up.body.id, name: "ask" } });
    expect((await t.call("DELETE", `/api/v1/upstreams/${up.body.id}`)).status).toBe(204);
    expect((await t.call("GET", `/api/v1/tools/${tool.body.id}`)).status).toBe(404);
    const [row] = await t.database.db.select().from(adminAuditLog).where(eq(adminAuditLog.action, "upstream.delete"));
    expect(row?.details).toEqual({ toolsDeleted: 1 });
  });

  it("lets security and auditors read but not write", async () => {
    expect((await t.call("GET", "/api/v1/tools", { role: "security" })).status).toBe(200);
    const body = { ...submit, upstreamId: mcpId, name: "nope" };
    expect((await t.call("POST", "/api/v1/tools", { role: "security", body })).status).toBe(403);
    expect((await t.call("POST", "/api/v1/tools", { role: "auditor", body })).status).toBe(403);
  });
});
