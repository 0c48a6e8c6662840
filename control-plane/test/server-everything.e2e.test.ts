// The official MCP SDK client through the gateway to the reference server `@modelcontextprotocol/server-everything`
// (its own process, Streamable HTTP): a control plane, a data-plane node as a child process, and the agent's session
// token from RFC 8693 token exchange. The tools are registered with the definitions the server lists, so their pins
// match what the node checks (T08). tools/list is filtered by policy, an allowed tool works, the long-running tool's
// progress notifications reach the client through the gateway, and denials answer as documented in
// data-plane/README.md (hidden → -32602 Unknown tool; a deny policy → a tool result with isError and the decision).
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalIssuer } from "./local-issuer.ts";
import { freePort, processGroup, type Spawned, until } from "./processes.ts";
import { type Json, type Planes, startPlanes } from "./support/planes.ts";

const serverEverything = fileURLToPath(
  new URL("../../node_modules/@modelcontextprotocol/server-everything/dist/index.js", import.meta.url),
);
const ALICE = "alice@company.com";
const LONG = "trigger-long-running-operation";
/** Registered in the control plane but no policy allows it: hidden from tools/list, unknown to calls. */
const HIDDEN = "get-sum";

const procs = processGroup();
let everything: Spawned;
let everythingUrl: string;
let planes: Planes;
let issuer: LocalIssuer;
let sessionToken: string;
const clients: Client[] = [];

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await planes?.close();
  procs.killAll();
  await issuer?.close();
});

async function connect(url: string, token?: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : undefined,
  });
  const client = new Client({ name: "server-everything-e2e", version: "1.0.0" });
  await client.connect(transport);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  const port = await freePort();
  everything = procs.spawn(["streamableHttp"], { PORT: String(port) }, serverEverything);
  everythingUrl = `http://127.0.0.1:${port}/mcp`;
  await until(
    "server-everything to listen",
    async () => (everything.output().includes(`listening on port ${port}`) ? true : undefined),
    60_000,
  );
  // What the server lists is what gets approved: name, description, input schema and annotations are pinned.
  const direct = await connect(everythingUrl);
  const listed = (await direct.listTools()).tools;
  await direct.close();

  issuer = await (await LocalIssuer.create("https://idp.company.test", "ES256")).serve();
  planes = await startPlanes();
  const { api } = planes;
  await api("POST", "/api/v1/trusted-issuers", {
    name: "company-idp",
    issuer: issuer.issuer,
    staticJwks: issuer.jwks(),
  });
  await api("POST", "/api/v1/operators", { subject: ALICE, email: ALICE, department: "engineering" });
  const agent = await api("POST", "/api/v1/agents", { name: "everything-agent", trust: "first_party", owner: "qa" });
  const credential = await api("POST", `/api/v1/agents/${agent.id}/credentials`, {});
  const upstream = await api("POST", "/api/v1/upstreams", { name: "everything", kind: "mcp", url: everythingUrl });
  for (const name of ["echo", LONG, HIDDEN]) {
    const tool = listed.find((t) => t.name === name);
    if (!tool) throw new Error(`server-everything does not list ${name}`);
    await api("POST", "/api/v1/tools", {
      upstreamId: upstream.id,
      name,
      description: tool.description,
      inputSchema: tool.inputSchema,
      annotations: tool.annotations,
    });
  }
  await api("POST", "/api/v1/policies", {
    name: "everything-allowed",
    target: { agents: ["everything-agent"], tools: ["echo", LONG] },
    effect: "allow",
  });
  await api("POST", "/api/v1/policies", {
    name: "no-secrets-echoed",
    target: { agents: ["*"], tools: ["echo"] },
    effect: "deny",
    condition: 'args.message.contains("secret")',
  });
  await planes.synced();

  const exchanged = await planes.token({
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    subject_token: await issuer.token(ALICE, { email: ALICE }),
    subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
    client_id: credential.clientId,
    client_secret: credential.clientSecret,
  });
  expect(exchanged.status, JSON.stringify(exchanged.body)).toBe(200);
  sessionToken = (exchanged.body as Json).access_token as string;
}, 240_000);

describe("the official MCP client through the gateway to @modelcontextprotocol/server-everything", () => {
  it("tools/list shows only what policy allows: the tool without an allow policy is hidden", {
    timeout: 60_000,
  }, async () => {
    const client = await connect(`${planes.dpUrl}/mcp/default`, sessionToken);
    expect(client.getServerVersion()?.name).toBe("portcullis");
    const names = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual(["echo", LONG].sort());
    // The server itself lists many more (the hidden one included).
    const direct = await connect(everythingUrl);
    expect((await direct.listTools()).tools.map((t) => t.name)).toContain(HIDDEN);
  });

  it("an allowed tool works: echo answers through the gateway", { timeout: 60_000 }, async () => {
    const client = await connect(`${planes.dpUrl}/mcp/default`, sessionToken);
    const result = await client.callTool({ name: "echo", arguments: { message: "hello through portcullis" } });
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: "text", text: "Echo: hello through portcullis" }]);
  });

  it("the long-running tool delivers its progress notifications to the client through the gateway", {
    timeout: 90_000,
  }, async () => {
    const client = await connect(`${planes.dpUrl}/mcp/default`, sessionToken);
    const progress: Progress[] = [];
    const result = await client.callTool({ name: LONG, arguments: { duration: 1, steps: 3 } }, undefined, {
      onprogress: (p) => progress.push(p),
      timeout: 60_000,
    });
    expect(result.isError).toBeFalsy();
    expect(JSON.stringify(result.content)).toContain("Long running operation completed");
    expect(progress.map((p) => [p.progress, p.total])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it("denied calls answer as documented: a hidden tool is an unknown tool (-32602); a deny policy is an isError result with the decision", {
    timeout: 60_000,
  }, async () => {
    const client = await connect(`${planes.dpUrl}/mcp/default`, sessionToken);
    await expect(client.callTool({ name: HIDDEN, arguments: { a: 1, b: 2 } })).rejects.toThrow(
      `MCP error -32602: Unknown tool: ${HIDDEN}`,
    );
    await expect(client.callTool({ name: "no-such-tool", arguments: {} })).rejects.toThrow(
      "MCP error -32602: Unknown tool: no-such-tool",
    );
    const denied = await client.callTool({ name: "echo", arguments: { message: "the secret plan" } });
    expect(denied.isError).toBe(true);
    expect(denied._meta?.["portcullis/decision"]).toMatchObject({ outcome: "deny" });
    expect(JSON.stringify(denied.content)).not.toContain("Echo:");
  });

  it("a caller without a token is refused with 401 and the documented -32000 error", { timeout: 30_000 }, async () => {
    const res = await fetch(`${planes.dpUrl}/mcp/default`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("resource_metadata");
    expect(((await res.json()) as Json).error?.code).toBe(-32000);
  });
});
