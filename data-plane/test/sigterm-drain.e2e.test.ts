// SECURITY-TESTS R14 (the part a CI run can do; the 24 h soak is out of scope, see docs/security.md): SIGTERM to a
// real `portcullis dp` process under load. The node stops accepting at once, lets the calls in flight finish and
// answers them, cuts what is still running when PORTCULLIS_DP_DRAIN_SECONDS is over (recording it), exits 0, and
// every call has exactly one audit event at the control plane once the node's spool is shipped.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, connect, createServer as createTcpServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestNode, tempDir, waitFor } from "./fixtures.ts";
import { mintSessionToken, scenarioResources } from "./http-tools-fixture.ts";
import { TestControlPlane } from "./test-control-plane.ts";

const CLI = fileURLToPath(new URL("../../control-plane/src/cli.ts", import.meta.url));
const LOAD = 20;
const DRAIN_SECONDS = 4;

/** An upstream that holds every request until the test releases it (or forever: `hang` in the path). */
async function gatedUpstream() {
  const held: { req: IncomingMessage; res: ServerResponse }[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => held.push({ req, res }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    /** Answers every held request except those to `hang`. */
    release() {
      for (const { req, res } of held.splice(0)) {
        if (req.url?.endsWith("/hang")) continue;
        const body = JSON.stringify({ answered: req.url });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections()),
  };
}

async function freePort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Resolves with the connect error's code, or "connected". */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
  });
}

describe("R14: SIGTERM during load", () => {
  let cp: TestControlPlane;
  let upstream: Awaited<ReturnType<typeof gatedUpstream>>;
  let dir: string;
  let cleanup: () => Promise<void>;
  let child: ChildProcess | undefined;
  beforeEach(async () => {
    cp = await TestControlPlane.start();
    upstream = await gatedUpstream();
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    if (child?.exitCode === null) child.kill("SIGKILL");
    await upstream.close();
    await cp.stop();
    await cleanup();
  });

  it("R14: stops accepting, answers the calls in flight, cuts and records what outlives the drain time, exits 0; every call is audited once", {
    timeout: 90_000,
  }, async () => {
    const port = await freePort();
    cp.publish(scenarioResources(upstream.url, cp.key));
    let output = "";
    const proc = spawn(process.execPath, [CLI, "dp"], {
      env: {
        ...process.env,
        DATABASE_URL: "",
        REDIS_URL: "",
        PORTCULLIS_CP_GRPC: cp.address,
        PORTCULLIS_BOOTSTRAP_TOKEN: cp.issueBootstrapToken(),
        PORTCULLIS_DP_DATA_DIR: dir,
        PORTCULLIS_DP_HTTP: `127.0.0.1:${port}`,
        PORTCULLIS_DP_DRAIN_SECONDS: String(DRAIN_SECONDS),
        PORTCULLIS_DP_UPSTREAM_TIMEOUT_MS: "60000",
        PORTCULLIS_LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    proc.stdout?.on("data", (d) => {
      output += d;
    });
    proc.stderr?.on("data", (d) => {
      output += d;
    });
    const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
    const base = `http://127.0.0.1:${port}`;
    await waitFor(
      "the node ready",
      async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200,
      { timeoutMs: 30_000 },
    );

    // Bounded load: LOAD calls held at the upstream, plus one whose upstream never answers.
    // One session per call: the session ledger serializes the calls of one session.
    const call = async (tool: string, args: unknown) =>
      fetch(`${base}/tools/${tool}/invoke`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await mintSessionToken(cp)}` },
        body: JSON.stringify(args),
      }).then(
        async (r) => ({ status: r.status, decisionId: r.headers.get("portcullis-decision-id"), body: await r.json() }),
        (error: Error) => ({ status: 0, decisionId: null, body: { error: error.message } }),
      );
    const calls = Array.from({ length: LOAD }, (_, i) => call("receipt_ocr", { image: `r${i}.png` }));
    const stuck = call("slow_tool", {});
    await waitFor("every call in flight at the upstream", () => upstream.held.length === LOAD + 1);

    proc.kill("SIGTERM");
    // New connections are refused while the calls in flight are still held.
    await waitFor("the listener closed", async () => (await tryConnect(port)) === "ECONNREFUSED");
    expect(upstream.held).toHaveLength(LOAD + 1);

    upstream.release();
    const answers = await Promise.all(calls);
    expect(answers.map((a) => a.status)).toEqual(Array(LOAD).fill(200));
    for (const [i, a] of answers.entries()) expect(a.body, `call ${i}`).toEqual({ answered: "/ocr-svc/read" });
    // slow_tool outlives the drain time: its connection is closed without an answer.
    expect((await stuck).status).toBe(0);
    expect(await exited).toBe(0);
    expect(output).toMatch(/drain time over: cutting calls in flight/);

    // Every call (answered or cut) has its audit event, exactly once: shipped during the drain, or left in the
    // spool and shipped by the next start.
    const node = await startTestNode(cp.address, dir);
    try {
      await node.spool.whenEmpty();
      const records = cp.records(node.spool.streamId);
      const decisions = records.filter((r) => r.type === "decision");
      const ids = answers.map((a) => a.decisionId);
      expect(ids.every((id) => typeof id === "string")).toBe(true);
      expect(decisions.filter((r) => ids.includes(String(r.id))).map((r) => r.outcome)).toEqual(Array(LOAD).fill("ok"));
      const cut = decisions.filter((r) => r.tool === "slow_tool");
      expect(cut).toHaveLength(1);
      expect(cut[0]?.outcome).not.toBe("ok");
      expect(decisions).toHaveLength(LOAD + 1);
      expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    } finally {
      await node.close();
    }
  });
});
