// Metrics of both planes as processes run them: a control plane with its admin listener and a real `portcullis dp`
// child process with its own. Each /metrics parses as the Prometheus text format, moves by exactly the requests
// made, is labelled by route templates only, and is served on the admin port, not where the API or agents are.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseExposition, type Sample, seriesValue } from "../../data-plane/test/prometheus-text.ts";
import { freePort, until } from "./processes.ts";
import { type Planes, startPlanes } from "./support/planes.ts";

describe("metrics of both planes", () => {
  let planes: Planes;
  let dpAdmin: string;

  beforeAll(async () => {
    dpAdmin = `127.0.0.1:${await freePort()}`;
    planes = await startPlanes({
      cpEnv: { PORTCULLIS_CP_ADMIN_HTTP: "127.0.0.1:0" },
      dpEnv: { PORTCULLIS_DP_ADMIN_HTTP: dpAdmin },
    });
  }, 180_000);
  afterAll(async () => {
    await planes?.close();
  });

  async function scrape(address: string | undefined): Promise<Sample[]> {
    const response = await fetch(`http://${address}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  }

  it("the control plane counts API requests by route template and reports its nodes", async () => {
    const admin = planes.cp.adminAddress;
    expect(admin).toMatch(/^127\.0\.0\.1:\d+$/);
    const before = await scrape(admin);
    await planes.api("GET", "/api/v1/agents");
    await planes.api("GET", "/api/v1/agents");
    const node = (await planes.api("GET", "/api/v1/nodes")).items[0];
    await planes.api("GET", `/api/v1/nodes/${node.id}`);
    await planes.api("GET", "/api/v1/no-such-thing-4711", undefined, 404);
    const after = await scrape(admin);
    const delta = (labels: Record<string, string>) =>
      seriesValue(after, "portcullis_cp_http_requests_total", labels) -
      seriesValue(before, "portcullis_cp_http_requests_total", labels);

    expect(delta({ method: "GET", route: "/api/v1/agents", status_class: "2xx" })).toBe(2);
    expect(delta({ method: "GET", route: "/api/v1/nodes/:id", status_class: "2xx" })).toBe(1);
    const routes = new Set(after.map((s) => s.labels.route).filter((r) => r !== undefined));
    for (const route of routes) expect(route).not.toMatch(/no-such-thing|[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(
      after
        .filter((s) => s.name === "portcullis_cp_http_requests_total" && s.labels.status_class === "4xx")
        .reduce((n, s) => n + s.value, 0) -
        before
          .filter((s) => s.name === "portcullis_cp_http_requests_total" && s.labels.status_class === "4xx")
          .reduce((n, s) => n + s.value, 0),
    ).toBe(1);
    expect(seriesValue(after, "portcullis_cp_nodes_connected")).toBe(1);
    expect(seriesValue(after, "portcullis_cp_ready")).toBe(1);
    expect(after.some((s) => s.name === "process_resident_memory_bytes")).toBe(true);
    // Not on the API's port.
    const publicSide = await fetch(`${planes.cp.url}/metrics`);
    expect(await publicSide.text()).not.toContain("portcullis_cp_");
  });

  it("a real `portcullis dp` process serves its metrics on the admin port only, in sync with the control plane", async () => {
    const node = (await planes.api("GET", "/api/v1/nodes")).items[0];
    const samples = await until(
      "the node's metrics to show it ready and connected",
      async () => {
        const s = await scrape(dpAdmin);
        return seriesValue(s, "portcullis_dp_ready") === 1 &&
          seriesValue(s, "portcullis_dp_config_stream_connected") === 1
          ? s
          : undefined;
      },
      30_000,
    );
    expect(seriesValue(samples, "portcullis_dp_config_version")).toBe(node.servingVersion);
    expect(seriesValue(samples, "portcullis_dp_control_plane_stale")).toBe(0);
    expect(samples.some((s) => s.name === "portcullis_dp_build_info")).toBe(true);
    const agentSide = await fetch(`${planes.dpUrl}/metrics`);
    expect(agentSide.status).toBe(404);
    expect(await agentSide.text()).not.toContain("portcullis_dp_");
    // Nodes ship their audit batches; what the control plane acknowledged is counted on both sides alike.
    const cpSamples = await scrape(planes.cp.adminAddress);
    expect(seriesValue(cpSamples, "portcullis_cp_audit_batches_total", { status: "REJECTED" })).toBe(0);
  });
});
