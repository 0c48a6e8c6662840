// The A2A tests' world: the test control plane, real A2A agents built with the official SDK (test-a2a-agent.ts), and
// a real DP whose snapshot has them as `a2a` upstreams: `travel` (plain card), `signed` (card signed by a key its
// settings trust), `tampered` (card changed after signing), `jku` (signature naming a jku outside the allowlist) and
// `unsigned-keys` (cardKeys configured, card unsigned). Policies allow the expense agent the task methods of all of
// them; GetExtendedAgentCard is allowed to nobody (default deny). GetTaskPushNotificationConfig is rate limited
// (2 per hour per operator).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type AgentCard, generateAgentCardSignature } from "@a2a-js/sdk";
import { generateSigningKeyPair, type SnapshotPolicy, type SnapshotUpstream } from "@portcullis/proto";
import { type RunningDataPlane, runDataPlane } from "../src/cli-dp.ts";
import { silentLogger } from "../src/log.ts";
import { FAST_BACKOFF, FAST_CHANNEL, tempDir, waitFor } from "./fixtures.ts";
import { AGENT, mintSessionToken, scenarioResources, type TokenOptions } from "./http-tools-fixture.ts";
import { startTestA2aAgent, type TestA2aAgent } from "./test-a2a-agent.ts";
import { TestControlPlane } from "./test-control-plane.ts";

export const A2A_UPSTREAMS = {
  travel: "up-a2a-travel",
  signed: "up-a2a-signed",
  tampered: "up-a2a-tampered",
  jku: "up-a2a-jku",
  unsignedKeys: "up-a2a-unsigned-keys",
};

export const A2A_ALLOWED = [
  "a2a:SendMessage",
  "a2a:SendStreamingMessage",
  "a2a:GetTask",
  "a2a:ListTasks",
  "a2a:CancelTask",
  "a2a:SubscribeToTask",
  "a2a:CreateTaskPushNotificationConfig",
  "a2a:GetTaskPushNotificationConfig",
];

export const a2aPolicy: SnapshotPolicy = {
  id: "a2a-travel",
  version: 1,
  name: "a2a-travel",
  description: "the expense agent may work with the A2A agents' tasks",
  target: { agents: [AGENT.name], tools: A2A_ALLOWED },
  effect: "allow",
  condition: "",
  mode: "enforce",
  priority: 0,
  approvers: "",
};

/** A server that counts requests: stands for a `jku` URL that must never be fetched. */
async function countingServer(): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits += 1;
    res.writeHead(200, { "content-type": "application/json" }).end('{"keys":[]}');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    hits: () => hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export class A2aWorld {
  cp!: TestControlPlane;
  travel!: TestA2aAgent;
  agents: TestA2aAgent[] = [];
  jkuHost!: Awaited<ReturnType<typeof countingServer>>;
  dp!: RunningDataPlane;
  #cleanup: () => Promise<void> = async () => {};

  static async start(env: Record<string, string> = {}): Promise<A2aWorld> {
    const world = new A2aWorld();
    world.cp = await TestControlPlane.start();
    const cardKey = generateSigningKeyPair();
    const jwk = { ...cardKey.publicJwk, kid: cardKey.kid, alg: "EdDSA" };
    const sign = (card: AgentCard, jku?: string) =>
      generateAgentCardSignature(cardKey.privateKey, {
        alg: "EdDSA",
        typ: "JOSE",
        kid: cardKey.kid,
        ...(jku ? { jku } : {}),
      })(card);
    world.jkuHost = await countingServer();
    world.travel = await startTestA2aAgent({ name: "Travel agent" });
    const signed = await startTestA2aAgent({ name: "Signed agent", serveCard: (card) => sign(card) });
    const tampered = await startTestA2aAgent({
      name: "Tampered agent",
      serveCard: async (card) => ({ ...(await sign(card)), description: "Now also wires money" }),
    });
    const jku = await startTestA2aAgent({ name: "Jku agent", serveCard: (card) => sign(card, world.jkuHost.url) });
    const unsignedKeys = await startTestA2aAgent({ name: "Unsigned agent" });
    world.agents = [world.travel, signed, tampered, jku, unsignedKeys];
    world.#env = env;
    world.dp = await world.#run();
    const upstream = (id: string, name: string, agent: TestA2aAgent, settings = {}): SnapshotUpstream => ({
      id,
      name,
      kind: "a2a",
      url: `${agent.url}/a2a/jsonrpc`,
      labels: { protocol: "a2a" },
      settings,
      credential: null,
    });
    const U = A2A_UPSTREAMS;
    const keys = { cardKeys: { keys: [jwk] } };
    const base = scenarioResources("http://127.0.0.1:9", world.cp.key);
    world.cp.publish({
      ...base,
      // One method is rate limited (per operator), for the rate-limit test only.
      settings: {
        ...base.settings,
        rateLimits: {
          tools: { "a2a:GetTaskPushNotificationConfig": { limit: 2, windowSeconds: 3600, per: "operator" } },
        },
      },
      upstreams: [
        ...base.upstreams,
        upstream(U.travel, "travel", world.travel),
        upstream(U.signed, "signed", signed, keys),
        upstream(U.tampered, "tampered", tampered, keys),
        upstream(U.jku, "jku", jku, keys),
        upstream(U.unsignedKeys, "unsigned-keys", unsignedKeys, keys),
      ],
      policies: [...base.policies, a2aPolicy],
    });
    await waitFor("DP ready", async () => (await fetch(`http://${world.dp.httpAddress}/readyz`)).status === 200);
    return world;
  }

  #env: Record<string, string> = {};
  readonly #nodes: RunningDataPlane[] = [];

  /** One more DP node of the same control plane, with the world's environment (and its own identity). */
  async #run(): Promise<RunningDataPlane> {
    const { dir, cleanup } = await tempDir();
    const previous = this.#cleanup;
    this.#cleanup = async () => {
      await previous();
      await cleanup();
    };
    const dp = await runDataPlane([], {
      env: {
        PORTCULLIS_CP_GRPC: this.cp.address,
        PORTCULLIS_DP_DATA_DIR: dir,
        PORTCULLIS_DP_HTTP: "127.0.0.1:0",
        PORTCULLIS_DP_DRAIN_SECONDS: "1",
        PORTCULLIS_BOOTSTRAP_TOKEN: this.cp.issueBootstrapToken(),
        ...this.#env,
      },
      logger: silentLogger,
      nodeOverrides: { backoff: FAST_BACKOFF, channelOptions: FAST_CHANNEL },
    });
    this.#nodes.push(dp);
    return dp;
  }

  /** A second node serving the same snapshot; answers its base URL once it is ready. */
  async startPeer(): Promise<string> {
    const peer = await this.#run();
    const base = `http://${peer.httpAddress}`;
    await waitFor("peer ready", async () => (await fetch(`${base}/readyz`)).status === 200);
    return base;
  }

  get base(): string {
    return `http://${this.dp.httpAddress}`;
  }

  url(name = "travel", base = this.base): string {
    return `${base}/a2a/${name}`;
  }

  get node() {
    const node = this.dp.node();
    if (!node) throw new Error("node not started");
    return node;
  }

  token(options: TokenOptions = {}): Promise<string> {
    return mintSessionToken(this.cp, options);
  }

  /** One JSON-RPC call with fetch: status, headers and parsed body. */
  async rpc(
    method: string,
    params: unknown,
    options: { token?: string | null; name?: string; version?: string; id?: number | string; base?: string } = {},
  ): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
    const token = options.token === undefined ? await this.token() : options.token;
    const response = await fetch(this.url(options.name, options.base), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "a2a-version": options.version ?? (method.includes("/") ? "0.3" : "1.0"),
        ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: options.id ?? 1, method, params }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: JSON.parse(text) };
  }

  /** The decision records the control plane holds for the matching predicate, once there is one. */
  async audit(predicate: (r: Record<string, unknown>) => boolean) {
    const streamId = this.node.spool.streamId;
    return waitFor("audit record", () => {
      const found = this.cp
        .records(streamId)
        .map((r) => r as unknown as Record<string, unknown>)
        .filter(predicate);
      return found.length > 0 ? found : undefined;
    });
  }

  resetAgents(): void {
    for (const a of this.agents) a.received.length = 0;
  }

  async close(): Promise<void> {
    for (const dp of this.#nodes) await dp.close();
    for (const a of this.agents) await a.close();
    await this.jkuHost?.close();
    await this.cp?.stop();
    await this.#cleanup();
  }
}
