// The request path's test world: the expense-report scenario as a snapshot (agents, operators, HTTP upstreams on a
// TestUpstream, tools, the scenario's policies), session tokens minted the way the control plane mints them
// (jose SignJWT, EdDSA, `at+jwt`, with the test control plane's key published in the snapshot), and a running DP.
import { randomBytes } from "node:crypto";
import type { Policy } from "@portcullis/policy";
import { expenseReportPolicies } from "@portcullis/policy/scenarios/expense-report";
import {
  type AuditRecord,
  type SigningKeyPair,
  SNAPSHOT_SCHEMA_VERSION,
  type SnapshotPolicy,
  type SnapshotResources,
  type SnapshotTool,
  type SnapshotUpstream,
} from "@portcullis/proto";
import { type JWTPayload, SignJWT } from "jose";
import { type RunningDataPlane, runDataPlane } from "../src/cli-dp.ts";
import { type Logger, silentLogger } from "../src/log.ts";
import { FAST_BACKOFF, FAST_CHANNEL, tempDir, waitFor } from "./fixtures.ts";
import { TestControlPlane } from "./test-control-plane.ts";
import { TestUpstream } from "./test-upstream.ts";

export const AGENT = { id: "agt-expense-0001", name: "expense-report-v1" };
export const HELPER = { id: "agt-ocr-0002", name: "ocr-helper-v2" };
export const DISABLED = { id: "agt-disabled-0003", name: "retired-bot" };
export const ALICE = "alice@company.com";
export const CAROL = "carol@company.com";

export const UPSTREAM_IDS = {
  accounting: "up-accounting",
  directory: "up-directory",
  ocr: "up-ocr",
  misbehaving: "up-misbehaving",
  mcp: "up-mcp",
};

function toSnapshotPolicy(p: Policy): SnapshotPolicy {
  return {
    id: p.id,
    version: 1,
    name: p.name,
    description: p.description ?? "",
    target: { agents: [...p.target.agents], tools: [...p.target.tools] },
    effect: p.effect,
    condition: p.condition ?? "",
    mode: p.mode ?? "enforce",
    priority: p.priority ?? 0,
    approvers: p.approvers ?? "",
  };
}

const tool = (
  id: string,
  upstreamId: string,
  name: string,
  http: Record<string, unknown> | null,
  extra: Partial<SnapshotTool> = {},
): SnapshotTool => ({
  id,
  upstreamId,
  name,
  description: name,
  inputSchema: { type: "object" },
  annotations: {},
  labels: {},
  http,
  sensitive: false,
  status: "active",
  pinnedHash: "a".repeat(64),
  ...extra,
});

/** Tools the tests reach that the scenario's policies do not mention. */
export const TEST_TOOLS = ["slow_tool", "big_tool", "html_tool", "text_tool", "badjson_tool", "missing_tool"];

export function scenarioResources(upstreamUrl: string, cpKey: SigningKeyPair): SnapshotResources {
  const upstream = (
    id: string,
    name: string,
    path: string,
    extra: Partial<SnapshotUpstream> = {},
  ): SnapshotUpstream => ({
    id,
    name,
    kind: "http",
    url: `${upstreamUrl}${path}`,
    labels: {},
    settings: {},
    credential: null,
    ...extra,
  });
  const U = UPSTREAM_IDS;
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    groupId: "group-1",
    groupName: "default",
    settings: {},
    agents: [
      {
        ...AGENT,
        owner: "finance-platform",
        trust: "first_party",
        labels: {},
        allowedDelegates: [HELPER.id],
        disabled: false,
      },
      { ...HELPER, owner: "ocr-vendor", trust: "third_party", labels: {}, allowedDelegates: [], disabled: false },
      { ...DISABLED, owner: "nobody", trust: "first_party", labels: {}, allowedDelegates: [], disabled: true },
    ],
    operators: [
      {
        subject: ALICE,
        email: ALICE,
        displayName: "Alice",
        department: "engineering",
        manager: "bob@company.com",
        costCenter: "eng-team-001",
        groups: ["engineering"],
        attributes: { delegation_limit: 500 },
      },
      {
        subject: CAROL,
        email: CAROL,
        displayName: "Carol",
        department: "sales",
        manager: "dave@company.com",
        costCenter: "sales-002",
        groups: ["sales"],
        attributes: {},
      },
    ],
    upstreams: [
      upstream(U.accounting, "accounting", "/api", { credential: { kind: "bearer", value: "accounting-secret" } }),
      upstream(U.directory, "directory", "/dir/", {
        credential: { kind: "header", value: "directory-key", headerName: "X-Api-Key" },
      }),
      upstream(U.ocr, "ocr", "/ocr-svc"),
      upstream(U.misbehaving, "misbehaving", "/bad"),
      { ...upstream(U.mcp, "notify", "/mcp"), kind: "mcp" },
    ],
    tools: [
      tool("t-ocr", U.ocr, "receipt_ocr", { method: "POST", path: "/read" }, { annotations: { readOnlyHint: true } }),
      tool("t-cc", U.directory, "get_employee_cost_center", {
        method: "GET",
        path: "/employees/{employee_id}/cost-center",
      }),
      tool(
        "t-create",
        U.accounting,
        "create_expense_report",
        { method: "POST", path: "/reports" },
        { sensitive: true },
      ),
      tool("t-notify", U.accounting, "send_notification", { method: "POST", path: "/notify" }),
      tool(
        "t-delete",
        U.accounting,
        "delete_expense_reports",
        { method: "DELETE", path: "/reports" },
        {
          annotations: { destructiveHint: true },
        },
      ),
      tool("t-admin", U.accounting, "admin_reset", { method: "POST", path: "/admin/reset" }),
      tool(
        "t-quarantined",
        U.accounting,
        "quarantined_tool",
        { method: "POST", path: "/q" },
        { status: "quarantined" },
      ),
      tool("t-mcp", U.mcp, "mcp_only_tool", null),
      tool("t-slow", U.misbehaving, "slow_tool", { method: "POST", path: "/hang" }),
      tool("t-big", U.misbehaving, "big_tool", { method: "GET", path: "/big" }),
      tool("t-html", U.misbehaving, "html_tool", { method: "GET", path: "/html" }),
      tool("t-text", U.misbehaving, "text_tool", { method: "GET", path: "/text" }),
      tool("t-badjson", U.misbehaving, "badjson_tool", { method: "GET", path: "/badjson" }),
      tool("t-missing", U.misbehaving, "missing_tool", { method: "GET", path: "/missing" }),
    ],
    policies: [
      ...expenseReportPolicies.map(toSnapshotPolicy),
      toSnapshotPolicy({
        id: "test-tools",
        name: "test-tools",
        description: "the tests' extra tools, plus tools that must stay hidden or unknown for other reasons",
        target: {
          agents: [AGENT.name],
          tools: [...TEST_TOOLS, "quarantined_tool", "mcp_only_tool", "delete_expense_reports"],
        },
        effect: "allow",
        condition: "",
        mode: "enforce",
        priority: 0,
      }),
    ],
    trust: {
      controlPlaneKeys: [cpKey.publicJwk as unknown as Record<string, unknown>],
      issuers: [],
      nodeAssertionKeys: [],
    },
    allowMassDelete: false,
  };
}

export interface TokenOptions {
  sid?: string;
  sub?: string;
  agent?: { id: string; name: string };
  op?: Record<string, unknown>;
  /** Set false for an agent-only (client_credentials) token. */
  session?: boolean;
  iat?: number;
  exp?: number;
  key?: SigningKeyPair;
  /** A delegated session: the agents `agent` acts for, origin first (nested `act`), and the parent session. */
  delegators?: { id: string; name: string }[];
  parentSid?: string;
}

/** A session token as the control plane's token exchange mints it. */
export async function mintSessionToken(cp: TestControlPlane, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const agent = options.agent ?? AGENT;
  const claims: JWTPayload =
    options.session === false
      ? { sub: agent.id, client_id: "client-expense" }
      : {
          sub: options.sub ?? ALICE,
          act: [...(options.delegators ?? []), agent].reduce<Record<string, unknown> | undefined>(
            (inner, a) => ({ sub: a.id, name: a.name, ...(inner ? { act: inner } : {}) }),
            undefined,
          ),
          ...(options.delegators?.length ? { parent_sid: options.parentSid ?? newSessionId() } : {}),
          sid: options.sid ?? newSessionId(),
          client_id: "client-expense",
          op: options.op ?? { email: options.sub ?? ALICE },
        };
  const key = options.key ?? cp.key;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: "at+jwt" })
    .setIssuer(cp.issuer)
    .setAudience("portcullis-gateway")
    .setIssuedAt(options.iat ?? now)
    .setExpirationTime(options.exp ?? now + 900)
    .setJti(randomBytes(8).toString("hex"))
    .sign(key.privateKey);
}

export const newSessionId = () => `sess_${randomBytes(16).toString("base64url")}`;

export interface InvokeResult {
  status: number;
  body: { error?: Record<string, unknown> } & Record<string, unknown>;
  headers: Headers;
  decisionId: string | null;
}

/** A running world: test control plane, upstream and DP, with helpers to call tools and read the audit trail. */
export class HttpToolsWorld {
  readonly cp: TestControlPlane;
  readonly upstream: TestUpstream;
  dp: RunningDataPlane;
  readonly dir: string;
  readonly #env: Record<string, string>;
  readonly #cleanup: () => Promise<void>;
  /** Every decision id a response carried. */
  readonly decisionIds: string[] = [];

  private constructor(
    cp: TestControlPlane,
    upstream: TestUpstream,
    dp: RunningDataPlane,
    dir: string,
    env: Record<string, string>,
    cleanup: () => Promise<void>,
  ) {
    this.cp = cp;
    this.upstream = upstream;
    this.dp = dp;
    this.dir = dir;
    this.#env = env;
    this.#cleanup = cleanup;
  }

  static async start(env: Record<string, string> = {}, logger: Logger = silentLogger): Promise<HttpToolsWorld> {
    const cp = await TestControlPlane.start();
    const upstream = await TestUpstream.start();
    const { dir, cleanup } = await tempDir();
    const fullEnv = {
      PORTCULLIS_CP_GRPC: cp.address,
      PORTCULLIS_DP_DATA_DIR: dir,
      PORTCULLIS_DP_HTTP: "127.0.0.1:0",
      // Short enough for the timeout test, long enough that a loaded machine never times out a normal call.
      PORTCULLIS_DP_UPSTREAM_TIMEOUT_MS: "1500",
      PORTCULLIS_DP_MAX_RESPONSE_BYTES: String(1024 * 1024),
      PORTCULLIS_DP_DRAIN_SECONDS: "1",
      ...env,
    };
    const dp = await HttpToolsWorld.#run({ ...fullEnv, PORTCULLIS_BOOTSTRAP_TOKEN: cp.issueBootstrapToken() }, logger);
    cp.publish(scenarioResources(upstream.url, cp.key));
    await HttpToolsWorld.#ready(dp);
    return new HttpToolsWorld(cp, upstream, dp, dir, fullEnv, cleanup);
  }

  static #run(env: Record<string, string>, logger: Logger = silentLogger): Promise<RunningDataPlane> {
    return runDataPlane([], {
      env,
      logger,
      nodeOverrides: { backoff: FAST_BACKOFF, channelOptions: FAST_CHANNEL },
    });
  }

  static async #ready(dp: RunningDataPlane): Promise<void> {
    await waitFor("DP ready", async () => (await fetch(`http://${dp.httpAddress}/readyz`)).status === 200);
  }

  /**
   * Starts another DP on the same control plane (its own identity and data directory) with this world's
   * environment and `env` on top; it serves the current snapshot. The world closes it.
   */
  async startPeer(env: Record<string, string> = {}): Promise<RunningDataPlane> {
    const { dir, cleanup } = await tempDir();
    const peer: { dp?: RunningDataPlane; cleanup: () => Promise<void> } = { cleanup };
    this.#peers.push(peer);
    peer.dp = await HttpToolsWorld.#run({
      ...this.#env,
      PORTCULLIS_DP_DATA_DIR: dir,
      ...env,
      PORTCULLIS_BOOTSTRAP_TOKEN: this.cp.issueBootstrapToken(),
    });
    await HttpToolsWorld.#ready(peer.dp);
    return peer.dp;
  }

  readonly #peers: { dp?: RunningDataPlane; cleanup: () => Promise<void> }[] = [];

  /** Stops the DP and starts it again from the same data directory (identity, snapshot, spool). */
  async restart(): Promise<void> {
    await this.dp.close();
    this.dp = await HttpToolsWorld.#run(this.#env);
    await HttpToolsWorld.#ready(this.dp);
  }

  get base(): string {
    return `http://${this.dp.httpAddress}`;
  }

  get node() {
    const node = this.dp.node();
    if (!node) throw new Error("node not started");
    return node;
  }

  token(options: TokenOptions = {}): Promise<string> {
    return mintSessionToken(this.cp, options);
  }

  /** POST /tools/{tool}/invoke with a JSON body (or raw text), as fetch sends it. */
  async invoke(
    toolName: string,
    args: unknown,
    options: {
      token?: string | null;
      headers?: Record<string, string>;
      raw?: string;
      /** Another DP to call (a peer's `http://host:port`); default this world's DP. */
      base?: string;
    } = {},
  ): Promise<InvokeResult> {
    const token = options.token === undefined ? await this.token() : options.token;
    const response = await fetch(`${options.base ?? this.base}/tools/${encodeURIComponent(toolName)}/invoke`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
        ...options.headers,
      },
      body: options.raw ?? JSON.stringify(args),
    });
    const text = await response.text();
    const decisionId = response.headers.get("portcullis-decision-id");
    if (decisionId) this.decisionIds.push(decisionId);
    return {
      status: response.status,
      body: text === "" ? {} : JSON.parse(text),
      headers: response.headers,
      decisionId,
    };
  }

  /** The audit records the control plane received, once `ids` have all arrived. */
  async auditRecords(ids: readonly string[] = []): Promise<AuditRecord[]> {
    const streamId = this.node.spool.streamId;
    return waitFor(`audit records ${ids.join(", ")}`, () => {
      const records = this.cp.records(streamId);
      const have = new Set(records.map((r) => r.id));
      return ids.every((id) => have.has(id)) ? records : undefined;
    });
  }

  /** The one audit record with this decision id (fails when there is not exactly one). */
  async auditOf(decisionId: string | null): Promise<AuditRecord> {
    if (!decisionId) throw new Error("the response carried no Portcullis-Decision-Id");
    const records = (await this.auditRecords([decisionId])).filter((r) => r.id === decisionId);
    if (records.length !== 1) throw new Error(`expected one audit record for ${decisionId}, found ${records.length}`);
    return records[0] as AuditRecord;
  }

  async close(): Promise<void> {
    for (const peer of this.#peers.splice(0)) {
      await peer.dp?.close();
      await peer.cleanup();
    }
    await this.dp.close();
    await this.upstream.close();
    await this.cp.stop();
    await this.#cleanup();
  }
}

/** The node's `portcullis_dp_refusals_total` for `reason`, from its metrics registry. */
export async function refusalCount(dp: RunningDataPlane, reason: string): Promise<number> {
  const metric = await dp.metrics.registry.getSingleMetric("portcullis_dp_refusals_total")?.get();
  return metric?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}
