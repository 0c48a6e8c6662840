// SECURITY-TESTS T11 at the node: upstream connections to forbidden addresses are refused when connecting (a literal
// address in the snapshot, a name that resolves there), redirects are never followed, the agent gets only a generic
// error, and the attempt is audited with code egress_blocked. The control plane's half (URLs refused when saved) is
// in control-plane/src/http/routes/upstreams.test.ts; the address rules themselves in proto/src/egress.test.ts.
import { createServer } from "node:net";
import type { SnapshotResources } from "@portcullis/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../test/fixtures.ts";
import { AGENT, HttpToolsWorld, scenarioResources } from "../../test/http-tools-fixture.ts";

describe("T11: the node never connects to forbidden addresses", () => {
  let world: HttpToolsWorld;
  /** A TCP listener standing in for an internal service: it must never see a connection. */
  let canary: { port: number; connections: number; close: () => void };

  beforeAll(async () => {
    world = await HttpToolsWorld.start();
    const server = createServer((socket) => {
      canary.connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    canary = { port: (server.address() as { port: number }).port, connections: 0, close: () => server.close() };

    const next: SnapshotResources = scenarioResources(world.upstream.url, world.cp.key);
    const extra = [
      // Literal forbidden addresses, as a snapshot could carry them if a URL slipped past the control plane.
      { id: "up-metadata", name: "metadata", url: "http://169.254.169.254/latest", tool: "metadata_tool" },
      { id: "up-mapped", name: "mapped", url: "http://[::ffff:a9fe:a9fe]:80/x", tool: "mapped_tool" },
      // A public-looking upstream that answers 302 to an internal address.
      { id: "up-redirect", name: "redirecting", url: `${world.upstream.url}/r`, tool: "redirect_tool" },
    ];
    for (const u of extra) {
      next.upstreams.push({
        id: u.id,
        name: u.name,
        kind: "http",
        url: u.url,
        labels: {},
        settings: {},
        credential: null,
      });
      next.tools.push({
        id: `t-${u.tool}`,
        upstreamId: u.id,
        name: u.tool,
        description: u.tool,
        inputSchema: { type: "object" },
        annotations: {},
        labels: {},
        http: { method: "GET", path: u.tool === "redirect_tool" ? "/redirect" : "/" },
        sensitive: false,
        status: "active",
        pinnedHash: "a".repeat(64),
      });
    }
    next.policies.push({
      id: "egress-tools",
      version: 1,
      name: "egress-tools",
      description: "",
      target: { agents: [AGENT.name], tools: extra.map((u) => u.tool) },
      effect: "allow",
      condition: "",
      mode: "enforce",
      priority: 0,
      approvers: "",
    });
    world.cp.publish(next);
    await waitFor("v2 served", () => world.node.config.current()?.version === 2);
  });
  afterAll(async () => {
    canary?.close();
    await world?.close();
  });

  it("T11: a literal metadata address (also IPv4-mapped) is refused before connecting; generic error, audited", async () => {
    const token = await world.token();
    for (const tool of ["metadata_tool", "mapped_tool"]) {
      const res = await world.invoke(tool, {}, { token });
      expect(res.status, tool).toBe(502);
      expect(res.body.error, tool).toMatchObject({ code: "upstream_error", message: "the upstream failed to answer" });
      expect(JSON.stringify(res.body), tool).not.toMatch(/169\.254|a9fe|EGRESS/i);
      expect(await world.auditOf(res.decisionId), tool).toMatchObject({
        outcome: "upstream_error",
        code: "egress_blocked",
        upstream_error: expect.stringMatching(/^EGRESS_BLOCKED/),
      });
    }
  });

  it("T11: a 302 to an internal address is not followed", async () => {
    const res = await world.invoke("redirect_tool", {}, { token: await world.token() });
    expect(world.upstream.requestsTo("/r/redirect")).toHaveLength(1);
    expect(world.upstream.requestsTo("/redirected")).toHaveLength(0);
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: "upstream_error", message: "the upstream failed to answer" });
    expect(JSON.stringify(res.body)).not.toContain("redirected/here");
    expect(await world.auditOf(res.decisionId)).toMatchObject({
      outcome: "upstream_error",
      upstream_error: "redirect (302) not followed",
    });
  });

  it("T11: with loopback denied, a name that resolves to loopback (and a loopback literal) is refused at connect time", async () => {
    const peer = await world.startPeer({ PORTCULLIS_DP_EGRESS_LOOPBACK: "deny" });
    const base = `http://${peer.httpAddress}`;
    const next = scenarioResources(`http://localhost:${canary.port}`, world.cp.key);
    // The same tools, now on an upstream named "localhost" (the stand-in for a DNS name rebound to 127.0.0.1).
    world.cp.publish(next);
    await waitFor("v3 served by the peer", () => peer.node()?.config.current()?.version === 3);
    const token = await world.token();
    const res = await world.invoke("receipt_ocr", {}, { token, base });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: "upstream_error", message: "the upstream failed to answer" });
    const streamId = peer.node()?.spool.streamId as string;
    const event = await waitFor("the peer's audit event", () =>
      world.cp.records(streamId).find((r) => r.id === res.decisionId),
    );
    expect(event).toMatchObject({ code: "egress_blocked", upstream_error: expect.stringMatching(/EGRESS_BLOCKED/) });
    expect(canary.connections).toBe(0);

    // The world's own node allows loopback (the default): the same snapshot reaches the canary.
    await waitFor("v3 served", () => world.node.config.current()?.version === 3);
    await world.invoke("receipt_ocr", {}, { token: await world.token() });
    expect(canary.connections).toBeGreaterThan(0);
  });
});
