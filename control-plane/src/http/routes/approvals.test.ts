// The approval service on a real database (PGlite, or PostgreSQL in the control-plane:postgres project): one pending
// approval per exact call, consumption exactly once under concurrency, the decision rules (not the requester, only
// named approvers, by email or role), expiry, the REST filters, and the signed, retried webhook.
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { digestArgs, type JsonValue } from "@portcullis/policy";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app-harness.ts";
import { approvals } from "../../db/schema.ts";
import { createApprovalWebhook, SIGNATURE_HEADER } from "../../services/approval-webhook.ts";
import {
  type ApprovalAsk,
  type ApprovalSettings,
  decideApproval,
  getApproval,
  requestApproval,
} from "../../services/approvals.ts";
import type { ServiceContext } from "../../services/context.ts";
import type { Role } from "../../services/rbac.ts";

let t: TestApp;
const settings: ApprovalSettings = { ttlMs: 60_000, consoleUrl: () => "https://gw.example" };
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

let n = 0;
/** A call a node held: unique session per test unless given. */
function ask(overrides: Partial<ApprovalAsk> & { args?: Record<string, unknown> } = {}): ApprovalAsk {
  const args = overrides.args ?? { to: "vendor", amount: 1200 };
  return {
    sessionId: `sess_unit${++n}`.padEnd(24, "x"),
    agentId: "0190c2e4-0000-7000-8000-000000000001",
    agentName: "payments-agent",
    operatorSub: "alice@company.com",
    operatorEmail: "alice@company.com",
    tool: "transfer_funds",
    argsSha256: digestArgs(args as JsonValue),
    policyId: "transfers",
    approvers: ["bob@company.com"],
    reason: "transfers need approval",
    requestEventId: "0190c2e4-0000-7000-8000-0000000000aa",
    delegationChain: [],
    nodeId: "0190c2e4-0000-7000-8000-0000000000bb",
    ...overrides,
    args,
  };
}

const user = (email: string, role: Role = "security"): ServiceContext => ({
  ...t.deps,
  actor: { type: "user", id: "0190c2e4-0000-7000-8000-0000000000cc", name: email, role },
  requestId: "test",
});

const approve = (id: string, who = "bob@company.com", role: Role = "security") =>
  decideApproval({ ctx: user(who, role), id, decision: "approve", comment: "", ttlMs: settings.ttlMs });

describe("approval requests", () => {
  it("Z08: retries while pending find the same approval; different arguments open another", async () => {
    const a = ask();
    const first = await requestApproval(t.deps.db, settings, a);
    expect(first).toMatchObject({ kind: "pending", created: true });
    const again = await requestApproval(t.deps.db, settings, a);
    expect(again).toMatchObject({ kind: "pending", created: false, row: { id: first.row.id } });
    const other = await requestApproval(
      t.deps.db,
      settings,
      ask({ sessionId: a.sessionId, args: { to: "vendor", amount: 1300 } }),
    );
    expect(other.kind).toBe("pending");
    expect(other.row.id).not.toBe(first.row.id);
    // Another session (or agent, or operator) never shares an approval.
    const elsewhere = await requestApproval(t.deps.db, settings, { ...a, sessionId: `${a.sessionId}y` });
    expect(elsewhere.row.id).not.toBe(first.row.id);
  });

  it("Z08: an approved approval is consumed exactly once, even by 20 concurrent identical requests", async () => {
    const a = ask();
    const { row } = await requestApproval(t.deps.db, settings, a);
    await approve(row.id);
    const results = await Promise.all(Array.from({ length: 20 }, () => requestApproval(t.deps.db, settings, a)));
    expect(results.filter((r) => r.kind === "consumed")).toHaveLength(1);
    // The others (and any later replay) need a new approval: one new pending request, shared.
    const pendings = results.filter((r) => r.kind === "pending");
    expect(pendings).toHaveLength(19);
    expect(new Set(pendings.map((r) => r.row.id)).size).toBe(1);
    expect(pendings[0]?.row.id).not.toBe(row.id);
    expect((await getApproval({ ctx: t.as("auditor"), id: row.id })).status).toBe("consumed");
  });

  it("the requester cannot decide; only named approvers (by email or role) can; a decision lands once", async () => {
    const { row } = await requestApproval(t.deps.db, settings, ask({ approvers: ["bob@company.com", "role:admin"] }));
    await expect(approve(row.id, "alice@company.com")).rejects.toMatchObject({ code: "forbidden" });
    await expect(approve(row.id, "eve@company.com")).rejects.toMatchObject({
      code: "forbidden",
      message: expect.stringContaining("bob@company.com or role:admin"),
    });
    // A platform user lacks approvals:decide altogether (the route × role matrix covers every role).
    await expect(approve(row.id, "bob@company.com", "platform")).rejects.toMatchObject({ code: "forbidden" });
    const decided = await approve(row.id, "root@company.com", "admin");
    expect(decided).toMatchObject({ status: "approved", decidedBy: "root@company.com", approvedAs: "role:admin" });
    await expect(approve(row.id)).rejects.toMatchObject({ code: "conflict" });
    // The decision is in the admin audit.
    const audit = await t.call("GET", `/api/v1/admin-audit?action=approval.approve`);
    expect(audit.body.items.some((e: { targetId: string }) => e.targetId === row.id)).toBe(true);
  });

  it("with no approvers named, anyone with approvals:decide may decide, the requester still not", async () => {
    const { row } = await requestApproval(t.deps.db, settings, ask({ approvers: [] }));
    await expect(approve(row.id, "alice@company.com")).rejects.toMatchObject({ code: "forbidden" });
    const r = await decideApproval({
      ctx: user("eve@company.com"),
      id: row.id,
      decision: "reject",
      comment: "no",
      ttlMs: settings.ttlMs,
    });
    expect(r).toMatchObject({ status: "rejected", reason: "no", approvedAs: null });
    expect(await requestApproval(t.deps.db, settings, ask({ sessionId: row.sessionId, approvers: [] }))).toMatchObject({
      kind: "rejected",
      row: { id: row.id },
    });
  });

  it("Z10: past its expiry a pending approval answers expired and cannot be decided", async () => {
    const a = ask();
    const { row } = await requestApproval(t.deps.db, settings, a);
    await t.deps.db
      .update(approvals)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(approvals.id, row.id));
    await expect(approve(row.id)).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("expired"),
    });
    expect(await requestApproval(t.deps.db, settings, a)).toMatchObject({ kind: "expired", row: { id: row.id } });
    const listed = await t.call("GET", `/api/v1/approvals?status=expired&session=${a.sessionId}`);
    expect(listed.body.items.map((x: { id: string }) => x.id)).toEqual([row.id]);
  });

  it("REST: filters by status, tool, operator and session, newest first, with pages", async () => {
    const sessionId = "sess_restfilters000000000";
    const ids: string[] = [];
    for (const amount of [1, 2, 3]) {
      ids.push((await requestApproval(t.deps.db, settings, ask({ sessionId, args: { amount } }))).row.id);
    }
    const page1 = await t.call("GET", `/api/v1/approvals?session=${sessionId}&limit=2&operator=alice@company.com`, {
      role: "auditor",
    });
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((x: { id: string }) => x.id)).toEqual([ids[2], ids[1]]);
    const page2 = await t.call("GET", `/api/v1/approvals?session=${sessionId}&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((x: { id: string }) => x.id)).toEqual([ids[0]]);
    expect(page2.body.nextCursor).toBeNull();
    const none = await t.call("GET", `/api/v1/approvals?session=${sessionId}&tool=other_tool`);
    expect(none.body.items).toEqual([]);
    const one = await t.call("GET", `/api/v1/approvals/${ids[0]}`);
    expect(one.body).toMatchObject({ status: "pending", args: { amount: 1 }, argsSha256: digestArgs({ amount: 1 }) });
    const decided = await t.call("POST", `/api/v1/approvals/${ids[0]}/decision`, {
      role: "platform",
      body: { decision: "approve" },
    });
    expect(decided.status).toBe(403);
    const missing = await t.call("GET", "/api/v1/approvals/01900000-0000-7000-8000-000000000000");
    expect(missing.status).toBe(404);
  });
});

describe("approval webhook", () => {
  it("posts a signed notification and retries with backoff until the receiver accepts it", async () => {
    const received: { signature: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => {
        body += d;
      });
      req.on("end", () => {
        received.push({ signature: String(req.headers[SIGNATURE_HEADER]), body });
        res.writeHead(received.length < 3 ? 503 : 200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const webhook = createApprovalWebhook({
      url,
      secret: "a-secret-of-sixteen+",
      db: t.deps.db,
      logger: t.deps.logger,
      decideUrl: (id) => `https://gw.example/approvals/${id}`,
      baseDelayMs: 20,
    });
    try {
      const { row } = await requestApproval(t.deps.db, { ...settings, onRequested: (r) => webhook.notify(r) }, ask());
      await webhook.idle();
      expect(received).toHaveLength(3);
      for (const d of received) {
        const [, ts, mac] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(d.signature) ?? [];
        expect(mac).toBe(createHmac("sha256", "a-secret-of-sixteen+").update(`${ts}.${d.body}`).digest("hex"));
        expect(JSON.parse(d.body)).toMatchObject({
          type: "approval.requested",
          approval: { id: row.id, tool: "transfer_funds", decideUrl: `https://gw.example/approvals/${row.id}` },
        });
      }
      await vi.waitFor(async () => {
        const [stored] = await t.deps.db.select().from(approvals).where(eq(approvals.id, row.id));
        expect(stored).toMatchObject({ notifyAttempts: 3, notifyError: null, notifiedAt: expect.any(Date) });
      });
    } finally {
      webhook.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
