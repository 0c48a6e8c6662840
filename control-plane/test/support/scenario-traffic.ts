// Scenario traffic for tests that read the audit trail: the expense-report cast registered through the REST API
// (issuer, operator, agent, upstream, tools, the scenario's policies), a real data-plane node enrolled with a
// bootstrap token and run in-process, and real tool calls through it with a session token from the token
// exchange. The node signs, chains and ships its audit batches over gRPC; this waits until the control plane
// has stored every decision, so callers read audit data produced by the real ingest path.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { type RunningDataPlane, runDataPlane } from "@portcullis/data-plane";
import { LocalIssuer } from "../local-issuer.ts";
import { until } from "../processes.ts";
import { type Api, registerExpenseCast } from "./expense-cast.ts";

export interface ScenarioCall {
  tool: string;
  status: number;
  decisionId: string;
}

export interface ScenarioSession {
  id: string;
  calls: ScenarioCall[];
}

export interface ScenarioTraffic {
  /** Alice's session: cost centre (allowed), someone else's cost centre (denied), a report, a second report (denied). */
  main: ScenarioSession;
  /** A second session: a report over Alice's delegation limit (held for approval). */
  approval: ScenarioSession;
  dataPlane: RunningDataPlane;
  close(): Promise<void>;
}

export async function runScenarioTraffic(options: {
  cpUrl: string;
  grpcAddress: string;
  /** An admin API token. */
  apiToken: string;
  /** A fresh directory for the node's identity and spool. */
  workDir: string;
}): Promise<ScenarioTraffic> {
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const f of cleanups.reverse()) await f().catch(() => {});
  };
  try {
    const api: Api = async (method, p, body) => {
      const res = await fetch(`${options.cpUrl}${p}`, {
        method,
        headers: { authorization: `Bearer ${options.apiToken}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await res.json()) as Awaited<ReturnType<Api>>;
      if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };

    const issuer = await (await LocalIssuer.create("https://idp.company.test", "ES256")).serve();
    cleanups.push(() => issuer.close());
    const upstreamUrl = await financeApi(cleanups);
    const { credential } = await registerExpenseCast(api, {
      issuer,
      upstream: { name: "finance", url: upstreamUrl },
      tools: [
        { name: "get_employee_cost_center", path: "/cost-center" },
        { name: "create_expense_report", path: "/reports", sensitive: true },
      ],
    });

    const groups = await api("GET", "/api/v1/gateway-groups");
    const issued = await api("POST", `/api/v1/gateway-groups/${groups.items[0].id}/bootstrap-tokens`, {});
    const dataPlane = await runDataPlane([], {
      env: {
        PORTCULLIS_CP_GRPC: options.grpcAddress,
        PORTCULLIS_DP_HTTP: "127.0.0.1:0",
        PORTCULLIS_DP_DATA_DIR: path.join(options.workDir, "dp"),
        PORTCULLIS_DP_NAME: "scenario-node",
        PORTCULLIS_BOOTSTRAP_TOKEN: issued.token,
        PORTCULLIS_DP_HEARTBEAT_SECONDS: "1",
        PORTCULLIS_DP_DRAIN_SECONDS: "2",
        PORTCULLIS_LOG_LEVEL: process.env.PORTCULLIS_TEST_LOG ?? "silent",
      },
      nodeOverrides: { backoff: { baseMs: 100, capMs: 1000 } },
    });
    cleanups.push(() => dataPlane.close());
    await until("the scenario node to be in sync", async () => {
      const nodes = await api("GET", "/api/v1/nodes");
      return nodes.items.some((n: { inSync: boolean; online: boolean }) => n.inSync && n.online) ? true : undefined;
    });

    const startSession = async () => {
      const form = new URLSearchParams({
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: await issuer.token("alice@company.com", { email: "alice@company.com" }),
        subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
        client_id: credential.clientId,
        client_secret: credential.clientSecret,
      });
      const res = await fetch(`${options.cpUrl}/oauth/token`, { method: "POST", body: form });
      const body = (await res.json()) as { access_token: string };
      if (res.status !== 200) throw new Error(`token exchange: ${res.status} ${JSON.stringify(body)}`);
      const sid = JSON.parse(Buffer.from(body.access_token.split(".")[1] as string, "base64url").toString())
        .sid as string;
      const session: ScenarioSession = { id: sid, calls: [] };
      const call = async (tool: string, args: Record<string, unknown>) => {
        const r = await fetch(`http://${dataPlane.httpAddress}/tools/${tool}/invoke`, {
          method: "POST",
          headers: { authorization: `Bearer ${body.access_token}`, "content-type": "application/json" },
          body: JSON.stringify(args),
        });
        await r.arrayBuffer();
        session.calls.push({ tool, status: r.status, decisionId: r.headers.get("portcullis-decision-id") ?? "" });
      };
      return { session, call };
    };

    const report = {
      employee_id: "alice@company.com",
      amount: 127.5,
      cost_center: "eng-team-001",
      receipt_text: "Taxi",
    };
    const main = await startSession();
    await main.call("get_employee_cost_center", { employee_id: "alice@company.com" });
    await main.call("get_employee_cost_center", { employee_id: "bob@company.com" });
    await main.call("create_expense_report", report);
    await main.call("create_expense_report", { ...report, amount: 10 });
    const held = await startSession();
    await held.call("create_expense_report", { ...report, amount: 900 });

    // Every decision stored by the control plane (shipped in signed batches over gRPC).
    for (const s of [main.session, held.session]) {
      await until(`the audit events of ${s.id}`, async () => {
        const page = await api("GET", `/api/v1/audit/events?session=${s.id}`);
        return page.items.length >= s.calls.length ? true : undefined;
      });
    }
    return { main: main.session, approval: held.session, dataPlane, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The finance API behind the gateway: a real HTTP server answering the two tools. */
async function financeApi(cleanups: (() => Promise<void>)[]): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const body = req.url === "/reports" ? { report_id: "rep_1" } : { cost_center: "eng-team-001" };
      res.writeHead(req.url === "/reports" ? 201 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(() => new Promise((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
