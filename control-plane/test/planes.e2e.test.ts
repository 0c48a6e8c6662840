// The two planes as separate, real processes (SECURITY-TESTS R01, R04 and the failure cases): a node
// keeps enforcing its last snapshot while the control plane is down, restarts from its verified snapshot on
// disk while the control plane is still down, a brand-new node without a snapshot is not ready, and a policy
// that does not compile, forced into the database behind the API's back, is refused by the node once while the
// old version keeps serving and the node's status says why.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.ts";
import { type RunningControlPlane, startControlPlane } from "../src/main.ts";
import { createApiToken } from "../src/services/api-tokens.ts";
import { createServerDatabase, openTestDatabase, testDbKind } from "./harness.ts";
import { adminApi, freePort, getJson, processGroup, until } from "./processes.ts";

const root = mkdtempSync(path.join(tmpdir(), "pc-planes-"));
const procs = processGroup();
const spawnCli = procs.spawn;
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  procs.killAll();
  for (const f of cleanups.reverse()) await f().catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

async function readyVersion(dpHttp: string): Promise<number | undefined> {
  const r = await getJson(`http://${dpHttp}/readyz`);
  return r?.status === 200 ? (r.body.version as number) : undefined;
}

describe("R01/R04: the data plane outlives the control plane", () => {
  it("keeps serving, restarts from disk while the control plane is down, and a new node stays not ready", {
    timeout: 180_000,
  }, async () => {
    const cpDir = path.join(root, "cp");
    const env: Record<string, string> = {
      PORTCULLIS_DATA_DIR: cpDir,
      PORTCULLIS_CP_HTTP: `127.0.0.1:${await freePort()}`,
      PORTCULLIS_CP_GRPC: `127.0.0.1:${await freePort()}`,
      PORTCULLIS_ADMIN_PASSWORD: "planes-test-password",
      PORTCULLIS_SECRET_KEY: Buffer.alloc(32, 3).toString("base64"),
    };
    if (testDbKind() === "postgres") {
      const db = await createServerDatabase();
      cleanups.push(db.drop);
      env.DATABASE_URL = db.url;
    }
    const cpUrl = `http://${env.PORTCULLIS_CP_HTTP}`;
    let cp = spawnCli(["cp"], env);
    await until("the control plane", async () =>
      (await getJson(`${cpUrl}/readyz`))?.status === 200 ? true : undefined,
    );
    const call = await adminApi(cpUrl, env.PORTCULLIS_ADMIN_PASSWORD as string);
    const groups = await call("GET", "/api/v1/gateway-groups");
    const issued = await call("POST", `/api/v1/gateway-groups/${groups.items?.[0]?.id}/bootstrap-tokens`, {});

    const dpHttp = `127.0.0.1:${await freePort()}`;
    const dpEnv = {
      PORTCULLIS_CP_GRPC: env.PORTCULLIS_CP_GRPC as string,
      PORTCULLIS_DP_HTTP: dpHttp,
      PORTCULLIS_DP_DATA_DIR: path.join(root, "dp-a"),
      PORTCULLIS_BOOTSTRAP_TOKEN: issued.token as string,
    };
    let dp = spawnCli(["dp"], dpEnv);
    const version = await until("the node to be ready", () => readyVersion(dpHttp));
    expect(version).toBeGreaterThan(0);

    // The control plane dies hard: the node keeps serving the same verified snapshot.
    cp.child.kill("SIGKILL");
    await cp.exited;
    for (let i = 0; i < 10; i++) {
      expect(await readyVersion(dpHttp)).toBe(version);
      await new Promise((r) => setTimeout(r, 200));
    }

    // The node restarts while the control plane is still down: it serves from disk, after verifying it.
    dp.child.kill("SIGKILL");
    await dp.exited;
    dp = spawnCli(["dp"], { ...dpEnv, PORTCULLIS_BOOTSTRAP_TOKEN: "" });
    expect(await until("the restarted node", () => readyVersion(dpHttp), 60_000)).toBe(version);

    // A brand-new node with no snapshot (and no control plane to get one from) is not ready and refuses work.
    const freshHttp = `127.0.0.1:${await freePort()}`;
    spawnCli(["dp"], {
      PORTCULLIS_CP_GRPC: env.PORTCULLIS_CP_GRPC as string,
      PORTCULLIS_DP_HTTP: freshHttp,
      PORTCULLIS_DP_DATA_DIR: path.join(root, "dp-new"),
      PORTCULLIS_BOOTSTRAP_TOKEN: "pc_bt_not-yet-usable",
    });
    const notReady = await until("the new node's listener", () => getJson(`http://${freshHttp}/readyz`));
    expect(notReady.status).toBe(503);
    const refused = await getJson(`http://${freshHttp}/mcp/anything`);
    expect(refused?.status).toBe(503);
    expect(refused?.body.error).toMatchObject({ code: "not_ready" });

    // The control plane comes back: the node reconnects and is reported online and in sync.
    cp = spawnCli(["cp"], env);
    await until("the control plane again", async () =>
      (await getJson(`${cpUrl}/readyz`))?.status === 200 ? true : undefined,
    );
    const again = await adminApi(cpUrl, env.PORTCULLIS_ADMIN_PASSWORD as string);
    await until("the node to be online and in sync", async () => {
      const body = await again("GET", "/api/v1/nodes");
      return (body.items as { online: boolean; inSync: boolean }[]).some((n) => n.online && n.inSync)
        ? true
        : undefined;
    });
  });
});

describe("a policy that does not compile never replaces a working one", () => {
  it("is NACKed once; the old version keeps serving; the node's status says why", { timeout: 180_000 }, async () => {
    const database = await openTestDatabase();
    const cp: RunningControlPlane = await startControlPlane(
      parseConfig({
        PORTCULLIS_CP_HTTP: "127.0.0.1:0",
        PORTCULLIS_CP_GRPC: "127.0.0.1:0",
        PORTCULLIS_SECRET_KEY: Buffer.alloc(32, 4).toString("base64"),
        PORTCULLIS_ADMIN_PASSWORD: "planes-test-password",
      }),
      { database, logger: pino({ level: "silent" }) },
    );
    cleanups.push(async () => {
      await cp.close();
      await database.close();
    });
    const ctx = {
      ...cp.deps,
      actor: { type: "system" as const, id: "t", name: "t", role: "admin" as const },
      requestId: "t",
    };
    const token = (await createApiToken({ ctx, input: { name: "t", role: "admin" } })).token;
    const api = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(`${cp.url}${p}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await res.json()) as Record<string, unknown> & { items?: Record<string, unknown>[] };
    };
    const groups = await api("GET", "/api/v1/gateway-groups");
    const issued = await api("POST", `/api/v1/gateway-groups/${groups.items?.[0]?.id}/bootstrap-tokens`, {});
    const policy = await api("POST", "/api/v1/policies", {
      name: "ocr-once",
      target: { agents: ["*"], tools: ["receipt_ocr"] },
      effect: "deny",
      condition: 'session.count("receipt_ocr") >= 1',
    });
    const dpHttp = `127.0.0.1:${await freePort()}`;
    spawnCli(["dp"], {
      PORTCULLIS_CP_GRPC: cp.grpcAddress,
      PORTCULLIS_DP_HTTP: dpHttp,
      PORTCULLIS_DP_DATA_DIR: path.join(root, "dp-nack"),
      PORTCULLIS_BOOTSTRAP_TOKEN: issued.token as string,
      PORTCULLIS_DP_HEARTBEAT_SECONDS: "1",
    });
    const nodeId = await until("the node to be in sync", async () => {
      const nodes = await api("GET", "/api/v1/nodes");
      const n = nodes.items?.find((x) => x.inSync === true);
      return n ? (n.id as string) : undefined;
    });
    const good = (await readyVersion(dpHttp)) as number;

    // Behind the API's back: an update of the stored version to CEL that does not compile.
    await cp.database.db.execute(
      sql`update policy_versions set condition = 'session.count("receipt_ocr" >=' where policy_id = ${policy.id as string}`,
    );
    const nacked = await until("the node to refuse the snapshot", async () => {
      const n = await api("GET", `/api/v1/nodes/${nodeId}`);
      return n.lastNack
        ? (n as { lastNack: { version: number; reason: string; at: string }; servingVersion: number })
        : undefined;
    });
    expect(nacked.lastNack.version).toBeGreaterThan(good);
    expect(nacked.lastNack.reason).toMatch(/ocr-once/);
    expect(nacked.servingVersion).toBe(good);
    expect(await readyVersion(dpHttp)).toBe(good);
    // Several heartbeats later the same version has not been offered (and refused) again.
    await new Promise((r) => setTimeout(r, 3000));
    const later = (await api("GET", `/api/v1/nodes/${nodeId}`)) as { lastNack: { at: string }; servingVersion: number };
    expect(later.lastNack.at).toBe(nacked.lastNack.at);
    expect(later.servingVersion).toBe(good);
    expect(await readyVersion(dpHttp)).toBe(good);
  });
});
