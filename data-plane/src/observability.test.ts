// Operational visibility end to end: a real node (test control plane, real MCP upstreams built with the SDK) with
// its admin listener on and a real pino logger. Calls that are allowed, denied, unknown and unauthenticated move
// the counters of /metrics by exactly what they should; the exposition parses as the Prometheus text format;
// /metrics is not served where agents connect; and each request leaves one access log line with what the
// gateway decided, never the token, the arguments or the query string.
import { connect } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../test/fixtures.ts";
import { AGENT, ALICE, CAROL } from "../test/http-tools-fixture.ts";
import { MCP_UPSTREAMS, McpWorld } from "../test/mcp-fixture.ts";
import { parseExposition, type Sample, seriesValue } from "../test/prometheus-text.ts";

describe("metrics and access log", () => {
  let world: McpWorld;
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString("utf8").split("\n")) {
          if (line === "") continue;
          raw.push(line);
          lines.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    });
    world = await McpWorld.start({
      env: { PORTCULLIS_DP_ADMIN_HTTP: "127.0.0.1:0" },
      logger: pino({ level: "info", base: { svc: "dp" } }, sink),
    });
  });
  afterAll(async () => {
    await world?.close();
  });

  const admin = () => `http://${world.dp.adminAddress}`;
  async function scrape(): Promise<Sample[]> {
    const response = await fetch(`${admin()}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  }
  const accessLines = () => lines.filter((l) => l.type === "access");

  it("serves /metrics on the admin listener only, on loopback", async () => {
    expect(world.dp.adminAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(world.dp.adminAddress).not.toBe(world.dp.httpAddress);
    const agentSide = await fetch(`${world.base}/metrics`);
    expect(agentSide.status).toBe(404);
    expect(await agentSide.text()).not.toContain("portcullis_dp_");
    // The admin listener answers health too, and nothing else; only GET.
    expect((await fetch(`${admin()}/readyz`)).status).toBe(200);
    expect((await fetch(`${admin()}/healthz`)).status).toBe(200);
    expect((await fetch(`${admin()}/mcp/default`)).status).toBe(404);
    expect((await fetch(`${admin()}/metrics`, { method: "POST" })).status).toBe(405);
  });

  it("counts allowed, denied, unknown and unauthenticated calls exactly, and logs each request", async () => {
    const token = await world.token();
    const session = await world.openSession(token);
    const before = await scrape();
    const logged = accessLines().length;
    // The session's initialize concluded no call, but the line names the authenticated agent.
    const init = accessLines().at(-1);
    expect(init).toMatchObject({ route: "/mcp/{server}", status: 200, agent: AGENT.name, agent_id: AGENT.id });
    expect(init?.outcome).toBeUndefined();

    const call = (id: number, name: string, args: Record<string, unknown>) =>
      world.post(token, { jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } }, session);
    const allowed = await call(1, "get_employee_cost_center", { employee_id: ALICE });
    expect(allowed.status).toBe(200);
    expect(allowed.json.result).toBeDefined();
    const denied = await call(2, "get_employee_cost_center", { employee_id: CAROL });
    expect((denied.json.result as { isError?: boolean }).isError).toBe(true);
    const unknown = await call(3, "no_such_tool", { secret_argument: "hunter2" });
    expect((unknown.json.error as { code: number }).code).toBe(-32602);
    // No token: refused before any decision. A query string never reaches the log.
    const anonymous = await fetch(`${world.url()}?api_key=query-secret`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 4, method: "tools/list" }),
    });
    expect(anonymous.status).toBe(401);
    await anonymous.arrayBuffer();
    const httpTool = await fetch(`${world.base}/tools/no_such_tool/invoke`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ secret_argument: "hunter2" }),
    });
    expect(httpTool.status).toBe(404);
    const httpToolDecision = httpTool.headers.get("portcullis-decision-id");
    await httpTool.arrayBuffer();

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      seriesValue(after, name, labels) - seriesValue(before, name, labels);

    expect(delta("portcullis_dp_decisions_total", { protocol: "mcp", outcome: "ok" })).toBe(1);
    expect(delta("portcullis_dp_decisions_total", { protocol: "mcp", outcome: "denied" })).toBe(1);
    expect(delta("portcullis_dp_decisions_total", { protocol: "mcp", outcome: "unknown_tool" })).toBe(1);
    expect(delta("portcullis_dp_decisions_total", { protocol: "http_tool", outcome: "unknown_tool" })).toBe(1);
    const decisions = after.filter((s) => s.name === "portcullis_dp_decisions_total");
    expect(
      decisions.reduce((n, s) => n + s.value, 0) -
        before.filter((s) => s.name === "portcullis_dp_decisions_total").reduce((n, s) => n + s.value, 0),
    ).toBe(4);
    expect(delta("portcullis_dp_http_requests_total", { route: "mcp", status_class: "2xx" })).toBe(3);
    expect(delta("portcullis_dp_http_requests_total", { route: "mcp", status_class: "4xx" })).toBe(1);
    expect(delta("portcullis_dp_http_requests_total", { route: "http_tool", status_class: "4xx" })).toBe(1);
    expect(delta("portcullis_dp_http_request_duration_seconds_count", { route: "mcp" })).toBe(4);
    // Gateway overhead for every decision; upstream time only for the forwarded one; policy for the two decided.
    expect(delta("portcullis_dp_decision_overhead_seconds_count", { protocol: "mcp" })).toBe(3);
    expect(delta("portcullis_dp_decision_overhead_seconds_count", { protocol: "http_tool" })).toBe(1);
    const upstream = { upstream: MCP_UPSTREAMS.directory, protocol: "mcp" };
    expect(delta("portcullis_dp_upstream_duration_seconds_count", upstream)).toBe(1);
    expect(delta("portcullis_dp_upstream_duration_seconds_sum", upstream)).toBeGreaterThan(0);
    expect(delta("portcullis_dp_policy_evaluation_seconds_count")).toBe(2);
    expect(delta("portcullis_dp_audit_events_recorded_total", { type: "decision" })).toBe(4);
    expect(delta("portcullis_dp_audit_record_failures_total", { type: "decision" })).toBe(0);
    expect(delta("portcullis_dp_upstream_failures_total", { upstream: MCP_UPSTREAMS.directory, kind: "error" })).toBe(
      0,
    );
    // Histogram buckets are cumulative and end with +Inf = count.
    const buckets = after.filter(
      (s) => s.name === "portcullis_dp_decision_overhead_seconds_bucket" && s.labels.protocol === "mcp",
    );
    for (let i = 1; i < buckets.length; i++) {
      expect(buckets[i]?.value).toBeGreaterThanOrEqual(buckets[i - 1]?.value as number);
    }
    expect(buckets.at(-1)?.labels.le).toBe("+Inf");
    expect(buckets.at(-1)?.value).toBe(
      seriesValue(after, "portcullis_dp_decision_overhead_seconds_count", { protocol: "mcp" }),
    );

    // State: ready, the snapshot served, both streams up; process metrics are there.
    const node = world.node;
    expect(seriesValue(after, "portcullis_dp_ready")).toBe(1);
    expect(seriesValue(after, "portcullis_dp_config_version")).toBe(node.config.current()?.version);
    expect(seriesValue(after, "portcullis_dp_config_stream_connected")).toBe(1);
    expect(seriesValue(after, "portcullis_dp_config_last_apply_timestamp_seconds")).toBeGreaterThan(1.7e9);
    expect(seriesValue(after, "portcullis_dp_tools_quarantined")).toBe(0);
    expect(seriesValue(after, "portcullis_dp_control_plane_stale")).toBe(0);
    expect(after.some((s) => s.name === "portcullis_dp_control_plane_silent_seconds")).toBe(true);
    expect(after.some((s) => s.name === "process_cpu_user_seconds_total")).toBe(true);
    expect(after.some((s) => s.name === "nodejs_eventloop_lag_p99_seconds")).toBe(true);
    // No label carries an operator, a session, a token or an agent.
    for (const s of after) {
      for (const v of Object.values(s.labels)) {
        expect([ALICE, AGENT.name, AGENT.id, token, session]).not.toContain(v);
      }
    }

    // The audit is shipped: the spool drains and the shipped counter covers the four events.
    await waitFor("audit shipped", async () => {
      const now = await scrape();
      return (
        seriesValue(now, "portcullis_dp_audit_spool_events") === 0 &&
        seriesValue(now, "portcullis_dp_audit_events_shipped_total") -
          seriesValue(before, "portcullis_dp_audit_events_shipped_total") >=
          4 &&
        seriesValue(now, "portcullis_dp_audit_stream_connected") === 1
      );
    });

    // One access line per request, in order, with what the gateway decided.
    const mine = accessLines().slice(logged);
    expect(mine.map((l) => [l.route, l.status, l.outcome])).toEqual([
      ["/mcp/{server}", 200, "ok"],
      ["/mcp/{server}", 200, "denied"],
      ["/mcp/{server}", 200, "unknown_tool"],
      ["/mcp/{server}", 401, undefined],
      ["/tools/{tool}/invoke", 404, "unknown_tool"],
    ]);
    const [ok, , , anon, invoke] = mine as Record<string, unknown>[];
    expect(ok).toMatchObject({
      level: 30,
      svc: "dp",
      msg: "request",
      method: "POST",
      protocol: "mcp",
      agent: AGENT.name,
      agent_id: AGENT.id,
      tool: "get_employee_cost_center",
      upstream: MCP_UPSTREAMS.directory,
      decision_id: allowed.headers.get("portcullis-decision-id"),
      request_id: allowed.headers.get("portcullis-decision-id"),
      remote: expect.stringMatching(/127\.0\.0\.1/),
    });
    expect(typeof ok?.time).toBe("number");
    expect(ok?.bytes_in).toBeGreaterThan(50);
    expect(ok?.bytes_out).toBeGreaterThan(50);
    expect(ok?.duration_ms).toBeGreaterThan(0);
    expect(anon).toMatchObject({ protocol: "mcp", status: 401, request_id: expect.any(String) });
    expect(anon?.agent).toBeUndefined();
    expect(anon?.decision_id).toBeUndefined();
    expect(invoke).toMatchObject({ protocol: "http-tools", decision_id: httpToolDecision, tool: "no_such_tool" });
    // Never the token, the arguments, the operator's identity or the query string.
    const text = raw.join("\n");
    for (const secret of [token, "hunter2", "secret_argument", ALICE, CAROL, "query-secret", "api_key", session]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/authorization|cookie/i);
  });

  it("a request the client abandons is counted and logged without an answer", async () => {
    const before = await scrape();
    const token = await world.token();
    // A raw connection: headers and half a body, then gone.
    const [host, port] = world.dp.httpAddress.split(":") as [string, string];
    const socket = connect(Number(port), host);
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write(
      `POST /tools/slow/invoke HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\n` +
        `content-length: 100\r\nauthorization: Bearer ${token}\r\n\r\n{"a":`,
    );
    await waitFor("body started", async () => {
      const now = await scrape();
      return seriesValue(now, "portcullis_dp_http_requests_in_flight") === 1;
    });
    socket.destroy();
    await waitFor("abandoned request counted", async () => {
      const now = await scrape();
      return (
        seriesValue(now, "portcullis_dp_http_requests_total", { route: "http_tool", status_class: "none" }) -
          seriesValue(before, "portcullis_dp_http_requests_total", { route: "http_tool", status_class: "none" }) ===
        1
      );
    });
    const last = accessLines().at(-1);
    // Logged when the connection closed, before the call concluded (the audit event records it as cancelled).
    expect(last).toMatchObject({ route: "/tools/{tool}/invoke", status: 0, aborted: true, protocol: "http-tools" });
    expect(JSON.stringify(last)).not.toContain(token);
  });
});
