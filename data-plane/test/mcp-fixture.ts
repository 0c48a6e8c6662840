// The MCP tests' world: the test control plane, two real upstream MCP servers built with the official SDK (`ocr`
// and `directory`, both exposing `lookup` for T10), and a real DP serving a snapshot with the expense-report
// policies whose upstreams are those MCP servers. Two virtual servers: `default` (both) and `ocronly` (T04).
import type { AuditRecord, SnapshotResources, SnapshotTool, SnapshotUpstream } from "@portcullis/proto";
import { importJWK, type JWTPayload, jwtVerify } from "jose";
import { ASSERTION_TYP } from "../src/assertions/mint-assertion.ts";
import { type RunningDataPlane, runDataPlane } from "../src/cli-dp.ts";
import { type Logger, silentLogger } from "../src/log.ts";
import { toolDefinitionHash } from "../src/mcp/tool-pins.ts";
import { FAST_BACKOFF, FAST_CHANNEL, tempDir, waitFor } from "./fixtures.ts";
import { AGENT, mintSessionToken, scenarioResources, type TokenOptions } from "./http-tools-fixture.ts";
import { TestControlPlane } from "./test-control-plane.ts";
import { listedTool, TestMcpUpstream } from "./test-mcp-upstream.ts";

export const MCP_UPSTREAMS = { ocr: "up-mcp-ocr", directory: "up-mcp-directory" };

/** A snapshot tool pinned to the definition the test upstreams list for its name. */
const mcpTool = (id: string, upstreamId: string, name: string, extra: Partial<SnapshotTool> = {}): SnapshotTool => {
  const listed = listedTool(name);
  return {
    id,
    upstreamId,
    name,
    description: listed.description ?? "",
    inputSchema: listed.inputSchema,
    annotations: listed.annotations ?? {},
    labels: {},
    http: null,
    sensitive: false,
    status: "active",
    pinnedHash: toolDefinitionHash(listed),
    ...extra,
  };
};

export function mcpResources(
  base: SnapshotResources,
  ocr: TestMcpUpstream,
  directory: TestMcpUpstream,
): SnapshotResources {
  const upstream = (id: string, name: string, url: string): SnapshotUpstream => ({
    id,
    name,
    kind: "mcp",
    url,
    labels: {},
    settings: {},
    credential: null,
  });
  const U = MCP_UPSTREAMS;
  return {
    ...base,
    settings: { virtualServers: { default: ["ocr", "directory"], ocronly: ["ocr"] } },
    upstreams: [
      upstream(U.ocr, "ocr", ocr.url),
      {
        ...upstream(U.directory, "directory", directory.url),
        credential: { kind: "header", value: "directory-key", headerName: "X-Api-Key" },
      },
    ],
    tools: [
      mcpTool("m-ocr", U.ocr, "receipt_ocr"),
      mcpTool("m-ocr-lookup", U.ocr, "lookup"),
      mcpTool("m-ocr-q", U.ocr, "quarantined_tool", { status: "quarantined" }),
      mcpTool("m-cc", U.directory, "get_employee_cost_center"),
      mcpTool("m-delete", U.directory, "delete_expense_reports"),
      mcpTool("m-admin", U.directory, "admin_reset"),
      mcpTool("m-dir-lookup", U.directory, "lookup"),
      mcpTool("m-create", U.directory, "create_expense_report", { sensitive: true }),
    ],
    policies: [
      ...base.policies,
      {
        id: "mcp-lookup",
        version: 1,
        name: "mcp-lookup",
        description: "the expense agent may look things up on both upstreams",
        target: { agents: [AGENT.name], tools: ["lookup"] },
        effect: "allow",
        condition: "",
        mode: "enforce",
        priority: 0,
        approvers: "",
      },
    ],
  };
}

export class McpWorld {
  readonly cp: TestControlPlane;
  readonly ocr: TestMcpUpstream;
  readonly directory: TestMcpUpstream;
  readonly dp: RunningDataPlane;
  /** The resources of the snapshot published last. */
  resources: SnapshotResources;
  readonly #cleanup: () => Promise<void>;

  private constructor(
    cp: TestControlPlane,
    ocr: TestMcpUpstream,
    directory: TestMcpUpstream,
    dp: RunningDataPlane,
    resources: SnapshotResources,
    cleanup: () => Promise<void>,
  ) {
    this.resources = resources;
    this.cp = cp;
    this.ocr = ocr;
    this.directory = directory;
    this.dp = dp;
    this.#cleanup = cleanup;
  }

  /** `env` adds to (or overrides) the DP's environment, for example REDIS_URL; `logger` the DP's (silent). */
  static async start(options: { env?: Record<string, string>; logger?: Logger } = {}): Promise<McpWorld> {
    const cp = await TestControlPlane.start();
    const ocr = await TestMcpUpstream.start("ocr", ["receipt_ocr", "lookup", "quarantined_tool"]);
    const directory = await TestMcpUpstream.start("directory", [
      "get_employee_cost_center",
      "delete_expense_reports",
      "admin_reset",
      "lookup",
      "create_expense_report",
    ]);
    const { dir, cleanup } = await tempDir();
    const dp = await runDataPlane([], {
      env: {
        PORTCULLIS_CP_GRPC: cp.address,
        PORTCULLIS_DP_DATA_DIR: dir,
        PORTCULLIS_DP_HTTP: "127.0.0.1:0",
        PORTCULLIS_DP_DRAIN_SECONDS: "1",
        PORTCULLIS_BOOTSTRAP_TOKEN: cp.issueBootstrapToken(),
        ...options.env,
      },
      logger: options.logger ?? silentLogger,
      nodeOverrides: { backoff: FAST_BACKOFF, channelOptions: FAST_CHANNEL },
    });
    const resources = mcpResources(scenarioResources("http://127.0.0.1:9", cp.key), ocr, directory);
    cp.publish(resources);
    await waitFor("DP ready", async () => (await fetch(`http://${dp.httpAddress}/readyz`)).status === 200);
    return new McpWorld(cp, ocr, directory, dp, resources, cleanup);
  }

  /** Publishes new resources and waits until the DP serves them. */
  async publish(resources: SnapshotResources): Promise<void> {
    const { version } = this.cp.publish(resources);
    this.resources = resources;
    await waitFor("DP serves the new snapshot", async () => {
      const ready = (await (await fetch(`${this.base}/readyz`)).json()) as { version?: number };
      return ready.version === version;
    });
  }

  get base(): string {
    return `http://${this.dp.httpAddress}`;
  }

  url(server = "default"): string {
    return `${this.base}/mcp/${server}`;
  }

  get node() {
    const node = this.dp.node();
    if (!node) throw new Error("node not started");
    return node;
  }

  /** A raw JSON-RPC POST to a virtual server (default: `default`), with the session id when given. */
  async post(
    token: string,
    body: unknown,
    session?: string,
    server = "default",
  ): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
    const response = await fetch(this.url(server), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `Bearer ${token}`,
        ...(session ? { "mcp-session-id": session } : {}),
      },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      headers: response.headers,
      json: (await response.json()) as Record<string, unknown>,
    };
  }

  /** A gateway MCP session initialized with raw JSON-RPC for this token: its Mcp-Session-Id. */
  async openSession(token: string, server = "default"): Promise<string> {
    const init = await this.post(
      token,
      {
        jsonrpc: "2.0",
        id: 0,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
      },
      undefined,
      server,
    );
    const id = init.headers.get("mcp-session-id");
    if (init.status !== 200 || !id) throw new Error(`initialize answered ${init.status}`);
    return id;
  }

  /** The claims of an assertion the node minted for this upstream (verified: signature, issuer, audience, typ). */
  async verifyAssertion(assertion: string, audience: string): Promise<JWTPayload> {
    const { identity } = this.node;
    const key = await importJWK(identity.assertion.publicJwk, "EdDSA");
    const verified = await jwtVerify(assertion, key, {
      algorithms: ["EdDSA"],
      issuer: identity.issuer,
      audience,
      typ: ASSERTION_TYP,
    });
    return verified.payload;
  }

  token(options: TokenOptions = {}): Promise<string> {
    return mintSessionToken(this.cp, options);
  }

  resetUpstreams(): void {
    this.ocr.reset();
    this.directory.reset();
  }

  /** Every audit record the control plane holds once `predicate` finds one. */
  async auditWhere(predicate: (r: AuditRecord) => boolean): Promise<AuditRecord[]> {
    const streamId = this.node.spool.streamId;
    return waitFor("audit record", () => {
      const found = this.cp.records(streamId).filter(predicate);
      return found.length > 0 ? found : undefined;
    });
  }

  async close(): Promise<void> {
    await this.dp.close();
    await this.ocr.close();
    await this.directory.close();
    await this.cp.stop();
    await this.#cleanup();
  }
}
