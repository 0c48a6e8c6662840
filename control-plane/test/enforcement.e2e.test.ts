// Enforcement across the two planes, as real processes: an operator's token is exchanged at the control plane
// for a session token; the control plane is then killed with SIGKILL, and the data-plane node keeps enforcing
// its last snapshot on real HTTP tool calls (an allowed call reaches the tool with a verifiable gateway
// assertion; the second call of a once-per-session tool is denied). When the control plane comes back, both
// decisions arrive in the audit trail exactly once and `audit verify` passes.

import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLocalJWKSet, type JWK, jwtVerify } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { createServerDatabase, testDbKind } from "./harness.ts";
import { LocalIssuer } from "./local-issuer.ts";
import { freePort, getJson, processGroup, signIn, until } from "./processes.ts";
import { registerExpenseCast } from "./support/expense-cast.ts";

const root = mkdtempSync(path.join(tmpdir(), "pc-enforce-"));
const procs = processGroup();
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  procs.killAll();
  for (const f of cleanups.reverse()) await f().catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

/** The accounting API: a real HTTP server that records what reaches it. */
async function accountingApi() {
  const received: { headers: IncomingHttpHeaders; body: string; url: string }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body, url: req.url ?? "" });
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify({ report_id: `rep_${received.length}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(() => new Promise((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

describe("R01: the node enforces its last snapshot while the control plane is down", () => {
  it("allows, denies and audits real tool calls with the control plane killed", { timeout: 180_000 }, async () => {
    const issuer = await (await LocalIssuer.create("https://idp.company.test", "ES256")).serve();
    cleanups.push(() => issuer.close());
    const accounting = await accountingApi();
    const env: Record<string, string> = {
      PORTCULLIS_DATA_DIR: path.join(root, "cp"),
      PORTCULLIS_CP_HTTP: `127.0.0.1:${await freePort()}`,
      PORTCULLIS_CP_GRPC: `127.0.0.1:${await freePort()}`,
      PORTCULLIS_ADMIN_PASSWORD: "enforcement-test-password",
      PORTCULLIS_SECRET_KEY: Buffer.alloc(32, 6).toString("base64"),
    };
    if (testDbKind() === "postgres") {
      const db = await createServerDatabase();
      cleanups.push(db.drop);
      env.DATABASE_URL = db.url;
    }
    const cpUrl = `http://${env.PORTCULLIS_CP_HTTP}`;
    const startCp = async () => {
      const p = procs.spawn(["cp"], env);
      await until("the control plane", async () =>
        (await getJson(`${cpUrl}/readyz`))?.status === 200 ? true : undefined,
      );
      return p;
    };
    let cp = await startCp();
    const adminSignIn = () => signIn(cpUrl, "admin@portcullis.local", env.PORTCULLIS_ADMIN_PASSWORD as string);
    let api = await adminSignIn();

    // The directory, the agent, the tool and the scenario's policies.
    const { credential, upstream } = await registerExpenseCast(api, {
      issuer,
      upstream: { name: "accounting", url: accounting.url },
      tools: [{ name: "create_expense_report", path: "/reports", sensitive: true }],
    });

    // A node, enrolled and in sync.
    const groups = await api("GET", "/api/v1/gateway-groups");
    const issued = await api("POST", `/api/v1/gateway-groups/${groups.items[0].id}/bootstrap-tokens`, {});
    const dpHttp = `127.0.0.1:${await freePort()}`;
    procs.spawn(["dp"], {
      PORTCULLIS_CP_GRPC: env.PORTCULLIS_CP_GRPC as string,
      PORTCULLIS_DP_HTTP: dpHttp,
      PORTCULLIS_DP_DATA_DIR: path.join(root, "dp"),
      PORTCULLIS_BOOTSTRAP_TOKEN: issued.token,
      PORTCULLIS_DP_HEARTBEAT_SECONDS: "1",
    });
    await until("the node to be in sync", async () => {
      const nodes = await api("GET", "/api/v1/nodes");
      return nodes.items.some((n: { inSync: boolean }) => n.inSync) ? true : undefined;
    });

    // Alice starts a session for the agent: RFC 8693 token exchange at the control plane.
    const form = new URLSearchParams({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: await issuer.token("alice@company.com", { email: "alice@company.com" }),
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      client_id: credential.clientId,
      client_secret: credential.clientSecret,
    });
    const exchanged = await fetch(`${cpUrl}/oauth/token`, { method: "POST", body: form });
    const session = (await exchanged.json()) as { access_token: string };
    expect(exchanged.status, JSON.stringify(session)).toBe(200);
    const jwks = (await (await fetch(`${cpUrl}/.well-known/jwks.json`)).json()) as { keys: JWK[] };

    // The control plane dies.
    cp.child.kill("SIGKILL");
    await cp.exited;

    const invoke = (args: Record<string, unknown>) =>
      fetch(`http://${dpHttp}/tools/create_expense_report/invoke`, {
        method: "POST",
        headers: { authorization: `Bearer ${session.access_token}`, "content-type": "application/json" },
        body: JSON.stringify(args),
      });
    const report = {
      employee_id: "alice@company.com",
      amount: 127.5,
      cost_center: "eng-team-001",
      receipt_text: "Taxi 127.50",
    };
    const first = await invoke(report);
    expect(first.status, await first.clone().text()).toBe(201);
    const decisionId = first.headers.get("portcullis-decision-id");
    expect(accounting.received).toHaveLength(1);
    const delivered = accounting.received[0] as (typeof accounting.received)[number];
    expect(JSON.parse(delivered.body)).toEqual(report);
    expect(delivered.headers.authorization).not.toContain(session.access_token);
    const assertion = delivered.headers["portcullis-assertion"] as string;
    const { payload } = await jwtVerify(assertion, createLocalJWKSet(jwks), {
      audience: upstream.id,
      algorithms: ["EdDSA"],
    });
    expect(payload).toMatchObject({
      sub: "alice@company.com",
      act: { name: "expense-report-v1" },
      tool: "create_expense_report",
      decision_id: decisionId,
    });

    const second = await invoke({ ...report, amount: 10 });
    expect(second.status).toBe(403);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe("denied");
    expect(accounting.received).toHaveLength(1);

    // The control plane comes back; both decisions reach the audit trail exactly once and verify.
    cp = await startCp();
    api = await adminSignIn();
    const sid = JSON.parse(Buffer.from(session.access_token.split(".")[1] as string, "base64url").toString())
      .sid as string;
    const verified = await until("the audit events", async () => {
      const v = await api("GET", "/api/v1/audit/verify");
      return v.events >= 2 ? v : undefined;
    });
    expect(verified).toMatchObject({ ok: true, problems: [] });
    // Exactly once: nothing else arrives later (the only decisions in this system are these two).
    await new Promise((r) => setTimeout(r, 2000));
    expect(await api("GET", "/api/v1/audit/verify")).toMatchObject({ ok: true, events: 2 });
    const sessionView = await api("GET", `/api/v1/sessions/${sid}`);
    expect(sessionView).toMatchObject({ id: sid, operatorSub: "alice@company.com" });
  });
});
