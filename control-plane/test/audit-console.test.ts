// The auditor's API over real audit data: a real control plane (gRPC + HTTP) and a real data-plane node carrying
// the expense-report scenario's calls, shipped through the real signed ingest path. Search with filters and
// cursor pages, streamed exports, a session's timeline with verified integrity (and failed after tampering,
// while `audit verify` keeps working), the overview's figures, and the auditor/platform boundaries.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditTrail } from "../src/audit/verify.ts";
import { parseConfig } from "../src/config.ts";
import { type RunningControlPlane, startControlPlane } from "../src/main.ts";
import { createApiToken } from "../src/services/api-tokens.ts";
import type { Role } from "../src/services/rbac.ts";
import { openTestDatabase } from "./harness.ts";
import { runScenarioTraffic, type ScenarioTraffic } from "./support/scenario-traffic.ts";

const workDir = mkdtempSync(path.join(tmpdir(), "pc-audit-console-"));
let cp: RunningControlPlane;
let traffic: ScenarioTraffic;
const tokens = {} as Record<Role, string>;

beforeAll(async () => {
  const database = await openTestDatabase();
  cp = await startControlPlane(
    parseConfig({
      PORTCULLIS_CP_HTTP: "127.0.0.1:0",
      PORTCULLIS_CP_GRPC: "127.0.0.1:0",
      PORTCULLIS_SECRET_KEY: Buffer.alloc(32, 9).toString("base64"),
      PORTCULLIS_ADMIN_PASSWORD: "audit-console-password",
    }),
    { database, logger: pino({ level: process.env.PORTCULLIS_TEST_LOG ?? "silent" }) },
  );
  const ctx = {
    ...cp.deps,
    actor: { type: "system" as const, id: "t", name: "t", role: "admin" as const },
    requestId: "t",
  };
  for (const role of ["admin", "security", "platform", "auditor"] as const) {
    tokens[role] = (await createApiToken({ ctx, input: { name: `t-${role}`, role } })).token;
  }
  traffic = await runScenarioTraffic({
    cpUrl: cp.url,
    grpcAddress: cp.grpcAddress,
    apiToken: tokens.admin,
    workDir,
  });
}, 180_000);

afterAll(async () => {
  await traffic?.close();
  await cp?.close();
  await cp?.database.close();
  rmSync(workDir, { recursive: true, force: true });
});

async function get(p: string, role: Role = "auditor") {
  const res = await fetch(`${cp.url}${p}`, { headers: { authorization: `Bearer ${tokens[role]}` } });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, headers: res.headers, text };
}

describe("GET /api/v1/audit/events", () => {
  it("finds the scenario's denied calls with their reasons and policies, newest first", async () => {
    expect(traffic.main.calls.map((c) => c.status)).toEqual([200, 403, 201, 403]);
    const denied = await get(`/api/v1/audit/events?decision=deny&session=${traffic.main.id}`);
    expect(denied.status).toBe(200);
    expect(denied.body.items).toHaveLength(2);
    const [second, first] = denied.body.items;
    expect(first).toMatchObject({
      id: traffic.main.calls[1]?.decisionId,
      tool: "get_employee_cost_center",
      agent: "expense-report-v1",
      operator: "alice@company.com",
      decision: "deny",
      outcome: "denied",
      policiesDeciding: [{ name: "cost-center-self-only" }],
    });
    expect(first.reason.length).toBeGreaterThan(0);
    expect(first.argsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(first.record)).toMatchObject({ id: first.id, type: "decision" });
    expect(second).toMatchObject({
      tool: "create_expense_report",
      policiesDeciding: [{ name: "expense-once-per-session" }],
    });
    expect(Date.parse(second.at)).toBeGreaterThanOrEqual(Date.parse(first.at));

    const byCode = await get(`/api/v1/audit/events?code=${first.code}&tool=get_employee_cost_center`);
    expect(byCode.body.items.map((e: { id: string }) => e.id)).toEqual([first.id]);
    const held = await get(`/api/v1/audit/events?decision=require_approval`);
    expect(held.body.items).toMatchObject([{ sessionId: traffic.approval.id, outcome: "approval_pending" }]);
    expect((await get("/api/v1/audit/events?operator=nobody@company.com")).body.items).toEqual([]);
    expect((await get("/api/v1/audit/events?agent=expense-report-v1")).body.items).toHaveLength(5);
  });

  it("pages with a cursor without repeats, and bounds the time range", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { body: { items: { id: string; at: string }[]; nextCursor: string | null } } = await get(
        `/api/v1/audit/events?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      seen.push(...page.body.items.map((e) => e.id));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
    const all = (await get("/api/v1/audit/events")).body.items as { id: string; at: string }[];
    expect(all.map((e) => e.id)).toEqual(seen);
    const at = all.map((e) => e.at);
    expect([...at].sort().reverse()).toEqual(at);

    const future = await get(`/api/v1/audit/events?from=${new Date(Date.now() + 3_600_000).toISOString()}`);
    expect(future.body.items).toEqual([]);
    const backwards = await get(`/api/v1/audit/events?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z`);
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.fields[0].field).toBe("query.from");
    const badCursor = await get("/api/v1/audit/events?cursor=bm90LWEtY3Vyc29y");
    expect(badCursor.body.error.fields[0].field).toBe("query.cursor");
    const badDecision = await get("/api/v1/audit/events?decision=maybe");
    expect(badDecision.body.error.fields[0].field).toBe("query.decision");
  });

  it("exports the same selection as JSON Lines and as CSV", async () => {
    const jsonl = await get(`/api/v1/audit/events/export?session=${traffic.main.id}`);
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers.get("content-type")).toMatch(/application\/x-ndjson/);
    expect(jsonl.headers.get("content-disposition")).toMatch(/attachment; filename="portcullis-audit-.*\.jsonl"/);
    const lines = jsonl.text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual([...traffic.main.calls].reverse().map((c) => c.decisionId));
    expect(lines.every((l) => typeof l.record === "string" && l.batchSeq >= 1)).toBe(true);

    const csv = await get(`/api/v1/audit/events/export?format=csv&decision=deny`);
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    const rows = csv.text.trim().split("\r\n");
    expect(rows[0]).toMatch(/^at,id,sessionId,agent,operator,tool,decision,outcome,code,reason,/);
    expect(rows).toHaveLength(3);
    expect(rows.slice(1).every((r) => r.includes(",deny,denied,"))).toBe(true);
    // The signed record is one quoted field, its quotes doubled.
    expect(rows[1]).toMatch(/,"\{""[a-z_]+"":/);
    expect((await get("/api/v1/audit/events/export?format=xml")).status).toBe(400);
  });
});

describe("GET /api/v1/sessions/{id}/timeline", () => {
  it("lists the session's calls in order with decisions, reasons and verified integrity", async () => {
    const t = await get(`/api/v1/sessions/${traffic.main.id}/timeline`);
    expect(t.status).toBe(200);
    expect(t.body.integrity).toBe("verified");
    expect(t.body.session).toMatchObject({
      id: traffic.main.id,
      operatorSub: "alice@company.com",
      agentName: "expense-report-v1",
    });
    expect(t.body.session.delegation.chain[0]).toMatchObject({ agent: "expense-report-v1" });
    expect(t.body.events.map((e: { id: string }) => e.id)).toEqual(traffic.main.calls.map((c) => c.decisionId));
    expect(t.body.events.map((e: { decision: string }) => e.decision)).toEqual(["allow", "deny", "allow", "deny"]);
    expect(t.body.events.every((e: { integrity: string }) => e.integrity === "verified")).toBe(true);
    expect(t.body.batches.length).toBeGreaterThan(0);
    expect(
      t.body.batches.every(
        (b: { integrity: string; problems: unknown[] }) => b.integrity === "verified" && b.problems.length === 0,
      ),
    ).toBe(true);
    expect(t.body.open).toBe(true);
  });

  it("answers 404 for an unknown session and 400 for a malformed id", async () => {
    expect((await get("/api/v1/sessions/sess_AAAAAAAAAAAAAAAAAAAAAA/timeline")).status).toBe(404);
    const bad = await get("/api/v1/sessions/not-a-session/timeline");
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].field).toBe("param.id");
  });
});

describe("GET /api/v1/overview", () => {
  it("counts decisions by outcome over the window, top denied tools and agents, and node health", async () => {
    const o = await get("/api/v1/overview?minutes=60", "platform");
    expect(o.status).toBe(200);
    expect(o.body.window).toMatchObject({ minutes: 60, bucketSeconds: 60 });
    expect(o.body.series).toHaveLength(60);
    expect(o.body.totals).toEqual({ allow: 2, deny: 2, approval: 1 });
    const summed = o.body.series.reduce(
      (s: { allow: number; deny: number; approval: number }, b: { allow: number; deny: number; approval: number }) => ({
        allow: s.allow + b.allow,
        deny: s.deny + b.deny,
        approval: s.approval + b.approval,
      }),
      { allow: 0, deny: 0, approval: 0 },
    );
    expect(summed).toEqual(o.body.totals);
    expect(o.body.topDeniedTools).toEqual([
      { tool: "create_expense_report", count: 1 },
      { tool: "get_employee_cost_center", count: 1 },
    ]);
    expect(o.body.topAgents).toEqual([{ agent: "expense-report-v1", calls: 5, denied: 2 }]);
    expect(o.body.nodes).toMatchObject({ total: 1, ready: 1, stale: 0, disconnected: 0 });
    expect(o.body.audit.lastEventAt).not.toBeNull();
    const week = await get("/api/v1/overview?minutes=10080");
    expect(week.body.window.bucketSeconds).toBe(10_080);
    expect(week.body.totals).toEqual(o.body.totals);
    expect((await get("/api/v1/overview?minutes=1")).status).toBe(400);
  });
});

describe("roles", () => {
  it("lets auditors and security read audit, and keeps it from platform", async () => {
    expect((await get("/api/v1/audit/events", "security")).status).toBe(200);
    expect((await get("/api/v1/audit/events", "platform")).status).toBe(403);
    expect((await get("/api/v1/audit/events/export", "platform")).status).toBe(403);
    expect((await get(`/api/v1/sessions/${traffic.main.id}/timeline`, "platform")).status).toBe(403);
    expect((await get("/api/v1/overview", "auditor")).status).toBe(200);
  });
});

describe("integrity after tampering", () => {
  it("marks the tampered batch failed in the timeline, and `audit verify` names it", async () => {
    const [event] = (await get(`/api/v1/audit/events?session=${traffic.main.id}&decision=deny&limit=1`)).body.items;
    const edited = event.record.replace('"deny"', '"allow"');
    expect(edited).not.toBe(event.record);
    await cp.database.db.execute(sql`update audit_events set record = ${edited} where id = ${event.id}`);
    const t = await get(`/api/v1/sessions/${traffic.main.id}/timeline`);
    expect(t.body.integrity).toBe("failed");
    const tampered = t.body.events.find((e: { id: string }) => e.id === event.id);
    expect(tampered.integrity).toBe("failed");
    const batch = t.body.batches.find(
      (b: { seq: number; streamId: string }) => b.seq === event.batchSeq && b.streamId === event.streamId,
    );
    expect(batch.problems[0].kind).toBe("modified_event");
    const verify = await verifyAuditTrail(cp.database.db);
    expect(verify.ok).toBe(false);
    expect(verify.problems).toMatchObject([{ kind: "modified_event", streamId: event.streamId, seq: event.batchSeq }]);
    await cp.database.db.execute(sql`update audit_events set record = ${event.record} where id = ${event.id}`);
    expect((await get(`/api/v1/sessions/${traffic.main.id}/timeline`)).body.integrity).toBe("verified");
  });
});
