// A2A through the gateway with real processes: the control plane and a data-plane node are spawned from the CLI, a
// real A2A agent built with the official SDK (@a2a-js/sdk) is registered as an `a2a` upstream through the API, and
// the SDK's client talks to it through the node with a session token from the control plane's token exchange.
// Covered: the card rewritten to the gateway and its signature verified against the control plane's JWKS, an
// allowed send, a denied method (the A2A error shape), streaming, another session's task refused (T17), a push
// notification URL to a private address refused (T13), and the decisions in the verified audit trail.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type AgentCard, Role, type StreamResponse, type Task, TaskState, verifyAgentCardSignature } from "@a2a-js/sdk";
import { ClientFactory, JsonRpcTransportFactory } from "@a2a-js/sdk/client";
import { createLocalJWKSet, type JWK, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestA2aAgent, type TestA2aAgent } from "../../data-plane/test/test-a2a-agent.ts";
import { createServerDatabase, testDbKind } from "./harness.ts";
import { LocalIssuer } from "./local-issuer.ts";
import { adminApi, freePort, getJson, processGroup, until } from "./processes.ts";
import { exchangeForSession } from "./support/expense-cast.ts";

const root = mkdtempSync(path.join(tmpdir(), "pc-a2a-"));
const procs = processGroup();
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  procs.killAll();
  for (const f of cleanups.reverse()) await f().catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

const sdkMessage = (text: string) => ({
  messageId: randomUUID(),
  role: Role.ROLE_USER,
  parts: [{ content: { $case: "text" as const, value: text } }],
});

describe("A2A through the gateway (real control plane, node and agent)", { timeout: 180_000 }, () => {
  let cpUrl = "";
  let gateway = "";
  let agent: TestA2aAgent;
  let upstreamId = "";
  let alice = "";
  let carol = "";
  let api: (method: string, p: string, body?: unknown) => Promise<Record<string, any>>;

  beforeAll(async () => {
    const issuer = await (await LocalIssuer.create("https://idp.company.test", "ES256")).serve();
    cleanups.push(() => issuer.close());
    agent = await startTestA2aAgent({ name: "Travel agent" });
    cleanups.push(() => agent.close());
    const env: Record<string, string> = {
      PORTCULLIS_DATA_DIR: path.join(root, "cp"),
      PORTCULLIS_CP_HTTP: `127.0.0.1:${await freePort()}`,
      PORTCULLIS_CP_GRPC: `127.0.0.1:${await freePort()}`,
      PORTCULLIS_ADMIN_PASSWORD: "a2a-test-password",
      PORTCULLIS_SECRET_KEY: Buffer.alloc(32, 9).toString("base64"),
    };
    if (testDbKind() === "postgres") {
      const db = await createServerDatabase();
      cleanups.push(db.drop);
      env.DATABASE_URL = db.url;
    }
    cpUrl = `http://${env.PORTCULLIS_CP_HTTP}`;
    procs.spawn(["cp"], env);
    await until("the control plane", async () =>
      (await getJson(`${cpUrl}/readyz`))?.status === 200 ? true : undefined,
    );
    api = await adminApi(cpUrl, env.PORTCULLIS_ADMIN_PASSWORD as string);

    await api("POST", "/api/v1/trusted-issuers", {
      name: "company-idp",
      issuer: issuer.issuer,
      staticJwks: issuer.jwks(),
    });
    for (const who of ["alice@company.com", "carol@company.com"]) {
      await api("POST", "/api/v1/operators", { subject: who, email: who, department: "engineering" });
    }
    const registered = await api("POST", "/api/v1/agents", {
      name: "expense-report-v1",
      owner: "finance-platform",
      trust: "first_party",
    });
    const credential = await api("POST", `/api/v1/agents/${registered.id}/credentials`, {});
    const upstream = await api("POST", "/api/v1/upstreams", {
      name: "travel",
      kind: "a2a",
      url: `${agent.url}/a2a/jsonrpc`,
    });
    upstreamId = upstream.id;
    await api("POST", "/api/v1/policies", {
      name: "a2a-travel",
      description: "the expense agent may send messages to the travel agent and manage its own tasks",
      target: {
        agents: ["expense-report-v1"],
        tools: [
          "travel/a2a:SendMessage",
          "travel/a2a:SendStreamingMessage",
          "travel/a2a:GetTask",
          "travel/a2a:CancelTask",
          "travel/a2a:CreateTaskPushNotificationConfig",
        ],
      },
      effect: "allow",
      condition: 'operator.department == "engineering"',
    });

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
    gateway = `http://${dpHttp}`;
    await until("the node to be in sync", async () => {
      const nodes = await api("GET", "/api/v1/nodes");
      return nodes.items.some((n: { inSync: boolean }) => n.inSync) ? true : undefined;
    });

    const exchange = (who: string) => exchangeForSession(cpUrl, issuer, credential, who);
    alice = await exchange("alice@company.com");
    carol = await exchange("carol@company.com");
  }, 180_000);

  const client = (token: string) => {
    const authFetch: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set("authorization", `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    };
    return new ClientFactory({ transports: [new JsonRpcTransportFactory({ fetchImpl: authFetch })] }).createFromUrl(
      `${gateway}/a2a/travel/`,
    );
  };
  const rpc = async (token: string, method: string, params: unknown) => {
    const res = await fetch(`${gateway}/a2a/travel`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "a2a-version": "1.0" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 7, method, params }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const forwarded = () => agent.received.filter((r) => r.method === "POST").length;

  it("serves the card rewritten to the gateway, its signature verifiable against the control plane's JWKS", async () => {
    const card = (await (await fetch(`${gateway}/a2a/travel/.well-known/agent-card.json`)).json()) as AgentCard;
    expect(card.supportedInterfaces.map((i) => i.url)).toEqual([`${gateway}/a2a/travel`, `${gateway}/a2a/travel`]);
    expect(JSON.stringify(card)).not.toContain(agent.url);
    expect(JSON.stringify(card.securitySchemes)).toContain(`${cpUrl}/oauth/token`);
    const jwks = createLocalJWKSet((await (await fetch(`${cpUrl}/.well-known/jwks.json`)).json()) as { keys: JWK[] });
    await verifyAgentCardSignature(async (kid, jku) => {
      expect(jku).toBe(`${cpUrl}/.well-known/jwks.json`);
      return jwks({ alg: "EdDSA", kid });
    })(card);
  });

  it("an allowed send reaches the agent with an assertion verifiable against the JWKS", async () => {
    const before = forwarded();
    const task = (await (await client(alice)).sendMessage({ message: sdkMessage("book a train") } as never)) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(task.artifacts[0]?.parts[0]?.content).toEqual({ $case: "text", value: "echo: book a train" });
    expect(forwarded()).toBe(before + 1);
    const headers = agent.received.at(-1)?.headers ?? {};
    expect(JSON.stringify(headers)).not.toContain(alice);
    const jwks = createLocalJWKSet((await (await fetch(`${cpUrl}/.well-known/jwks.json`)).json()) as { keys: JWK[] });
    const { payload } = await jwtVerify(String(headers["portcullis-assertion"]), jwks, { audience: upstreamId });
    expect(payload).toMatchObject({ sub: "alice@company.com", tool: "a2a:SendMessage" });
  });

  it("a denied method is refused with the A2A error shape and never reaches the agent", async () => {
    const before = forwarded();
    const { status, body } = await rpc(alice, "ListTasks", {});
    expect(status).toBe(200);
    expect(body).toMatchObject({ jsonrpc: "2.0", id: 7, error: { code: -31403, data: { code: expect.any(String) } } });
    await expect((await client(alice)).getTask({ id: randomUUID() } as never)).rejects.toThrow(/Task not found/);
    expect(forwarded()).toBe(before);
  });

  it("streams a message's events through the gateway", async () => {
    const events: StreamResponse[] = [];
    for await (const e of (await client(alice)).sendMessageStream({ message: sdkMessage("stream") } as never)) {
      events.push(e);
    }
    expect(events[0]?.payload?.$case).toBe("task");
    const last = events.at(-1)?.payload;
    expect(last?.$case === "statusUpdate" && last.value.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
  });

  it("T17: another session's task is refused exactly like an unknown one; its owner reads it", async () => {
    const created = await rpc(alice, "SendMessage", {
      message: { messageId: randomUUID(), role: "ROLE_USER", parts: [{ text: "mine" }] },
    });
    const taskId = created.body.result.task.id as string;
    const before = forwarded();
    for (const method of ["GetTask", "CancelTask"]) {
      const refused = await rpc(carol, method, { id: taskId });
      expect(refused.body.error).toEqual({ code: -31404, message: "Task not found" });
    }
    expect(forwarded()).toBe(before);
    const mine = await rpc(alice, "GetTask", { id: taskId });
    expect(mine.body.result).toMatchObject({ id: taskId });
  });

  it("T13: a push notification URL to a private address is refused (400) and not forwarded", async () => {
    const created = await rpc(alice, "SendMessage", {
      message: { messageId: randomUUID(), role: "ROLE_USER", parts: [{ text: "push" }] },
    });
    const taskId = created.body.result.task.id as string;
    const before = forwarded();
    const refused = await rpc(alice, "CreateTaskPushNotificationConfig", { taskId, url: "http://10.0.0.5/hook" });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe(-31405);
    const metadata = await rpc(alice, "CreateTaskPushNotificationConfig", { taskId, url: "http://169.254.169.254/" });
    expect(metadata.status).toBe(400);
    expect(forwarded()).toBe(before);
  });

  it("every decision (11: allowed, denied, refused tasks and push URLs) reaches the control plane's verified audit trail", async () => {
    const verified = await until("the audit events", async () => {
      const v = await api("GET", "/api/v1/audit/verify");
      return v.events >= 11 ? v : undefined;
    });
    expect(verified).toMatchObject({ ok: true, problems: [] });
  });
});
