// Delegated sessions at the node (HTTP tools): the nested `act` chain of a control-plane token is verified again
// on every call against the snapshot, every delegator must be allowed the call too, the upstream's assertion
// carries the chain, and the audit event records it.
import type { SnapshotPolicy } from "@portcullis/proto";
import { importJWK, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../test/fixtures.ts";
import {
  AGENT,
  ALICE,
  DISABLED,
  HELPER,
  HttpToolsWorld,
  scenarioResources,
  UPSTREAM_IDS,
} from "../../test/http-tools-fixture.ts";

describe("delegated sessions on POST /tools/{tool}/invoke", () => {
  let world: HttpToolsWorld;
  beforeAll(async () => {
    world = await HttpToolsWorld.start();
  });
  afterAll(async () => {
    await world?.close();
  });

  it("ocr-helper-v2 for expense-report-v1: receipt_ocr allowed with the chain in the assertion and the audit event; other tools answer unknown", async () => {
    const parentSid = "sess_parent-of-the-helper";
    const token = await world.token({ agent: HELPER, delegators: [AGENT], parentSid });
    world.upstream.received.length = 0;
    const ok = await world.invoke("receipt_ocr", { image: "r.png" }, { token });
    expect(ok.status).toBe(200);
    const [received] = world.upstream.received;
    const node = world.node;
    const key = await importJWK(node.identity.assertion.publicJwk, "EdDSA");
    const { payload } = await jwtVerify(String(received?.headers["portcullis-assertion"]), key, {
      audience: UPSTREAM_IDS.ocr,
    });
    expect(payload).toMatchObject({
      sub: ALICE,
      act: { sub: HELPER.id, name: HELPER.name, act: { sub: AGENT.id, name: AGENT.name } },
    });
    expect(await world.auditOf(ok.decisionId)).toMatchObject({
      decision: "allow",
      agent_id: HELPER.name,
      delegation_chain: [AGENT.id, HELPER.id],
      parent_session_id: parentSid,
    });

    const hidden = await world.invoke("create_expense_report", { amount: 1 }, { token });
    expect(hidden.status).toBe(404);
    expect(hidden.body.error).toMatchObject({ code: "unknown_tool" });
  });

  it("a chain whose delegator is disabled, unknown, or does not allow the delegate is refused (403 agent_not_allowed)", async () => {
    const cases = [
      { delegators: [DISABLED], message: "an agent of the delegation chain is unknown to this gateway or disabled" },
      {
        delegators: [{ id: "agt-unknown", name: "ghost" }],
        message: "an agent of the delegation chain is unknown to this gateway or disabled",
      },
      // ocr-helper-v2 allows nobody: expense-report-v1 may not act for it.
      {
        agent: AGENT,
        delegators: [HELPER],
        message: "agent ocr-helper-v2 no longer allows expense-report-v1 to act for it",
      },
    ];
    for (const c of cases) {
      const token = await world.token({ agent: c.agent ?? HELPER, delegators: c.delegators });
      const refused = await world.invoke("receipt_ocr", {}, { token });
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatchObject({ code: "agent_not_allowed", message: c.message });
      expect(await world.auditOf(refused.decisionId)).toMatchObject({ outcome: "agent_not_allowed" });
    }
  });

  it("a token already used is checked again against each new snapshot: a revoked grant refuses its next call", async () => {
    const token = await world.token({ agent: HELPER, delegators: [AGENT], parentSid: "sess_parent-revoked" });
    expect((await world.invoke("receipt_ocr", { image: "a.png" }, { token })).status).toBe(200);
    const next = scenarioResources(world.upstream.url, world.cp.key);
    next.agents = next.agents.map((a) => (a.id === AGENT.id ? { ...a, allowedDelegates: [] } : a));
    const { version } = world.cp.publish(next);
    await waitFor("the new snapshot served", () => world.node.config.current()?.version === version);
    const refused = await world.invoke("receipt_ocr", { image: "c.png" }, { token });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      code: "agent_not_allowed",
      message: "agent expense-report-v1 no longer allows ocr-helper-v2 to act for it",
    });
    // Restored: the same token's caller is accepted again and reaches policy (which allows receipt_ocr once per
    // session, so this second call is a policy denial, not agent_not_allowed).
    const { version: restored } = world.cp.publish(scenarioResources(world.upstream.url, world.cp.key));
    await waitFor("the restored snapshot served", () => world.node.config.current()?.version === restored);
    const again = await world.invoke("receipt_ocr", { image: "d.png" }, { token });
    expect(await world.auditOf(again.decisionId)).toMatchObject({ decision: "deny", agent_id: HELPER.name });
    // What the token's caller may see is decided again too: a new unconditional deny hides the tool.
    const hiding = scenarioResources(world.upstream.url, world.cp.key);
    const hide: SnapshotPolicy = {
      ...(hiding.policies[0] as SnapshotPolicy),
      id: "hide-ocr",
      name: "hide-ocr",
      effect: "deny",
      condition: "",
      priority: 1000,
      target: { agents: ["*"], tools: ["receipt_ocr"] },
    };
    hiding.policies = [...hiding.policies, hide];
    const { version: hidden } = world.cp.publish(hiding);
    await waitFor("the hiding snapshot served", () => world.node.config.current()?.version === hidden);
    const unknown = await world.invoke("receipt_ocr", { image: "e.png" }, { token });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: "unknown_tool" });
  });
});
