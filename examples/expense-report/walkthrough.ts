// The expense-report walkthrough (shared/scenarios/expense-report.md) as a client of the gateway: operator
// tokens from the demo identity provider, RFC 8693 token exchange at the control plane, then every step through
// the data plane with the official MCP SDK (MCP tools) and plain HTTP (the accounting API's HTTP tool). Each step
// states what the scenario expects and reports what happened. `npm run demo` prints it; the acceptance test
// asserts it. Steps that need a feature the gateway does not offer yet report "unavailable" instead of failing
// (unless strict), so the walkthrough grows as the features land.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type CallToolResult, McpError } from "@modelcontextprotocol/sdk/types.js";
import { decodeJwt, importJWK, type JWK, SignJWT } from "jose";
import type { LogEntry } from "./servers.ts";

/** What the demo seed writes to .portcullis/demo/credentials.json. */
export interface DemoCredentials {
  controlPlane: string;
  /** The data-plane node's base URL (MCP at /mcp/default, HTTP tools at /tools/{tool}/invoke). */
  gateway: string;
  toolServers: string;
  /** The demo identity provider: operators' tokens are signed with this key. */
  identityProvider: { issuer: string; privateJwk: JWK };
  agents: Record<string, { id: string; clientId: string; clientSecret: string }>;
  console: { url: string; users: { email: string; password: string; role: string; note: string }[] };
}

export type Outcome = "allowed" | "denied" | "held" | "approved" | "unknown_tool" | "listed" | "error";
/** Gateway features a step may need that are not on every version. */
export type Feature = "approvals" | "delegation";

export interface Observed {
  outcome: Outcome;
  /** The gateway's reason code (decision code, error code or JSON-RPC code). */
  code?: string;
  reason?: string;
  /** What the tool server verified from the gateway's assertion: "alice@company.com, via expense-report-v1". */
  toolSaw?: string;
  detail?: string;
  /** A held call's approval, when the gateway has approvals. */
  approval?: HeldApproval;
}

/** Where a held call is decided (the gateway's approval_pending answer). */
export interface HeldApproval {
  id: string;
  approveUrl?: string;
  expiresAt?: string;
}

export interface StepResult {
  n: number;
  session: string;
  title: string;
  expected: Outcome;
  /** pass: as the scenario says; fail: not; unavailable: needs a feature this gateway (or walkthrough) lacks. */
  status: "pass" | "fail" | "unavailable";
  observed?: Observed;
  requires?: Feature;
  /** The tool the step calls (none for tools/list). */
  tool?: string;
  /** The policy the scenario says decides it. */
  policy?: string;
  /** The arguments it sends. */
  args?: Record<string, unknown>;
  /** The gateway session the step ran in. */
  sessionId?: string;
}

export interface WalkthroughResult {
  steps: StepResult[];
  /** Gateway sessions by label (happy, repeats, limits, delegation, carol). */
  sessions: Record<string, string>;
  ok: boolean;
}

export interface WalkthroughOptions {
  credentials: DemoCredentials;
  /** Called as each step finishes. */
  onStep?: (step: StepResult) => void;
  /** Called when a new session starts. */
  onSession?: (label: string, title: string, sessionId: string) => void;
  /** Unavailable steps fail (PORTCULLIS_DEMO_STRICT=1). */
  strict?: boolean;
  /** Which features the gateway offers; detected from the control plane when absent. */
  features?: Partial<Record<Feature, boolean>>;
  /**
   * Decides a held call for the operator's manager. Default: bob approves through the REST API
   * (POST /api/v1/approvals/{id}/decision), signed in with the console login the seed wrote.
   */
  approve?: (approval: HeldApproval) => Promise<void>;
}

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/** Which optional features the control plane offers, from its OpenAPI document. */
export async function detectFeatures(controlPlane: string): Promise<Record<Feature, boolean>> {
  const res = await fetch(`${controlPlane}/openapi.json`, { signal: AbortSignal.timeout(10_000) });
  const doc = (await res.json()) as { paths?: Record<string, unknown>; components?: { schemas?: unknown } };
  const paths = Object.keys(doc.paths ?? {});
  return {
    approvals: paths.some((p) => p.startsWith("/api/v1/approvals")),
    // Sessions opened by delegation record the chain's depth (docs/tokens.md §4); earlier versions had no depth.
    delegation: sessionDelegationDepth(doc),
  };
}

/** Whether the OpenAPI document's Session schema has `delegation.depth` (delegation exchange is supported). */
function sessionDelegationDepth(doc: { components?: { schemas?: unknown } }): boolean {
  const schemas = (doc.components?.schemas ?? {}) as Record<string, { properties?: Record<string, unknown> }>;
  const delegation = schemas.Session?.properties?.delegation as { properties?: Record<string, unknown> } | undefined;
  return delegation?.properties?.depth !== undefined;
}

/** An operator's ID token from the demo identity provider. */
export async function operatorToken(credentials: DemoCredentials, email: string): Promise<string> {
  const { privateJwk, issuer } = credentials.identityProvider;
  const key = await importJWK(privateJwk, "ES256");
  return new SignJWT({ email })
    .setProtectedHeader({ alg: "ES256", kid: privateJwk.kid as string, typ: "JWT" })
    .setIssuer(issuer)
    .setSubject(email)
    .setIssuedAt()
    .setExpirationTime("10m")
    .sign(key);
}

/**
 * RFC 8693 token exchange at the control plane, as `agent`'s client (its own client credentials): a gateway session
 * token and its claims. `what` names the exchange in the error.
 */
async function exchangeToken(
  credentials: DemoCredentials,
  agent: string,
  subject: { token: string; type: string },
  what: string,
): Promise<{ token: string; claims: ReturnType<typeof decodeJwt> }> {
  const client = credentials.agents[agent];
  if (!client) throw new Error(`no credential for agent ${agent} in the demo credentials`);
  const res = await fetch(`${credentials.controlPlane}/oauth/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: TOKEN_EXCHANGE,
      subject_token: subject.token,
      subject_token_type: subject.type,
      client_id: client.clientId,
      client_secret: client.clientSecret,
    }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!res.ok || !body.access_token) {
    throw new Error(`${what} failed: ${body.error ?? res.status} ${body.error_description ?? ""}`);
  }
  return { token: body.access_token, claims: decodeJwt(body.access_token) };
}

/** RFC 8693: the agent exchanges the operator's token for a gateway session token. */
export async function startSession(
  credentials: DemoCredentials,
  operator: string,
  agent = "expense-report-v1",
): Promise<{ token: string; sessionId: string }> {
  const subject = { token: await operatorToken(credentials, operator), type: JWT_TYPE };
  const { token, claims } = await exchangeToken(credentials, agent, subject, `token exchange for ${operator}`);
  return { token, sessionId: String(claims.sid) };
}

/**
 * Delegation (RFC 8693, docs/tokens.md §4): `delegate` acts for the holder of a gateway session token. The subject
 * token is the delegating agent's session token; the actor is the delegate, authenticated with its own credential.
 */
export async function delegateSession(
  credentials: DemoCredentials,
  sessionToken: string,
  delegate: string,
): Promise<{ token: string; sessionId: string; parentSessionId: string }> {
  const subject = { token: sessionToken, type: ACCESS_TOKEN_TYPE };
  const { token, claims } = await exchangeToken(credentials, delegate, subject, `delegation to ${delegate}`);
  return { token, sessionId: String(claims.sid), parentSessionId: String(claims.parent_sid) };
}

/** One agent session at the gateway: MCP through the SDK, HTTP tools through fetch. */
export class GatewaySession {
  readonly sessionId: string;
  readonly #token: string;
  readonly #credentials: DemoCredentials;
  #client: Client | undefined;

  constructor(credentials: DemoCredentials, token: string, sessionId: string) {
    this.#credentials = credentials;
    this.#token = token;
    this.sessionId = sessionId;
  }

  async mcp(): Promise<Client> {
    if (this.#client) return this.#client;
    const client = new Client({ name: "expense-report-demo", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(`${this.#credentials.gateway}/mcp/default`), {
      requestInit: { headers: { authorization: `Bearer ${this.#token}` } },
    });
    await client.connect(transport);
    this.#client = client;
    return client;
  }

  async listTools(): Promise<string[]> {
    const { tools } = await (await this.mcp()).listTools();
    return tools.map((t) => t.name);
  }

  /** tools/call over MCP, as the scenario's outcome. */
  async callMcp(name: string, args: Record<string, unknown>): Promise<Observed> {
    const client = await this.mcp();
    try {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      const text = result.content
        .map((c) => (c.type === "text" ? c.text : ""))
        .join(" ")
        .trim();
      const decision = result._meta?.["portcullis/decision"] as { outcome?: string; code?: string } | undefined;
      if (decision?.outcome === "deny") return { outcome: "denied", code: decision.code ?? "denied", reason: text };
      if (result.isError) return { outcome: "error", code: "tool_error", reason: text };
      return { outcome: "allowed", code: "allowed", detail: text, ...(await this.#toolSaw(name)) };
    } catch (error) {
      if (error instanceof McpError) {
        const data = error.data as
          | { code?: string; status?: string; approval_id?: string; approve_url?: string; expires_at?: string }
          | undefined;
        if (error.code === -32602 && /Unknown tool/.test(error.message)) {
          return { outcome: "unknown_tool", code: "unknown_tool", reason: error.message };
        }
        if (error.code === -32010) {
          const approval = heldApproval(data?.approval_id, data?.approve_url, data?.expires_at);
          const code = data?.status === "pending" ? "approval_pending" : (data?.code ?? "approval_required");
          return { outcome: "held", code, reason: error.message, ...(approval ? { approval } : {}) };
        }
        return { outcome: "error", code: String(error.code), reason: error.message };
      }
      return { outcome: "error", code: "client_error", reason: (error as Error).message };
    }
  }

  /** POST /tools/{tool}/invoke, as the scenario's outcome. */
  async callHttp(name: string, args: Record<string, unknown>): Promise<Observed> {
    const res = await fetch(`${this.#credentials.gateway}/tools/${name}/invoke`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.#token}`, "content-type": "application/json" },
      body: JSON.stringify(args),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await res.json().catch(() => ({}))) as {
      report_id?: string;
      error?: {
        code?: string;
        message?: string;
        reason_code?: string;
        approval_id?: string;
        approve_url?: string;
        expires_at?: string;
      };
    };
    if (res.ok) {
      return {
        outcome: "allowed",
        code: "allowed",
        detail: `report ${body.report_id}`,
        ...(await this.#toolSaw(name)),
      };
    }
    const code = body.error?.code ?? String(res.status);
    const reason = body.error?.message ?? "";
    if (code === "denied") return { outcome: "denied", code: body.error?.reason_code ?? code, reason };
    if (code === "approval_required" || code === "approval_pending") {
      const approval = heldApproval(body.error?.approval_id, body.error?.approve_url, body.error?.expires_at);
      return { outcome: "held", code, reason, ...(approval ? { approval } : {}) };
    }
    if (code === "unknown_tool") return { outcome: "unknown_tool", code, reason };
    return { outcome: "error", code, reason };
  }

  /** What the tool server verified for this session's latest call of `tool` (it logs on loopback). */
  async #toolSaw(tool: string): Promise<{ toolSaw?: string }> {
    try {
      const res = await fetch(`${this.#credentials.toolServers}/_demo/log`, { signal: AbortSignal.timeout(5_000) });
      const { log } = (await res.json()) as { log: LogEntry[] };
      const entry = log.findLast((e) => e.tool === tool && e.session === this.sessionId && e.accepted);
      return entry?.caller ? { toolSaw: entry.caller } : {};
    } catch {
      return {};
    }
  }

  async close(): Promise<void> {
    await this.#client?.close().catch(() => {});
  }
}

function heldApproval(id?: string, approveUrl?: string, expiresAt?: string): HeldApproval | undefined {
  if (!id) return undefined;
  return { id, ...(approveUrl ? { approveUrl } : {}), ...(expiresAt ? { expiresAt } : {}) };
}

/** What a step's run gets: the session, and the walkthrough's memory of earlier steps in it. */
interface StepContext {
  /** The approval of the latest held call in this session. */
  approval?: HeldApproval;
  approve: (approval: HeldApproval) => Promise<void>;
}

interface StepSpec {
  title: string;
  tool?: string;
  args?: Record<string, unknown>;
  /** The policy that decides the call, as the scenario says. */
  policy?: string;
  expected: Outcome;
  /** The reason code the scenario implies, when it names one (any of them, for a list). */
  code?: string | readonly string[];
  /** What the tool server must have verified from the assertion, when the step says. */
  toolSaw?: string;
  requires?: Feature;
  /** False for steps the walkthrough does not drive yet: unavailable even where the gateway has the feature. */
  wired?: boolean;
  run: (s: GatewaySession, context: StepContext) => Promise<Observed>;
}

interface SessionSpec {
  label: string;
  title: string;
  operator: string;
  agent?: string;
  /** The session's agent delegates to this agent, and the steps run as the delegate (docs/tokens.md §4). */
  delegateTo?: string;
  requires?: Feature;
  steps: StepSpec[];
}

const alice = "alice@company.com";
const report = (amount: number, over: Record<string, unknown> = {}) => ({
  employee_id: alice,
  amount,
  cost_center: "eng-team-001",
  receipt_text: "CITY TAXI CO. TOTAL USD 127.50",
  ...over,
});
const receipt = { image: "receipt-2026-12-04.jpg" };
const notice = { recipient: "bob@company.com", message: "Alice filed an expense report for $127.50" };

/** A call over MCP (`via: "mcp"`) or the HTTP tool endpoint, expected to end as the scenario says. */
function call(
  via: "mcp" | "http",
  title: string,
  tool: string,
  args: Record<string, unknown>,
  expected: Outcome,
  policy?: string,
  requires?: Feature,
): StepSpec {
  // A held call: approval_pending (with an approval id) where the gateway has approvals, approval_required before.
  const codes: Partial<Record<Outcome, string | readonly string[]>> = {
    allowed: "allowed",
    denied: "denied_by_policy",
    held: ["approval_pending", "approval_required"],
  };
  const code = codes[expected];
  return {
    title,
    tool,
    args,
    expected,
    ...(code ? { code } : expected === "unknown_tool" ? { code: "unknown_tool" } : {}),
    ...(policy ? { policy } : {}),
    ...(requires ? { requires } : {}),
    run: (s) => (via === "mcp" ? s.callMcp(tool, args) : s.callHttp(tool, args)),
  };
}

const TOOLS_POLICY = "expense-agent-tools";

/** The scenario, session by session. */
export const walkthrough: readonly SessionSpec[] = [
  {
    label: "happy",
    title: "The happy path: alice starts a session for expense-report-v1",
    operator: alice,
    steps: [
      {
        title: "tools/list shows the expense tools and hides delete_expense_reports",
        expected: "listed",
        run: async (s) => {
          const names = await s.listTools();
          const wanted = ["receipt_ocr", "get_employee_cost_center", "send_notification"];
          const ok = wanted.every((n) => names.includes(n)) && !names.includes("delete_expense_reports");
          return {
            outcome: ok ? "listed" : "error",
            code: ok ? "listed" : "unexpected_list",
            detail: names.join(", "),
          };
        },
      },
      call("mcp", "receipt_ocr(receipt)", "receipt_ocr", receipt, "allowed", TOOLS_POLICY),
      call(
        "mcp",
        "get_employee_cost_center(alice)",
        "get_employee_cost_center",
        { employee_id: alice },
        "allowed",
        TOOLS_POLICY,
      ),
      call(
        "http",
        "create_expense_report(alice, $127.50, eng-team-001)",
        "create_expense_report",
        report(127.5),
        "allowed",
        TOOLS_POLICY,
      ),
      call("mcp", "send_notification(bob)", "send_notification", notice, "allowed", TOOLS_POLICY),
    ],
  },
  {
    label: "repeats",
    title: "Once per session: a new session for alice",
    operator: alice,
    steps: [
      call("mcp", "receipt_ocr", "receipt_ocr", receipt, "allowed", TOOLS_POLICY),
      call("mcp", "receipt_ocr again", "receipt_ocr", receipt, "denied", "ocr-once-per-session"),
      call("http", "create_expense_report($42.00)", "create_expense_report", report(42), "allowed", TOOLS_POLICY),
      call(
        "http",
        "create_expense_report again",
        "create_expense_report",
        report(18),
        "denied",
        "expense-once-per-session",
      ),
    ],
  },
  {
    label: "limits",
    title: "Scope and limits: another session for alice",
    operator: alice,
    steps: [
      call(
        "mcp",
        "get_employee_cost_center(bob): not the operator",
        "get_employee_cost_center",
        { employee_id: "bob@company.com" },
        "denied",
        "cost-center-self-only",
      ),
      call(
        "mcp",
        "send_notification(mallory@evil.example)",
        "send_notification",
        { ...notice, recipient: "mallory@evil.example" },
        "denied",
        "notify-manager-only",
      ),
      call(
        "mcp",
        "delete_expense_reports answers like an unknown tool",
        "delete_expense_reports",
        { employee_id: alice },
        "unknown_tool",
      ),
      call(
        "http",
        "create_expense_report($7000): above $5000",
        "create_expense_report",
        report(7000),
        "denied",
        "expense-hard-cap",
      ),
      call(
        "http",
        "create_expense_report($1200): held for bob's approval",
        "create_expense_report",
        report(1200),
        "held",
        "expense-manager-approval",
      ),
      {
        title: "bob (alice's manager) approves the held call",
        expected: "approved",
        code: "approved",
        requires: "approvals",
        run: async (_s, context) => {
          if (!context.approval) {
            return { outcome: "error", code: "no_approval", reason: "the held call named no approval to decide" };
          }
          await context.approve(context.approval);
          return { outcome: "approved", code: "approved", detail: `approval ${context.approval.id}` };
        },
      },
      call(
        "http",
        "create_expense_report($1300): the approval does not apply (bound to the exact arguments)",
        "create_expense_report",
        report(1300),
        "held",
        "expense-manager-approval",
        "approvals",
      ),
      call(
        "http",
        "create_expense_report($1200) again: the identical call goes through",
        "create_expense_report",
        report(1200),
        "allowed",
        "expense-manager-approval",
        "approvals",
      ),
      call(
        "http",
        "create_expense_report($1200) replayed: refused",
        "create_expense_report",
        report(1200),
        "denied",
        "expense-once-per-session",
        "approvals",
      ),
    ],
  },
  {
    label: "delegation",
    title: "Delegation: expense-report-v1 delegates OCR to the third-party ocr-helper-v2",
    operator: alice,
    delegateTo: "ocr-helper-v2",
    requires: "delegation",
    steps: [
      {
        title: "tools/list for ocr-helper-v2 shows receipt_ocr only",
        expected: "listed",
        run: async (s) => {
          const names = await s.listTools();
          const ok = names.length === 1 && names[0] === "receipt_ocr";
          return {
            outcome: ok ? "listed" : "error",
            code: ok ? "listed" : "unexpected_list",
            detail: names.join(", "),
          };
        },
      },
      {
        ...call(
          "mcp",
          "ocr-helper-v2 calls receipt_ocr (alice → expense-report-v1 → ocr-helper-v2)",
          "receipt_ocr",
          receipt,
          "allowed",
          "ocr-helper-delegated-ocr",
        ),
        toolSaw: `${alice}, via expense-report-v1 → ocr-helper-v2`,
      },
      call(
        "http",
        "ocr-helper-v2 calls create_expense_report: hidden from a third-party chain, answers like an unknown tool",
        "create_expense_report",
        report(60),
        "unknown_tool",
      ),
    ],
  },
  {
    label: "carol",
    title: "History is per session: carol starts her own",
    operator: "carol@company.com",
    steps: [
      call("mcp", "receipt_ocr", "receipt_ocr", receipt, "allowed", TOOLS_POLICY),
      call(
        "http",
        "create_expense_report(carol, eng-team-001): not her cost centre",
        "create_expense_report",
        { employee_id: "carol@company.com", amount: 80, cost_center: "eng-team-001", receipt_text: "Client lunch" },
        "denied",
        "expense-own-cost-center",
      ),
    ],
  },
];

/** Plays the walkthrough; never throws for a step (a step that throws fails with its message). */
export async function runWalkthrough(options: WalkthroughOptions): Promise<WalkthroughResult> {
  const { credentials } = options;
  const features = { ...(await detectFeatures(credentials.controlPlane)), ...options.features };
  const steps: StepResult[] = [];
  const sessions: Record<string, string> = {};
  let n = 0;
  const finish = (result: StepResult) => {
    steps.push(result);
    options.onStep?.(result);
  };
  for (const spec of walkthrough) {
    const sessionAvailable = !spec.requires || features[spec.requires];
    let session: GatewaySession | undefined;
    if (sessionAvailable) {
      try {
        let started: { token: string; sessionId: string } = await startSession(credentials, spec.operator, spec.agent);
        if (spec.delegateTo) {
          const delegated = await delegateSession(credentials, started.token, spec.delegateTo);
          sessions[`${spec.label}-parent`] = delegated.parentSessionId;
          started = delegated;
        }
        session = new GatewaySession(credentials, started.token, started.sessionId);
        sessions[spec.label] = started.sessionId;
        options.onSession?.(spec.label, spec.title, started.sessionId);
      } catch (error) {
        options.onSession?.(spec.label, `${spec.title}: ${(error as Error).message}`, "");
      }
    } else {
      options.onSession?.(spec.label, spec.title, "");
    }
    const context: StepContext = { approve: options.approve ?? ((a) => approveAsManager(credentials, a)) };
    for (const step of spec.steps) {
      n += 1;
      const base = {
        n,
        session: spec.label,
        title: step.title,
        expected: step.expected,
        ...(step.tool ? { tool: step.tool } : {}),
        ...(step.policy ? { policy: step.policy } : {}),
        ...(step.args ? { args: step.args } : {}),
      };
      const requires = step.requires ?? spec.requires;
      if (requires && (!features[requires] || step.wired === false)) {
        finish({ ...base, requires, status: options.strict ? "fail" : "unavailable" });
        continue;
      }
      if (!session) {
        finish({ ...base, status: "fail", observed: { outcome: "error", code: "no_session" } });
        continue;
      }
      let observed: Observed;
      try {
        observed = await step.run(session, context);
      } catch (error) {
        observed = { outcome: "error", code: "client_error", reason: (error as Error).message };
      }
      if (observed.approval) context.approval = observed.approval;
      const codes = step.code === undefined ? undefined : typeof step.code === "string" ? [step.code] : step.code;
      const pass =
        observed.outcome === step.expected &&
        (codes === undefined || codes.includes(observed.code ?? "")) &&
        (step.toolSaw === undefined || observed.toolSaw === step.toolSaw);
      finish({ ...base, status: pass ? "pass" : "fail", observed, sessionId: session.sessionId });
    }
    await session?.close();
  }
  return { steps, sessions, ok: steps.every((s) => s.status !== "fail") };
}

/** The operator's manager in the demo: bob, who approves alice's expense reports above $500. */
export const DEMO_APPROVER = "bob@company.com";

/**
 * Signs in to the control plane's REST API with a console login from the demo credentials; returns a JSON caller
 * that throws on any non-2xx answer with the API's error code and message.
 */
export async function consoleApi(
  credentials: DemoCredentials,
  email: string,
): Promise<(method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>> {
  const login = credentials.console.users.find((u) => u.email === email);
  if (!login) throw new Error(`no console login for ${email} in the demo credentials`);
  const res = await fetch(`${credentials.controlPlane}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: login.password }),
    signal: AbortSignal.timeout(15_000),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${email} answered ${res.status}`);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return async (method, path, body) => {
    const answer = await fetch(`${credentials.controlPlane}${path}`, {
      method,
      headers: { cookie, "x-csrf-token": csrfToken, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
    const json = (await answer.json().catch(() => ({}))) as Record<string, unknown>;
    if (answer.status >= 300) {
      const error = json.error as { code?: string; message?: string } | undefined;
      throw new Error(`${method} ${path} answered ${answer.status} ${error?.code ?? ""}: ${error?.message ?? ""}`);
    }
    return json;
  };
}

/** Bob approves a held call through the REST API (docs/approvals.md), as a scripted approver would. */
export async function approveAsManager(credentials: DemoCredentials, approval: HeldApproval): Promise<void> {
  const api = await consoleApi(credentials, DEMO_APPROVER);
  await api("POST", `/api/v1/approvals/${approval.id}/decision`, {
    decision: "approve",
    comment: "approved by the expense-report walkthrough (PORTCULLIS_DEMO_APPROVE=auto)",
  });
}

/** Waits until someone decided the approval (read as bob through the API); the status it ended in. */
export async function waitForDecision(
  credentials: DemoCredentials,
  approval: HeldApproval,
  options: { timeoutMs: number; intervalMs?: number },
): Promise<string> {
  const api = await consoleApi(credentials, DEMO_APPROVER);
  const until = Date.now() + options.timeoutMs;
  for (;;) {
    const { status } = (await api("GET", `/api/v1/approvals/${approval.id}`)) as { status?: string };
    if (status !== "pending" || Date.now() > until) return String(status);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 1_000));
  }
}
