// The standalone GET stream of /mcp/{server} end to end: the official MCP SDK client (which opens the stream itself
// after initialize) against a real DP fed by the test control plane. A policy change that changes what one caller
// may list notifies that caller and no other; a pin quarantine (T08) notifies too; the stream is bound to its
// caller like a POST (T04) and ends with its session and at its token's exp.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import type { SnapshotPolicy } from "@portcullis/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../test/fixtures.ts";
import { AGENT, ALICE, CAROL } from "../../test/http-tools-fixture.ts";
import { McpWorld } from "../../test/mcp-fixture.ts";
import { listedTool } from "../../test/test-mcp-upstream.ts";

const allowAdminResetFor = (email: string): SnapshotPolicy => ({
  id: `admin-reset-${email.split("@")[0]}`,
  version: 1,
  name: `admin-reset-${email.split("@")[0]}`,
  description: "lets one operator's expense agent see admin_reset",
  target: { agents: [AGENT.name], tools: ["admin_reset"] },
  effect: "allow",
  condition: `operator.email == "${email}"`,
  mode: "enforce",
  priority: 0,
  approvers: "",
});

/** A raw GET stream: its status, the text received so far, and when it ended. */
async function openStream(world: McpWorld, token: string, session?: string, accept = "text/event-stream") {
  const response = await fetch(world.url(), {
    headers: {
      accept,
      authorization: `Bearer ${token}`,
      ...(session ? { "mcp-session-id": session } : {}),
    },
  });
  const state = { status: response.status, text: "", ended: false };
  const ended = (async () => {
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    if (!reader) return;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        state.text += decoder.decode(value, { stream: true });
      }
    } catch {}
    state.ended = true;
  })();
  return { state, ended, headers: response.headers };
}

describe("MCP GET stream: tools/list_changed", () => {
  let world: McpWorld;
  const clients: Client[] = [];
  beforeAll(async () => {
    world = await McpWorld.start({
      env: { PORTCULLIS_DP_MCP_STREAM_KEEPALIVE_SECONDS: "1", PORTCULLIS_DP_TOOL_PIN_RECHECK_SECONDS: "0" },
    });
  });
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await world?.close();
  });

  /** An SDK client whose GET stream is open, counting the list_changed notifications it receives. */
  async function connect(token: string) {
    const transport = new StreamableHTTPClientTransport(new URL(world.url()), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    });
    const client = new Client({ name: "expense-agent", version: "1.0.0" });
    const seen = { count: 0 };
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      seen.count += 1;
    });
    await client.connect(transport);
    clients.push(client);
    const session = transport.sessionId as string;
    // The SDK opens the stream after initialize, asynchronously: a second GET is refused with 409 once it is open.
    await waitFor("the SDK's GET stream", async () => {
      const probe = await openStream(world, token, session);
      return probe.state.status === 409;
    });
    const names = async () => (await client.listTools()).tools.map((t) => t.name);
    return { client, seen, session, names };
  }

  it("initialize advertises tools.listChanged", async () => {
    const { client } = await connect(await world.token());
    expect(client.getServerCapabilities()?.tools).toEqual({ listChanged: true });
  });

  it("a policy change notifies exactly the callers whose tools/list it changes, and a fresh tools/list shows it", async () => {
    const alice = await connect(await world.token({ sub: ALICE }));
    const carol = await connect(await world.token({ sub: CAROL }));
    expect(await alice.names()).not.toContain("admin_reset");
    expect(await carol.names()).not.toContain("admin_reset");
    const base = world.resources;

    // Visible to Alice only: Alice is notified.
    await world.publish({ ...base, policies: [...base.policies, allowAdminResetFor(ALICE)] });
    await waitFor("Alice's list_changed", () => alice.seen.count === 1);
    expect(await alice.names()).toContain("admin_reset");

    // Visible to Carol too: Carol is notified, and this is Carol's first (the change above sent her nothing).
    await world.publish({
      ...base,
      policies: [...base.policies, allowAdminResetFor(ALICE), allowAdminResetFor(CAROL)],
    });
    await waitFor("Carol's list_changed", () => carol.seen.count === 1);
    expect(await carol.names()).toContain("admin_reset");

    // Hidden from Alice again: her second notification (the change above, which did not change her list, sent none).
    await world.publish({ ...base, policies: [...base.policies, allowAdminResetFor(CAROL)] });
    await waitFor("Alice's second list_changed", () => alice.seen.count >= 2);
    expect(alice.seen.count).toBe(2);
    expect(await alice.names()).not.toContain("admin_reset");
    expect(carol.seen.count).toBe(1);
    await world.publish(base);
    await waitFor("Carol's second list_changed", () => carol.seen.count === 2);
  });

  it("a tool quarantined because its upstream changed its definition (T08) notifies, and so does the quarantine lifting", async () => {
    const alice = await connect(await world.token());
    expect(await alice.names()).toContain("receipt_ocr");
    await world.ocr.redefine("receipt_ocr", { description: "now also exfiltrates receipts" });
    // A call through the ocr upstream re-checks its definitions (recheck interval 0 in this world).
    await alice.client.callTool({ name: "ocr__lookup", arguments: { q: "x" } });
    await waitFor("list_changed after the quarantine", () => alice.seen.count === 1);
    expect(await alice.names()).not.toContain("receipt_ocr");

    await world.ocr.redefine("receipt_ocr", listedTool("receipt_ocr"));
    await alice.client.callTool({ name: "ocr__lookup", arguments: { q: "y" } });
    await waitFor("list_changed after the quarantine lifted", () => alice.seen.count === 2);
    expect(await alice.names()).toContain("receipt_ocr");
  });

  it("another caller's Mcp-Session-Id → 404, audited as session_binding_violation; no session id → 400; no event-stream Accept → 406", async () => {
    const aliceToken = await world.token({ sub: ALICE });
    const session = await world.openSession(aliceToken);
    const carolToken = await world.token({ sub: CAROL });
    const replayed = await openStream(world, carolToken, session);
    expect(replayed.state.status).toBe(404);
    await replayed.ended;
    expect(JSON.parse(replayed.state.text)).toMatchObject({ error: { code: -32001, message: "Session not found" } });
    const records = await world.auditWhere(
      (r) => r.code === "session_binding_violation" && r.operator === CAROL && r.tool === "(mcp stream)",
    );
    expect(records[0]).toMatchObject({ protocol: "mcp", outcome: "session_refused" });

    const missing = await openStream(world, carolToken);
    expect(missing.state.status).toBe(400);
    const unknown = await openStream(world, carolToken, "no-such-session");
    expect(unknown.state.status).toBe(404);
    const notSse = await openStream(world, aliceToken, session, "application/json");
    expect(notSse.state.status).toBe(406);
    const unauthenticated = await fetch(world.url(), {
      headers: { accept: "text/event-stream", "mcp-session-id": session },
    });
    expect(unauthenticated.status).toBe(401);
  });

  it("one stream per session (409), keep-alive comments, and the stream ends when its session is deleted", async () => {
    const token = await world.token();
    const session = await world.openSession(token);
    const stream = await openStream(world, token, session);
    expect(stream.state.status).toBe(200);
    expect(stream.headers.get("content-type")).toBe("text/event-stream");
    expect((await openStream(world, token, session)).state.status).toBe(409);
    await waitFor("a keep-alive comment", () => stream.state.text.includes(": keep-alive"));
    const deleted = await fetch(world.url(), {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}`, "mcp-session-id": session },
    });
    expect(deleted.status).toBe(204);
    await stream.ended;
    expect(stream.state.ended).toBe(true);
    // The session is gone: a new GET is 404.
    expect((await openStream(world, token, session)).state.status).toBe(404);
  });

  it("the stream ends at its token's exp", async () => {
    const exp = Math.floor(Date.now() / 1000) + 3;
    const token = await world.token({ exp });
    const session = await world.openSession(token);
    const stream = await openStream(world, token, session);
    expect(stream.state.status).toBe(200);
    await stream.ended;
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000 - 1000);
    expect(stream.state.text).not.toContain("tools/list_changed");
  });

  it("a snapshot that disables the caller's agent ends its stream", async () => {
    const token = await world.token();
    const session = await world.openSession(token);
    const stream = await openStream(world, token, session);
    expect(stream.state.status).toBe(200);
    const base = world.resources;
    await world.publish({
      ...base,
      agents: base.agents.map((a) => (a.id === AGENT.id ? { ...a, disabled: true } : a)),
    });
    await stream.ended;
    expect(stream.state.ended).toBe(true);
    await world.publish(base);
  });
});

describe("MCP GET stream: an open stream does not keep its session alive", () => {
  let world: McpWorld;
  beforeAll(async () => {
    world = await McpWorld.start({
      env: { PORTCULLIS_DP_SESSION_IDLE_SECONDS: "2", PORTCULLIS_DP_MCP_STREAM_KEEPALIVE_SECONDS: "1" },
    });
  });
  afterAll(async () => {
    await world?.close();
  });

  it("the stream ends when its session idles out, and the session is then unknown", async () => {
    const token = await world.token();
    const session = await world.openSession(token);
    const stream = await openStream(world, token, session);
    expect(stream.state.status).toBe(200);
    await stream.ended;
    expect(stream.state.ended).toBe(true);
    expect((await openStream(world, token, session)).state.status).toBe(404);
  });
});
