// /a2a/{upstream} end to end against a real DP and real A2A agents built with the official SDK (@a2a-js/sdk), with
// the SDK's client where a client is needed: the re-signed card, calls decided by policy as `a2a:{V1Method}` and
// forwarded with the assertion, SSE streaming, v0.3 method names, per-task authorization and the security
// catalogue's A2A cases (T13 push URLs and card trust, T17 other sessions' tasks and tenant spoofing).
import { randomUUID } from "node:crypto";
import { type AgentCard, Role, type StreamResponse, type Task, TaskState, verifyAgentCardSignature } from "@a2a-js/sdk";
import { ClientFactory, JsonRpcTransportFactory } from "@a2a-js/sdk/client";
import { importJWK, jwtVerify } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { A2A_UPSTREAMS, A2aWorld } from "../../test/a2a-fixture.ts";
import { waitFor } from "../../test/fixtures.ts";
import { ALICE, CAROL, newSessionId } from "../../test/http-tools-fixture.ts";
import { ASSERTION_TYP } from "../assertions/mint-assertion.ts";
import { A2A_RPC } from "./a2a-endpoint.ts";

const textMessage = (text: string, extra: Record<string, unknown> = {}) => ({
  messageId: randomUUID(),
  role: "ROLE_USER",
  parts: [{ text }],
  ...extra,
});

/** The same message as the SDK's client takes it (its own typed form, serialized to the wire by the SDK). */
const sdkMessage = (text: string) => ({
  messageId: randomUUID(),
  role: Role.ROLE_USER,
  parts: [{ content: { $case: "text" as const, value: text } }],
});

describe("A2A agents at /a2a/{upstream}", () => {
  let world: A2aWorld;
  beforeAll(async () => {
    world = await A2aWorld.start({ PORTCULLIS_DP_A2A_PUSH_ALLOW: "127.0.0.1/32" });
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });
  beforeEach(() => world.resetAgents());

  async function sdkClient(token: string, name = "travel") {
    const authFetch: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set("authorization", `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    };
    const factory = new ClientFactory({ transports: [new JsonRpcTransportFactory({ fetchImpl: authFetch })] });
    // The card is at {base}/.well-known/agent-card.json: the base URL ends with a slash.
    return factory.createFromUrl(`${world.url(name)}/`);
  }

  const errorOf = (body: Record<string, unknown>) => body.error as { code: number; message: string; data?: unknown };
  const jsonRpcCalls = (agent = world.travel) => agent.received.filter((r) => r.method === "POST");

  it("serves the agent's card rewritten to the gateway and signed by the node: verifiable with its JWKS key, no upstream address or security left", async () => {
    const response = await fetch(`${world.url()}/.well-known/agent-card.json`);
    expect(response.status).toBe(200);
    const card = (await response.json()) as AgentCard & Record<string, unknown>;
    expect(card.name).toBe("Travel agent");
    expect(card.supportedInterfaces).toEqual([
      { url: world.url(), protocolBinding: "JSONRPC", protocolVersion: "1.0" },
      { url: world.url(), protocolBinding: "JSONRPC", protocolVersion: "0.3" },
    ]);
    expect(JSON.stringify(card)).not.toContain(world.travel.url);
    expect(card.securitySchemes).toEqual({
      portcullis: {
        oauth2SecurityScheme: expect.objectContaining({
          flows: { clientCredentials: { tokenUrl: `${world.cp.issuer}/oauth/token` } },
        }),
      },
    });
    expect(card.signatures).toHaveLength(1);
    const node = world.node;
    let askedFor: { kid: string; jku: string | undefined } | undefined;
    await verifyAgentCardSignature(async (kid, jku) => {
      askedFor = { kid, jku };
      return { ...node.identity.assertion.publicJwk, kid };
    })(card);
    expect(askedFor).toEqual({ kid: node.identity.assertion.kid, jku: `${world.cp.issuer}/.well-known/jwks.json` });
    // A card changed after the gateway signed it no longer verifies (the SDK logs the failed entry at debug level).
    vi.spyOn(console, "debug").mockImplementation(() => {});
    await expect(
      verifyAgentCardSignature(async () => node.identity.assertion.publicJwk)({ ...card, name: "Evil agent" }),
    ).rejects.toThrow();
    vi.restoreAllMocks();
  });

  it("the SDK client sends a message through the gateway: allowed as a2a:SendMessage, forwarded with a valid assertion and never the caller's token, audited", async () => {
    const sid = newSessionId();
    const token = await world.token({ sid });
    const client = await sdkClient(token);
    const result = (await client.sendMessage({ message: sdkMessage("hello") } as never)) as Task;
    expect(result.id).toEqual(expect.any(String));
    expect(result.artifacts[0]?.parts[0]?.content).toEqual({ $case: "text", value: "echo: hello" });

    const calls = jsonRpcCalls();
    expect(calls).toHaveLength(1);
    const headers = calls[0]?.headers ?? {};
    expect(JSON.stringify(headers)).not.toContain(token);
    const assertion = String(headers["portcullis-assertion"]);
    expect(headers.authorization).toBe(`Bearer ${assertion}`);
    const key = await importJWK(world.node.identity.assertion.publicJwk, "EdDSA");
    const { payload } = await jwtVerify(assertion, key, {
      issuer: world.node.identity.issuer,
      audience: A2A_UPSTREAMS.travel,
      typ: ASSERTION_TYP,
    });
    expect(payload).toMatchObject({ sub: ALICE, sid, tool: "a2a:SendMessage", act: { name: "expense-report-v1" } });
    const [record] = await world.audit((r) => r.id === payload.decision_id);
    expect(record).toMatchObject({ protocol: "a2a", tool: "a2a:SendMessage", outcome: "ok", decision: "allow" });
  });

  it("streams SendStreamingMessage through as SSE, event by event", async () => {
    const client = await sdkClient(await world.token());
    const events: StreamResponse[] = [];
    for await (const event of client.sendMessageStream({ message: sdkMessage("stream me") } as never)) {
      events.push(event);
    }
    const kinds = events.map((e) => e.payload?.$case);
    expect(kinds[0]).toBe("task");
    expect(kinds).toContain("artifactUpdate");
    const last = events.at(-1)?.payload;
    expect(last?.$case === "statusUpdate" && last.value.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    await world.audit((r) => r.tool === "a2a:SendStreamingMessage" && r.outcome === "ok");
  });

  it("a method no policy allows is refused with the A2A error shape and never forwarded", async () => {
    const { status, body } = await world.rpc("GetExtendedAgentCard", {});
    expect(status).toBe(200);
    expect(body).toMatchObject({ jsonrpc: "2.0", id: 1 });
    expect(errorOf(body).code).toBe(A2A_RPC.denied);
    expect(errorOf(body).data).toMatchObject({ decision_id: expect.any(String) });
    // v0.3 name, same policy name.
    const legacy = await world.rpc("agent/getAuthenticatedExtendedCard", {});
    expect(errorOf(legacy.body).code).toBe(A2A_RPC.denied);
    expect(jsonRpcCalls()).toHaveLength(0);
    await world.audit((r) => r.tool === "a2a:GetExtendedAgentCard" && r.outcome === "denied");
    // An unknown method is not forwarded either.
    const unknown = await world.rpc("tasks/explode", {});
    expect(errorOf(unknown.body).code).toBe(-32601);
    expect(jsonRpcCalls()).toHaveLength(0);
  });

  it("the SDK client is refused with the gateway's A2A error when policy denies", async () => {
    const client = await sdkClient(await world.token());
    await expect(client.getTask({ id: "whatever" } as never)).rejects.toThrow(/Task not found/);
    expect(jsonRpcCalls()).toHaveLength(0);
  });

  it("v0.3 method names are decided under their v1.0 policy name and forwarded unchanged", async () => {
    const { body } = await world.rpc("message/send", {
      message: { kind: "message", messageId: randomUUID(), role: "user", parts: [{ kind: "text", text: "legacy" }] },
    });
    expect(body.result).toMatchObject({ kind: "task" });
    expect(jsonRpcCalls().map((c) => (c.body as { method?: string }).method)).toEqual(["message/send"]);
    await world.audit((r) => r.tool === "a2a:SendMessage" && (r.args_sha256 as string) !== undefined);
  });

  it("requires a gateway session token", async () => {
    const none = await world.rpc("SendMessage", { message: textMessage("x") }, { token: null });
    expect(none.status).toBe(401);
    expect(errorOf(none.body).code).toBe(A2A_RPC.unauthorized);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const agentOnly = await world.rpc(
      "SendMessage",
      { message: textMessage("x") },
      {
        token: await world.token({ session: false }),
      },
    );
    expect(agentOnly.status).toBe(401);
    expect(jsonRpcCalls()).toHaveLength(0);
  });

  it("the gateway group's rate limits apply to A2A methods by their policy name: 429, Retry-After, not forwarded", async () => {
    const erin = "erin@company.com";
    const token = await world.token({ sid: newSessionId(), sub: erin, op: { email: erin } });
    const created = await world.rpc("SendMessage", { message: textMessage("limits") }, { token });
    const taskId = (created.body.result as { task: { id: string } }).task.id;
    world.resetAgents();
    for (let i = 0; i < 2; i++) {
      const r = await world.rpc("GetTaskPushNotificationConfig", { taskId, id: "none" }, { token });
      expect(r.status).toBe(200);
    }
    expect(jsonRpcCalls()).toHaveLength(2);
    const limited = await world.rpc("tasks/pushNotificationConfig/get", { id: taskId }, { token });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(errorOf(limited.body)).toMatchObject({ code: A2A_RPC.rateLimited, data: { scope: "tool_per_operator" } });
    expect(jsonRpcCalls()).toHaveLength(2);
    await world.audit((r) => r.outcome === "rate_limited" && r.tool === "a2a:GetTaskPushNotificationConfig");
  });

  describe("T17: tasks belong to the session that created them", () => {
    it("T17: another session cannot get, cancel, resubscribe to, continue or configure pushes for a task; the owner can; an unknown task answers the same", async () => {
      const ownerToken = await world.token({ sid: newSessionId() });
      const created = await world.rpc(
        "SendMessage",
        { message: textMessage("slow task"), configuration: { returnImmediately: true } },
        { token: ownerToken },
      );
      const taskId = (created.body.result as { task: { id: string; contextId: string } }).task.id;
      const contextId = (created.body.result as { task: { contextId: string } }).task.contextId;
      world.resetAgents();

      const other = await world.token({ sid: newSessionId(), sub: CAROL, op: { email: CAROL } });
      const refusals = [
        await world.rpc("GetTask", { id: taskId }, { token: other }),
        await world.rpc("CancelTask", { id: taskId }, { token: other }),
        await world.rpc("SubscribeToTask", { id: taskId }, { token: other }),
        await world.rpc("tasks/get", { id: taskId }, { token: other }),
        await world.rpc("SendMessage", { message: textMessage("hijack", { taskId }) }, { token: other }),
        await world.rpc("SendMessage", { message: textMessage("join", { contextId }) }, { token: other }),
        await world.rpc(
          "CreateTaskPushNotificationConfig",
          { taskId, url: "http://127.0.0.1:9/hook" },
          { token: other },
        ),
      ];
      const unknown = await world.rpc("GetTask", { id: randomUUID() }, { token: other });
      for (const r of [...refusals, unknown]) {
        expect(r.status).toBe(200);
        expect(errorOf(r.body)).toEqual({ code: A2A_RPC.taskNotFound, message: "Task not found" });
      }
      expect(jsonRpcCalls()).toHaveLength(0);
      await world.audit((r) => r.code === "task_not_found" && r.operator === CAROL);

      // The owner reads and cancels it.
      const got = await world.rpc("GetTask", { id: taskId }, { token: ownerToken });
      expect(got.body.result).toMatchObject({ id: taskId });
      const cancelled = await world.rpc("CancelTask", { id: taskId }, { token: ownerToken });
      expect(cancelled.body.error).toBeUndefined();
      await waitFor("cancelled", async () => {
        const r = await world.rpc("GetTask", { id: taskId }, { token: ownerToken });
        return JSON.stringify(r.body).includes("TASK_STATE_CANCELED");
      });
    });

    it("T17: ListTasks answers only the caller's tasks", async () => {
      const mine = await world.token({
        sid: newSessionId(),
        sub: "dave@company.com",
        op: { email: "dave@company.com" },
      });
      const created = await world.rpc("SendMessage", { message: textMessage("dave's") }, { token: mine });
      const taskId = (created.body.result as { task: { id: string } }).task.id;
      const listed = await world.rpc("ListTasks", {}, { token: mine });
      const ids = ((listed.body.result as { tasks: { id: string }[] }).tasks ?? []).map((t) => t.id);
      expect(ids).toEqual([taskId]);
    });

    it("T17: a tenant named in the request is refused: the tenant comes from the verified identity", async () => {
      const { status, body } = await world.rpc("GetTask", { id: randomUUID(), tenant: "other-tenant" });
      expect(status).toBe(403);
      expect(errorOf(body).code).toBe(A2A_RPC.tenantRefused);
      await world.audit((r) => r.code === "tenant_spoof");
      expect(jsonRpcCalls()).toHaveLength(0);
    });
  });

  describe("T13: push notification URLs and agent card trust", () => {
    it("T13: push notification URLs to private, loopback, link-local and reserved addresses are refused (400) in every spelling, and never forwarded", async () => {
      const token = await world.token();
      const created = await world.rpc("SendMessage", { message: textMessage("push me") }, { token });
      const taskId = (created.body.result as { task: { id: string } }).task.id;
      world.resetAgents();
      const bad = [
        "http://10.0.0.5/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://2852039166/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://0177.0.0.2/",
        "http://192.168.1.10/hook",
        "http://[::1]/hook",
        "http://[fd00::1]/hook",
        "ftp://93.184.215.14/hook",
        "http://user:pw@93.184.215.14/hook",
        "http://127.1.2.3:8080/hook",
      ];
      for (const url of bad) {
        const r = await world.rpc("CreateTaskPushNotificationConfig", { taskId, url }, { token });
        expect(r.status, url).toBe(400);
        expect(errorOf(r.body).code, url).toBe(A2A_RPC.pushUrlRefused);
      }
      const inSend = await world.rpc(
        "SendMessage",
        { message: textMessage("x"), configuration: { taskPushNotificationConfig: { url: "http://10.0.0.5/hook" } } },
        { token },
      );
      expect(inSend.status).toBe(400);
      const legacy = await world.rpc(
        "tasks/pushNotificationConfig/set",
        { taskId, pushNotificationConfig: { url: "http://172.16.0.1/hook" } },
        { token },
      );
      expect(legacy.status).toBe(400);
      expect(jsonRpcCalls()).toHaveLength(0);
      await world.audit((r) => r.code === "push_url_refused");

      // A public address, and a private one the operator allowed (PORTCULLIS_DP_A2A_PUSH_ALLOW=127.0.0.1/32).
      for (const url of ["https://93.184.215.14/hook", "http://127.0.0.1:9/hook"]) {
        const r = await world.rpc("CreateTaskPushNotificationConfig", { taskId, url }, { token });
        expect(r.status, url).toBe(200);
        expect(r.body.error, url).toBeUndefined();
      }
      expect(jsonRpcCalls()).toHaveLength(2);
    });

    it("T13: a card signed by a configured key is trusted, re-signed by the gateway, and calls are routed", async () => {
      const card = await fetch(`${world.url("signed")}/.well-known/agent-card.json`);
      expect(card.status).toBe(200);
      const { body } = await world.rpc("SendMessage", { message: textMessage("signed") }, { name: "signed" });
      expect(body.result).toMatchObject({ task: { status: { state: "TASK_STATE_COMPLETED" } } });
    });

    it("T13: a card modified after signing, signed with a jku outside the allowlist, or unsigned although keys are configured is not trusted: not served, no call routed, the jku never fetched", async () => {
      for (const name of ["tampered", "jku", "unsigned-keys"]) {
        const card = await fetch(`${world.url(name)}/.well-known/agent-card.json`);
        expect(card.status, name).toBe(502);
        const { body } = await world.rpc("SendMessage", { message: textMessage("x") }, { name });
        expect(errorOf(body).code, name).toBe(A2A_RPC.agentCardUntrusted);
      }
      for (const agent of world.agents.slice(2)) expect(jsonRpcCalls(agent)).toHaveLength(0);
      expect(world.jkuHost.hits()).toBe(0);
      await world.audit((r) => r.code === "agent_card_untrusted" && r.upstream === A2A_UPSTREAMS.tampered);
    });
  });
});
