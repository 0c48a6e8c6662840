#!/usr/bin/env node
// `npm run conformance:mcp`: the official MCP conformance server scenarios (@modelcontextprotocol/conformance, pinned
// below) against an upstream MCP server bare and against the same upstream behind the gateway, side by side. The
// rule: an upstream behind the gateway scores as it does bare, except for the scenarios listed in EXPECTED_DIFFERENT
// (features the gateway does not proxy, each with its reason; docs: data-plane/README.md "MCP conformance").
//
// What it starts (all on 127.0.0.1, all stopped at the end): the reference server
// @modelcontextprotocol/server-everything (root devDependency) as the upstream; a control plane (in-memory PGlite)
// and a data-plane node as a child process (control-plane/test/support/planes.ts); a small identity provider for
// the token exchange. It registers the upstream with every tool it lists (definitions as listed, so the pins match),
// allows them all to one agent, gets that agent's session token by RFC 8693 token exchange, and puts a loopback
// forwarder in front of the node that adds `Authorization: Bearer <token>` to each request (the conformance CLI
// cannot send one): the gateway's authentication stays on, and everything else (Host, Origin, the body) passes
// through unchanged. The conformance package is installed with npm into a cache directory on first use
// (PORTCULLIS_CONFORMANCE_DIR, default node_modules/.cache/mcp-conformance), so the first run needs the npm registry.
//
// Exit status: 0 when the gateway scores as the bare upstream on every scenario outside EXPECTED_DIFFERENT; 1 when
// the gateway loses one more; 2 when the harness itself failed. `--scenario NAME` runs one scenario.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LocalIssuer } from "../control-plane/test/local-issuer.ts";
import { freePort, processGroup, until } from "../control-plane/test/processes.ts";
import { exchangeForSession } from "../control-plane/test/support/expense-cast.ts";
import { type Planes, startPlanes } from "../control-plane/test/support/planes.ts";

const run = promisify(execFile);
const CONFORMANCE = "@modelcontextprotocol/conformance@0.1.16";
const root = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
const cacheDir = path.resolve(
  process.env.PORTCULLIS_CONFORMANCE_DIR ?? path.join(root, "node_modules/.cache/mcp-conformance"),
);
const serverEverything = path.join(root, "node_modules/@modelcontextprotocol/server-everything/dist/index.js");

/**
 * Scenarios the gateway is expected to score lower on than the bare upstream, and why: `scenario` for every
 * upstream, `upstream:scenario` for one. Anything else the gateway loses is a regression (exit 1). Keep in step
 * with data-plane/README.md ("MCP conformance").
 */
export const EXPECTED_DIFFERENT: Record<string, string> = {
  "logging-set-level": "logging is not proxied (tools only): logging/setLevel answers -32601 Method not found",
  "tools-call-with-logging":
    "logging is not proxied: an upstream's notifications/message during a call are not relayed (progress is)",
  "server-sse-multiple-streams":
    "the scenario sends MCP-Protocol-Version: 2025-03-26, an era the gateway does not serve (batches, T18): 400 -32022",
  "resources-list": "resources are not proxied (tools only): -32601 Method not found",
  "resources-subscribe": "resources are not proxied (tools only): -32601 Method not found",
  "resources-unsubscribe": "resources are not proxied (tools only): -32601 Method not found",
  "prompts-list": "prompts are not proxied (tools only): -32601 Method not found",
  "everything:tools-call-simple-text":
    "server-everything lacks test_simple_text and answers it with an isError result, which the check accepts; the gateway answers an unknown tool with -32602 (tools spec, T12). The reference upstream has the tool: pass",
  "everything:tools-call-error":
    "server-everything lacks test_error_handling and answers it with an isError result, which the check accepts; the gateway answers an unknown tool with -32602 (tools spec, T12). The reference upstream has the tool: pass",
};

const expectedDifferent = (upstream: string, scenario: string): string | undefined =>
  EXPECTED_DIFFERENT[`${upstream}:${scenario}`] ?? EXPECTED_DIFFERENT[scenario];

interface Score {
  passed: number;
  failed: number;
}

/**
 * Parses the CLI's summary lines (`✓ name: 1 passed, 0 failed`); a run of one scenario (`--scenario NAME`) prints
 * only `Passed: 1/1, 0 failed, …` instead.
 */
export function parseSummary(output: string, single?: string): Map<string, Score> {
  const scores = new Map<string, Score>();
  for (const line of output.split("\n")) {
    const m = /^[✓✗]\s+(\S+):\s+(\d+) passed, (\d+) failed/.exec(line.trim());
    if (m) scores.set(m[1] as string, { passed: Number(m[2]), failed: Number(m[3]) });
  }
  const one = /^Passed: (\d+)\/\d+, (\d+) failed/m.exec(output);
  if (scores.size === 0 && single !== undefined && one) {
    scores.set(single, { passed: Number(one[1]), failed: Number(one[2]) });
  }
  return scores;
}

const ok = (s: Score | undefined) => s !== undefined && s.failed === 0 && s.passed > 0;

async function ensureConformance(): Promise<string> {
  const cli = path.join(cacheDir, "node_modules/@modelcontextprotocol/conformance/dist/index.js");
  if (existsSync(cli)) return cli;
  mkdirSync(cacheDir, { recursive: true });
  if (!existsSync(path.join(cacheDir, "package.json"))) {
    writeFileSync(
      path.join(cacheDir, "package.json"),
      JSON.stringify({ name: "mcp-conformance-cache", private: true }),
    );
  }
  process.stdout.write(`installing ${CONFORMANCE} into ${cacheDir} …\n`);
  await run("npm", ["i", "--no-audit", "--no-fund", CONFORMANCE], { cwd: cacheDir });
  return cli;
}

async function conformance(
  cli: string,
  url: string,
  extra: string[],
): Promise<{ output: string; scores: Map<string, Score> }> {
  // The CLI exits non-zero when a scenario fails; the summary is what counts.
  const result = await run(process.execPath, [cli, "server", "--url", url, ...extra], {
    cwd: cacheDir,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 15 * 60_000,
  }).catch((error: { stdout?: string; stderr?: string }) => ({
    stdout: error.stdout ?? "",
    stderr: error.stderr ?? "",
  }));
  const output = `${result.stdout}\n${result.stderr}`;
  const at = extra.indexOf("--scenario");
  return { output, scores: parseSummary(output, at >= 0 ? extra[at + 1] : undefined) };
}

/** A loopback forwarder to `target` that adds the bearer token; nothing else is changed. */
async function startForwarder(target: URL, bearer: () => Promise<string>) {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const headers = { ...req.headers, authorization: `Bearer ${await bearer()}` };
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => {
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
      res.on("close", () => upstream.destroy());
      req.pipe(upstream);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

interface Upstream {
  name: string;
  script: string;
  /** Its command line for a port. */
  args: (port: number) => string[];
}

/** The upstreams compared: the reference server everyone knows, and one that has the tools scenarios' tools. */
const UPSTREAMS: Upstream[] = [
  { name: "everything", script: serverEverything, args: () => ["streamableHttp"] },
  { name: "reference", script: path.join(root, "scripts/conformance-upstream.ts"), args: (port) => [String(port)] },
];

async function main(): Promise<number> {
  const scenarioArgs = process.argv.slice(2);
  const cli = await ensureConformance();
  const procs = processGroup();
  let planes: Planes | undefined;
  let issuer: LocalIssuer | undefined;
  let forwarder: { url: string; close: () => Promise<void> } | undefined;
  try {
    const started: { upstream: Upstream; url: string; tools: Awaited<ReturnType<Client["listTools"]>>["tools"] }[] = [];
    for (const upstream of UPSTREAMS) {
      process.stdout.write(`starting the upstream ${upstream.name} …\n`);
      const port = await freePort();
      const child = procs.spawn(upstream.args(port), { PORT: String(port) }, upstream.script);
      const url = `http://127.0.0.1:${port}/mcp`;
      await until(`${upstream.name} to listen`, async () =>
        child.output().includes(`listening on port ${port}`) ? true : undefined,
      );
      const direct = new Client({ name: "conformance-setup", version: "1.0.0" });
      await direct.connect(new StreamableHTTPClientTransport(new URL(url)));
      started.push({ upstream, url, tools: (await direct.listTools()).tools });
      await direct.close();
    }

    issuer = await (await LocalIssuer.create("https://idp.conformance.test", "ES256")).serve();
    process.stdout.write("starting a control plane and a node, and registering the upstreams' tools …\n");
    planes = await startPlanes();
    const { api } = planes;
    const OPERATOR = "conformance@company.com";
    await api("POST", "/api/v1/trusted-issuers", { name: "idp", issuer: issuer.issuer, staticJwks: issuer.jwks() });
    await api("POST", "/api/v1/operators", { subject: OPERATOR, email: OPERATOR });
    const agent = await api("POST", "/api/v1/agents", { name: "conformance-agent", trust: "first_party", owner: "qa" });
    const credential = await api("POST", `/api/v1/agents/${agent.id}/credentials`, {});
    // One virtual server per upstream, named after it; every tool each lists, pinned as listed, allowed.
    for (const { upstream, url, tools } of started) {
      const registered = await api("POST", "/api/v1/upstreams", { name: upstream.name, kind: "mcp", url });
      for (const tool of tools) {
        await api("POST", "/api/v1/tools", {
          upstreamId: registered.id,
          name: tool.name,
          description: tool.description ?? "",
          inputSchema: tool.inputSchema,
          ...(tool.annotations ? { annotations: tool.annotations } : {}),
        });
      }
    }
    const groups = await api("GET", "/api/v1/gateway-groups");
    await api("PATCH", `/api/v1/gateway-groups/${groups.items[0].id}`, {
      settings: { virtualServers: Object.fromEntries(UPSTREAMS.map((u) => [u.name, [u.name]])) },
    });
    await api("POST", "/api/v1/policies", {
      name: "conformance-all-tools",
      target: {
        agents: ["conformance-agent"],
        tools: [...new Set(started.flatMap((s) => s.tools.map((t) => t.name)))],
      },
      effect: "allow",
    });
    await planes.synced();

    const cpUrl = planes.cp.url;
    const activeIssuer = issuer;
    let token = { value: "", exchangedAtMs: 0 };
    // Session tokens live at most 15 minutes: a fresh one is exchanged every 10.
    const bearer = async () => {
      if (Date.now() - token.exchangedAtMs < 10 * 60_000) return token.value;
      token = { value: await exchangeForSession(cpUrl, activeIssuer, credential, OPERATOR), exchangedAtMs: Date.now() };
      return token.value;
    };
    await bearer();
    forwarder = await startForwarder(new URL(planes.dpUrl), bearer);

    let worst = 0;
    for (const { upstream, url } of started) {
      const gatewayUrl = `${forwarder.url}/mcp/${upstream.name}`;
      process.stdout.write(
        `\n== ${upstream.name}\nbare:    ${url}\ngateway: ${gatewayUrl} (through the token-adding forwarder)\n`,
      );
      process.stdout.write("running the scenarios against the bare upstream …\n");
      const bare = await conformance(cli, url, scenarioArgs);
      process.stdout.write("running the scenarios through the gateway …\n");
      const gateway = await conformance(cli, gatewayUrl, scenarioArgs);
      // The full outputs, for reading why a scenario failed.
      writeFileSync(path.join(cacheDir, `last-${upstream.name}-bare.txt`), bare.output);
      writeFileSync(path.join(cacheDir, `last-${upstream.name}-gateway.txt`), gateway.output);
      process.stdout.write(`outputs: ${path.join(cacheDir, `last-${upstream.name}-{bare,gateway}.txt`)}\n`);
      if (bare.scores.size === 0 || gateway.scores.size === 0) {
        process.stderr.write(
          `the conformance CLI printed no summary:\n${bare.output.slice(-2000)}\n${gateway.output.slice(-2000)}\n`,
        );
        return 2;
      }
      worst = Math.max(worst, report(upstream.name, bare.scores, gateway.scores));
    }
    return worst;
  } finally {
    await forwarder?.close();
    await planes?.close();
    procs.killAll();
    await issuer?.close();
  }
}

function report(upstream: string, bare: Map<string, Score>, gateway: Map<string, Score>): number {
  const names = [...new Set([...bare.keys(), ...gateway.keys()])];
  const cell = (s: Score | undefined) => (s ? `${ok(s) ? "pass" : "FAIL"} (${s.passed}/${s.passed + s.failed})` : "-");
  const width = Math.max(...names.map((n) => n.length), 8);
  const lines = [`${"scenario".padEnd(width)}  ${"bare".padEnd(12)}  ${"gateway".padEnd(12)}  note`];
  const stale: string[] = [];
  const regressions: string[] = [];
  for (const name of names) {
    const b = bare.get(name);
    const g = gateway.get(name);
    let note = "";
    const expected = expectedDifferent(upstream, name);
    if (ok(b) && !ok(g)) {
      if (expected !== undefined) note = `expected: ${expected}`;
      else {
        note = "REGRESSION";
        regressions.push(name);
      }
    } else if (expected !== undefined && ok(g)) {
      note = "listed as expected to differ, but passes: update EXPECTED_DIFFERENT";
      stale.push(name);
    } else if (!ok(b) && ok(g)) note = "gateway better";
    lines.push(`${name.padEnd(width)}  ${cell(b).padEnd(12)}  ${cell(g).padEnd(12)}  ${note}`);
  }
  const count = (m: Map<string, Score>) => [...m.values()].filter(ok).length;
  lines.push(
    "",
    `${upstream}: scenarios passed bare ${count(bare)}/${bare.size}, gateway ${count(gateway)}/${gateway.size}`,
  );
  if (regressions.length > 0) lines.push(`the gateway scores lower than bare on: ${regressions.join(", ")}`);
  if (stale.length > 0) lines.push(`no longer different: ${stale.join(", ")}`);
  process.stdout.write(`\n${lines.join("\n")}\n`);
  return regressions.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`conformance:mcp failed: ${error.stack ?? error.message}\n`);
    process.exit(2);
  },
);
