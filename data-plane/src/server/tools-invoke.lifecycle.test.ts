// The request path across the node's life: snapshot changes, a restart (session history is not silently reset),
// and a full audit spool (sensitive calls refused, nothing dropped silently).
import type { SnapshotResources } from "@portcullis/proto";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../test/fixtures.ts";
import { ALICE, HttpToolsWorld, scenarioResources } from "../../test/http-tools-fixture.ts";

describe("HTTP tools across the node's life", () => {
  let world: HttpToolsWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it("a new snapshot applies at once: a quarantined tool answers unknown_tool; a token keeps verifying", async () => {
    world = await HttpToolsWorld.start();
    const w = world;
    const token = await w.token();
    expect(
      (await w.invoke("send_notification", { recipient: "bob@company.com", message: "1" }, { token })).status,
    ).toBe(200);
    const next: SnapshotResources = scenarioResources(w.upstream.url, w.cp.key);
    next.tools = next.tools.map((t) => (t.name === "send_notification" ? { ...t, status: "quarantined" } : t));
    w.cp.publish(next);
    await waitFor("v2 served", () => w.node.config.current()?.version === 2);
    const after = await w.invoke("send_notification", { recipient: "bob@company.com", message: "2" }, { token });
    expect(after).toMatchObject({ status: 404, body: { error: { code: "unknown_tool" } } });
    expect(await w.auditOf(after.decisionId)).toMatchObject({ outcome: "unknown_tool", config_version: 2 });
    expect((await w.invoke("receipt_ocr", {}, { token })).status).toBe(200);
    expect(w.upstream.requestsTo("/api/notify")).toHaveLength(1);
  });

  it("Z06: after a restart, a session that began before it is refused (session_expired), never reset; a new one works", async () => {
    world = await HttpToolsWorld.start();
    const token = await world.token();
    expect((await world.invoke("receipt_ocr", {}, { token })).status).toBe(200);
    expect((await world.invoke("receipt_ocr", {}, { token })).status).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the new process starts at least a second later
    await world.restart();
    const stale = await world.invoke("receipt_ocr", {}, { token });
    expect(stale.status).toBe(401);
    expect(stale.body.error).toMatchObject({
      code: "session_expired",
      message: expect.stringMatching(/start a new session/),
    });
    expect(stale.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
    expect(await world.auditOf(stale.decisionId)).toMatchObject({
      outcome: "session_refused",
      code: "session_expired",
    });
    expect((await world.invoke("receipt_ocr", {}, { token: await world.token() })).status).toBe(200);
    expect(world.upstream.requestsTo("/ocr-svc")).toHaveLength(2);
  });

  it("spool full (deny_sensitive): other calls proceed, sensitive ones get 503 audit_unavailable; the refusals are counted", async () => {
    world = await HttpToolsWorld.start({ PORTCULLIS_DP_SPOOL_MAX_EVENTS: "4" });
    const w = world;
    w.cp.faults.rejectAllWith = "ingest paused by the test"; // nothing is acknowledged: the spool fills
    const token = await w.token();
    const notify = () => w.invoke("send_notification", { recipient: "bob@company.com", message: "x" }, { token });
    let unrecorded = 0;
    for (let i = 0; i < 10 && !w.node.spoolFull(); i++) {
      const result = await notify();
      expect(result.status).toBe(200);
      if (!result.decisionId) unrecorded += 1;
    }
    expect(w.node.spoolFull()).toBe(true);
    expect(unrecorded).toBe(1);

    const sensitive = await w.invoke(
      "create_expense_report",
      { employee_id: ALICE, amount: 10, cost_center: "eng-team-001", receipt_text: "r" },
      { token },
    );
    expect(sensitive.status).toBe(503);
    expect(sensitive.body.error).toMatchObject({
      code: "audit_unavailable",
      message: expect.stringMatching(/not executed/),
    });
    expect(sensitive.decisionId).toBeNull();
    expect(w.upstream.requestsTo("/api/reports")).toHaveLength(0);

    w.cp.faults.rejectAllWith = undefined;
    await waitFor("spool drained", () => !w.node.spoolFull(), { timeoutMs: 20_000 });
    const after = await notify();
    expect(after.decisionId).toBeTruthy();
    const records = await w.auditRecords([after.decisionId as string]);
    const overflow = records.find((r) => r.type === "spool_overflow");
    expect(overflow).toMatchObject({ refused_events: 2 });
  });
});
