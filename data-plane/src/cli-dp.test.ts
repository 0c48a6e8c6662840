import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FAST_BACKOFF, FAST_CHANNEL, makeResources, tempDir, waitFor } from "../test/fixtures.ts";
import { TestControlPlane } from "../test/test-control-plane.ts";
import { DataPlaneConfigError, parseDataPlaneConfig, type RunningDataPlane, runDataPlane } from "./cli-dp.ts";
import { silentLogger } from "./log.ts";

describe("data-plane configuration", () => {
  it("has a local default for everything", () => {
    expect(parseDataPlaneConfig({})).toMatchObject({
      PORTCULLIS_CP_GRPC: "127.0.0.1:7071",
      PORTCULLIS_DP_DATA_DIR: ".portcullis/dp",
      PORTCULLIS_DP_HTTP: "127.0.0.1:8080",
      PORTCULLIS_DP_SPOOL_FULL_POLICY: "deny_sensitive",
      PORTCULLIS_DP_HEARTBEAT_SECONDS: 10,
    });
    expect(parseDataPlaneConfig({}).PORTCULLIS_BOOTSTRAP_TOKEN).toBeUndefined();
    expect(parseDataPlaneConfig({ PORTCULLIS_BOOTSTRAP_TOKEN: "" }).PORTCULLIS_BOOTSTRAP_TOKEN).toBeUndefined();
  });

  it("fails loudly, naming each bad variable and what it expects", () => {
    const parse = () =>
      parseDataPlaneConfig({
        PORTCULLIS_CP_GRPC: "localhost",
        PORTCULLIS_DP_HTTP: "0.0.0.0:99999",
        PORTCULLIS_DP_SPOOL_FULL_POLICY: "allow_all",
        PORTCULLIS_DP_SPOOL_MAX_EVENTS: "-3",
      });
    expect(parse).toThrow(DataPlaneConfigError);
    expect(parse).toThrow(/PORTCULLIS_CP_GRPC: expected HOST:PORT, for example 127.0.0.1:7071/);
    expect(parse).toThrow(/PORTCULLIS_DP_HTTP: port must be at most 65535/);
    expect(parse).toThrow(/PORTCULLIS_DP_SPOOL_FULL_POLICY/);
    expect(parse).toThrow(/PORTCULLIS_DP_SPOOL_MAX_EVENTS/);
  });

  it("REDIS_URL selects the shared session ledger: unset by default, checked when set", () => {
    expect(parseDataPlaneConfig({}).REDIS_URL).toBeUndefined();
    expect(parseDataPlaneConfig({}).PORTCULLIS_DP_REDIS_PREFIX).toBe("portcullis:ledger:");
    expect(parseDataPlaneConfig({ REDIS_URL: "redis://:pw@redis:6379/2" }).REDIS_URL).toBe("redis://:pw@redis:6379/2");
    expect(() => parseDataPlaneConfig({ REDIS_URL: "http://redis:6379" })).toThrow(
      /REDIS_URL: expected a redis:\/\/ or rediss:\/\/ URL/,
    );
  });

  it("metrics and the access log: no admin listener unless asked, access log on unless off", () => {
    expect(parseDataPlaneConfig({}).PORTCULLIS_DP_ADMIN_HTTP).toBeUndefined();
    expect(parseDataPlaneConfig({}).PORTCULLIS_DP_ACCESS_LOG).toBe("on");
    const set = parseDataPlaneConfig({ PORTCULLIS_DP_ADMIN_HTTP: "0.0.0.0:9464", PORTCULLIS_DP_ACCESS_LOG: "off" });
    expect(set).toMatchObject({ PORTCULLIS_DP_ADMIN_HTTP: "0.0.0.0:9464", PORTCULLIS_DP_ACCESS_LOG: "off" });
    const bad = () => parseDataPlaneConfig({ PORTCULLIS_DP_ADMIN_HTTP: "9464", PORTCULLIS_DP_ACCESS_LOG: "yes" });
    expect(bad).toThrow(/PORTCULLIS_DP_ADMIN_HTTP: expected HOST:PORT, for example 127.0.0.1:9464/);
    expect(bad).toThrow(/PORTCULLIS_DP_ACCESS_LOG: expected on or off/);
  });

  it("J12: the mTLS listener needs its certificate, key and client CA; the files alone need the listener", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const pem = path.join(dir, "x.pem");
      writeFileSync(pem, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
      const all = {
        PORTCULLIS_DP_HTTPS: "0.0.0.0:8443",
        PORTCULLIS_DP_TLS_CERT: pem,
        PORTCULLIS_DP_TLS_KEY: pem,
        PORTCULLIS_DP_TLS_CLIENT_CA: pem,
      };
      expect(parseDataPlaneConfig(all).PORTCULLIS_DP_TLS_CLIENT_CA).toBeInstanceOf(Buffer);
      expect(parseDataPlaneConfig({}).PORTCULLIS_DP_HTTPS).toBeUndefined();
      expect(() => parseDataPlaneConfig({ ...all, PORTCULLIS_DP_TLS_CLIENT_CA: "" })).toThrow(
        /PORTCULLIS_DP_HTTPS: needs PORTCULLIS_DP_TLS_CERT, PORTCULLIS_DP_TLS_KEY and PORTCULLIS_DP_TLS_CLIENT_CA/,
      );
      expect(() => parseDataPlaneConfig({ ...all, PORTCULLIS_DP_HTTPS: "" })).toThrow(
        /PORTCULLIS_DP_TLS_\*: set, but PORTCULLIS_DP_HTTPS/,
      );
      expect(() => parseDataPlaneConfig({ ...all, PORTCULLIS_DP_TLS_KEY: path.join(dir, "missing.key") })).toThrow(
        /PORTCULLIS_DP_TLS_KEY: cannot read/,
      );
    } finally {
      await cleanup();
    }
  });

  it("accepts IPv6 listeners", () => {
    expect(parseDataPlaneConfig({ PORTCULLIS_DP_HTTP: "[::1]:0" }).PORTCULLIS_DP_HTTP).toBe("[::1]:0");
  });
});

describe("runDataPlane", () => {
  let cp: TestControlPlane;
  let dir: string;
  let cleanup: () => Promise<void>;
  let dp: RunningDataPlane | undefined;
  beforeEach(async () => {
    cp = await TestControlPlane.start();
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    await dp?.close();
    dp = undefined;
    await cp.stop();
    await cleanup();
  });

  async function run(env: Record<string, string>): Promise<RunningDataPlane> {
    dp = await runDataPlane([], {
      env: { PORTCULLIS_CP_GRPC: cp.address, PORTCULLIS_DP_DATA_DIR: dir, PORTCULLIS_DP_HTTP: "127.0.0.1:0", ...env },
      logger: silentLogger,
      nodeOverrides: { backoff: FAST_BACKOFF, channelOptions: FAST_CHANNEL },
    });
    return dp;
  }

  const get = async (running: RunningDataPlane, path: string) => {
    const response = await fetch(`http://${running.httpAddress}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it("R04: a brand-new node is healthy but not ready, and answers every other path 503 not_ready, until a snapshot is applied", async () => {
    const running = await run({ PORTCULLIS_BOOTSTRAP_TOKEN: cp.issueBootstrapToken() });
    expect(await get(running, "/healthz")).toEqual({ status: 200, body: { status: "ok" } });
    const notReady = await get(running, "/readyz");
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatchObject({ status: "not_ready", reason: expect.any(String) });
    const blocked = await get(running, "/mcp");
    expect(blocked.status).toBe(503);
    expect(blocked.body).toEqual({
      error: { code: "not_ready", message: expect.any(String), requestId: expect.any(String) },
    });

    await waitFor("node started", () => running.node());
    expect(String((await get(running, "/readyz")).body.reason)).toMatch(/no valid config snapshot/);
    const offer = cp.publish(makeResources());
    await waitFor("ready", async () => (await get(running, "/readyz")).status === 200);
    expect((await get(running, "/readyz")).body).toEqual({
      status: "ready",
      version: 1,
      sha256: offer.sha256,
      controlPlane: { silentSeconds: expect.any(Number), stale: false, stalePolicy: "serve" },
    });
    const notFound = await get(running, "/anything?x=1");
    expect(notFound.status).toBe(404);
    expect(notFound.body).toEqual({
      error: { code: "not_found", message: "no such route", requestId: expect.any(String) },
    });
  });

  it("an unenrolled node without a bootstrap token stays up, not ready, and says what is missing", async () => {
    const running = await run({});
    await waitFor("start failure reported", async () =>
      String((await get(running, "/readyz")).body.reason).includes("PORTCULLIS_BOOTSTRAP_TOKEN"),
    );
    expect((await get(running, "/healthz")).status).toBe(200);
    expect((await get(running, "/readyz")).status).toBe(503);
  });

  it("an admin port already in use stops the start (no silent node without metrics), and frees the agent port", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", () => resolve()));
    const port = (taken.address() as AddressInfo).port;
    try {
      await expect(run({ PORTCULLIS_DP_ADMIN_HTTP: `127.0.0.1:${port}` })).rejects.toThrow(/EADDRINUSE/);
      expect(dp).toBeUndefined();
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it("before the node is ready the admin listener already serves /metrics, reporting not ready", async () => {
    const running = await run({ PORTCULLIS_DP_ADMIN_HTTP: "127.0.0.1:0" });
    const response = await fetch(`http://${running.adminAddress}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^portcullis_dp_ready 0$/m);
    expect(text).toMatch(/^portcullis_dp_config_version 0$/m);
    expect((await fetch(`http://${running.adminAddress}/readyz`)).status).toBe(503);
  });
});
