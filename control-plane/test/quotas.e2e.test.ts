// Z07 across real processes: a control plane and two data-plane nodes sharing Redis. The gateway group's
// `settings.rateLimits` (set through the REST API) reach both nodes in the snapshot; the nodes count one agent's
// calls in Redis together, so the agent gets exactly its limit across both, then 429 with Retry-After on either,
// while another operator's counter is untouched. Each refusal is an audit event.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createServerDatabase, testDbKind } from "./harness.ts";
import { LocalIssuer } from "./local-issuer.ts";
import { adminApi, freePort, getJson, processGroup, until } from "./processes.ts";
import { exchangeForSession } from "./support/expense-cast.ts";

const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const root = mkdtempSync(path.join(tmpdir(), "pc-quotas-"));
const prefix = `portcullis-test:quotas-e2e:${randomUUID()}:`;
const procs = processGroup();
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  procs.killAll();
  for (const f of cleanups.reverse()) await f().catch(() => {});
  rmSync(root, { recursive: true, force: true });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
});

/** The lookup API: a real HTTP server counting what reaches it. */
async function lookupApi() {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received += 1;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true, n: received }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(() => new Promise((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received: () => received };
}

describe("Z07: rate limits shared by two nodes through Redis", () => {
  it("Z07: an agent gets exactly its limit across both nodes, then 429 with Retry-After on either; another operator is unaffected", {
    timeout: 240_000,
  }, async () => {
    const issuer = await (await LocalIssuer.create("https://idp.company.test", "ES256")).serve();
    cleanups.push(() => issuer.close());
    const lookup = await lookupApi();
    const env: Record<string, string> = {
      PORTCULLIS_DATA_DIR: path.join(root, "cp"),
      PORTCULLIS_CP_HTTP: `127.0.0.1:${await freePort()}`,
      PORTCULLIS_CP_GRPC: `127.0.0.1:${await freePort()}`,
      PORTCULLIS_ADMIN_PASSWORD: "quotas-test-password",
      PORTCULLIS_SECRET_KEY: Buffer.alloc(32, 7).toString("base64"),
    };
    if (testDbKind() === "postgres") {
      const db = await createServerDatabase();
      cleanups.push(db.drop);
      env.DATABASE_URL = db.url;
    }
    const cpUrl = `http://${env.PORTCULLIS_CP_HTTP}`;
    procs.spawn(["cp"], env);
    await until("the control plane", async () =>
      (await getJson(`${cpUrl}/readyz`))?.status === 200 ? true : undefined,
    );
    const api = await adminApi(cpUrl, env.PORTCULLIS_ADMIN_PASSWORD as string);

    await api("POST", "/api/v1/trusted-issuers", {
      name: "company-idp",
      issuer: issuer.issuer,
      staticJwks: issuer.jwks(),
    });
    const agent = await api("POST", "/api/v1/agents", {
      name: "lookup-agent",
      owner: "platform",
      trust: "first_party",
    });
    const credential = await api("POST", `/api/v1/agents/${agent.id}/credentials`, {});
    const upstream = await api("POST", "/api/v1/upstreams", { name: "directory", kind: "http", url: lookup.url });
    await api("POST", "/api/v1/tools", {
      upstreamId: upstream.id,
      name: "lookup",
      http: { method: "POST", path: "/lookup" },
    });
    await api("POST", "/api/v1/policies", {
      name: "lookup-allowed",
      description: "the lookup agent may look things up",
      target: { agents: ["lookup-agent"], tools: ["lookup"] },
      effect: "allow",
    });
    const groups = await api("GET", "/api/v1/gateway-groups");
    const group = groups.items[0];
    await api("PATCH", `/api/v1/gateway-groups/${group.id}`, {
      settings: { ...group.settings, rateLimits: { agent: { limit: 10, windowSeconds: 600 } } },
    });

    // Two nodes, one Redis (the session ledger and the quota counters under one test-only prefix).
    const nodes: string[] = [];
    for (const name of ["a", "b"]) {
      const issued = await api("POST", `/api/v1/gateway-groups/${group.id}/bootstrap-tokens`, {});
      const dpHttp = `127.0.0.1:${await freePort()}`;
      procs.spawn(["dp"], {
        PORTCULLIS_CP_GRPC: env.PORTCULLIS_CP_GRPC as string,
        PORTCULLIS_DP_HTTP: dpHttp,
        PORTCULLIS_DP_DATA_DIR: path.join(root, `dp-${name}`),
        PORTCULLIS_DP_NAME: `quota-node-${name}`,
        PORTCULLIS_BOOTSTRAP_TOKEN: issued.token,
        PORTCULLIS_DP_HEARTBEAT_SECONDS: "1",
        REDIS_URL,
        PORTCULLIS_DP_REDIS_PREFIX: prefix,
      });
      nodes.push(`http://${dpHttp}`);
    }
    await until("both nodes in sync", async () => {
      const listed = await api("GET", "/api/v1/nodes");
      return listed.items.filter((n: { inSync: boolean }) => n.inSync).length === 2 ? true : undefined;
    });
    for (const node of nodes) {
      await until("the node ready", async () => ((await getJson(`${node}/readyz`))?.status === 200 ? true : undefined));
    }

    const sessionToken = (operator: string) => exchangeForSession(cpUrl, issuer, credential, operator);
    const invoke = (node: string, token: string) =>
      fetch(`${node}/tools/lookup/invoke`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ q: "x" }),
      });

    // Ten calls alternating between the nodes, in two sessions of the same agent: all allowed.
    const alice = [await sessionToken("alice@company.com"), await sessionToken("alice@company.com")];
    for (let i = 0; i < 10; i += 1) {
      const response = await invoke(nodes[i % 2] as string, alice[i % 2] as string);
      expect(response.status, await response.clone().text()).toBe(200);
    }
    expect(lookup.received()).toBe(10);
    // The eleventh, on either node: refused before policy and before the upstream.
    for (const node of nodes) {
      const refused = await invoke(node, alice[0] as string);
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(600);
      const body = (await refused.json()) as { error: Record<string, unknown> };
      expect(body.error).toMatchObject({ code: "rate_limited", scope: "agent", limit: 10, window_seconds: 600 });
    }
    expect(lookup.received()).toBe(10);

    // A per-operator limit instead: Bob's counter is his own (Alice's calls do not count against it).
    await api("PATCH", `/api/v1/gateway-groups/${group.id}`, {
      settings: { ...group.settings, rateLimits: { operator: { limit: 3, windowSeconds: 600 } } },
    });
    const bob = await sessionToken("bob@company.com");
    await until("the new limits on both nodes", async () => {
      const listed = await api("GET", "/api/v1/nodes");
      const versions = new Set(listed.items.map((n: { appliedVersion?: number }) => n.appliedVersion));
      const inSync = listed.items.every((n: { inSync: boolean }) => n.inSync);
      if (!inSync || versions.size !== 1) return undefined;
      const status = (await invoke(nodes[0] as string, bob)).status;
      return status === 200 ? true : undefined;
    });
    // Bob has used one call of his 3; two more across the nodes, then refused.
    expect((await invoke(nodes[1] as string, bob)).status).toBe(200);
    expect((await invoke(nodes[0] as string, bob)).status).toBe(200);
    expect((await invoke(nodes[1] as string, bob)).status).toBe(429);

    // Every call, refused ones included, is on the audit trail, which verifies (10 + 2 + Bob's 3 + 1 at least).
    const verified = await until("the audit events", async () => {
      const v = await api("GET", "/api/v1/audit/verify");
      return v.events >= 16 ? v : undefined;
    });
    expect(verified).toMatchObject({ ok: true, problems: [] });
  });
});
