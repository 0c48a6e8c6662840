// TLS between the planes, with real processes and certificates made by openssl for this test: a node that trusts
// the control plane's CA enrolls and becomes ready over TLS; a plaintext node cannot talk to a TLS control plane;
// with a client CA (mTLS) a node without a certificate is refused and one with a certificate issued by that CA
// is ready. A bad PEM path stops either process with exit code 2 naming the variable.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createServerDatabase, testDbKind } from "./harness.ts";
import { adminApi, freePort, getJson, processGroup, until } from "./processes.ts";
import { clientExt, createTestCa, SERVER_EXT } from "./support/pki.ts";

const root = mkdtempSync(path.join(tmpdir(), "pc-grpc-tls-"));
const procs = processGroup();
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  procs.killAll();
  for (const f of cleanups.reverse()) await f().catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all issued by it (PEM files in dir). */
function makePki(dir: string, name: string) {
  const ca = createTestCa(dir, name);
  ca.issue("server", SERVER_EXT);
  ca.issue("client", clientExt());
  return ca.file;
}

async function startControlPlane(tlsEnv: Record<string, string>) {
  const env: Record<string, string> = {
    PORTCULLIS_DATA_DIR: mkdtempSync(path.join(root, "cp-")),
    PORTCULLIS_CP_HTTP: `127.0.0.1:${await freePort()}`,
    PORTCULLIS_CP_GRPC: `127.0.0.1:${await freePort()}`,
    PORTCULLIS_ADMIN_PASSWORD: "grpc-tls-test-password",
    PORTCULLIS_SECRET_KEY: Buffer.alloc(32, 5).toString("base64"),
    ...tlsEnv,
  };
  if (testDbKind() === "postgres") {
    const db = await createServerDatabase();
    cleanups.push(db.drop);
    env.DATABASE_URL = db.url;
  }
  const cpUrl = `http://${env.PORTCULLIS_CP_HTTP}`;
  const cp = procs.spawn(["cp"], env);
  await until(
    "the control plane",
    async () => ((await getJson(`${cpUrl}/readyz`))?.status === 200 ? true : undefined),
    90_000,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n${cp.output()}`);
  });
  const call = await adminApi(cpUrl, env.PORTCULLIS_ADMIN_PASSWORD as string);
  const groupId = (await call("GET", "/api/v1/gateway-groups")).items?.[0]?.id as string;
  return {
    grpc: env.PORTCULLIS_CP_GRPC as string,
    cp,
    token: async () => (await call("POST", `/api/v1/gateway-groups/${groupId}/bootstrap-tokens`, {})).token as string,
  };
}

async function startNode(cpGrpc: string, token: string, extra: Record<string, string>) {
  const http = `127.0.0.1:${await freePort()}`;
  const dp = procs.spawn(["dp"], {
    PORTCULLIS_CP_GRPC: cpGrpc,
    PORTCULLIS_DP_HTTP: http,
    PORTCULLIS_DP_DATA_DIR: mkdtempSync(path.join(root, "dp-")),
    PORTCULLIS_BOOTSTRAP_TOKEN: token,
    ...extra,
  });
  const readyz = () => getJson(`http://${http}/readyz`);
  return {
    dp,
    readyz,
    ready: () =>
      until("the node to be ready", async () => ((await readyz())?.status === 200 ? true : undefined), 90_000).catch(
        (e: Error) => {
          throw new Error(`${e.message}\n${dp.output()}`);
        },
      ),
  };
}

/** A node whose TLS handshake fails keeps retrying enrollment (it says so) and is not ready meanwhile. */
async function staysNotReady(node: Awaited<ReturnType<typeof startNode>>) {
  await until(
    "the node to report the control plane unreachable",
    async () =>
      (node.dp.output().match(/control plane unreachable; enrollment will retry/g)?.length ?? 0) >= 2 || undefined,
    90_000,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n${node.dp.output()}`);
  });
  expect((await node.readyz())?.status).toBe(503);
  expect(node.dp.output()).not.toMatch(/node enrolled/);
}

describe("gRPC between the planes over TLS", () => {
  it("a node that trusts the CA is ready over TLS; a plaintext node is not", { timeout: 240_000 }, async () => {
    const pki = makePki(path.join(root, "pki-tls"), "tls");
    const cp = await startControlPlane({
      PORTCULLIS_CP_GRPC_TLS_CERT: pki("server.pem"),
      PORTCULLIS_CP_GRPC_TLS_KEY: pki("server.key"),
    });
    const good = await startNode(cp.grpc, await cp.token(), { PORTCULLIS_CP_GRPC_TLS_CA: pki("ca.pem") });
    await good.ready();
    expect((await good.readyz())?.body.version).toBeGreaterThan(0);

    const plaintext = await startNode(cp.grpc, await cp.token(), {});
    await staysNotReady(plaintext);
    // A node with TLS on but trusting only the system roots refuses the test CA's certificate.
    const untrusting = await startNode(cp.grpc, await cp.token(), { PORTCULLIS_CP_GRPC_TLS: "on" });
    await staysNotReady(untrusting);
  });

  it("with a client CA (mTLS) only nodes with a certificate it issued get through", { timeout: 240_000 }, async () => {
    const pki = makePki(path.join(root, "pki-mtls"), "mtls");
    const other = makePki(path.join(root, "pki-other"), "other");
    const cp = await startControlPlane({
      PORTCULLIS_CP_GRPC_TLS_CERT: pki("server.pem"),
      PORTCULLIS_CP_GRPC_TLS_KEY: pki("server.key"),
      PORTCULLIS_CP_GRPC_TLS_CLIENT_CA: pki("ca.pem"),
    });
    const without = await startNode(cp.grpc, await cp.token(), { PORTCULLIS_CP_GRPC_TLS_CA: pki("ca.pem") });
    await staysNotReady(without);
    const foreign = await startNode(cp.grpc, await cp.token(), {
      PORTCULLIS_CP_GRPC_TLS_CA: pki("ca.pem"),
      PORTCULLIS_DP_GRPC_TLS_CERT: other("client.pem"),
      PORTCULLIS_DP_GRPC_TLS_KEY: other("client.key"),
    });
    await staysNotReady(foreign);
    const good = await startNode(cp.grpc, await cp.token(), {
      PORTCULLIS_CP_GRPC_TLS_CA: pki("ca.pem"),
      PORTCULLIS_DP_GRPC_TLS_CERT: pki("client.pem"),
      PORTCULLIS_DP_GRPC_TLS_KEY: pki("client.key"),
    });
    await good.ready();
  });

  it("a missing PEM file or half a key pair stops either process, naming the variable", {
    timeout: 120_000,
  }, async () => {
    const cp = procs.spawn(["cp"], {
      PORTCULLIS_CP_GRPC_TLS_CERT: path.join(root, "nope.pem"),
      PORTCULLIS_CP_GRPC_TLS_KEY: path.join(root, "nope.key"),
    });
    expect(await cp.exited).toBe(2);
    expect(cp.output()).toMatch(/PORTCULLIS_CP_GRPC_TLS_CERT: cannot read .*nope\.pem \(ENOENT\)/);
    const pki = makePki(path.join(root, "pki-half"), "half");
    const half = procs.spawn(["cp"], { PORTCULLIS_CP_GRPC_TLS_CERT: pki("server.pem") });
    expect(await half.exited).toBe(2);
    expect(half.output()).toContain("PORTCULLIS_CP_GRPC_TLS_CERT and PORTCULLIS_CP_GRPC_TLS_KEY: set both, or neither");
    const dp = procs.spawn(["dp"], { PORTCULLIS_CP_GRPC_TLS_CA: pki("server.key.missing") });
    expect(await dp.exited).toBe(2);
    expect(dp.output()).toMatch(/PORTCULLIS_CP_GRPC_TLS_CA: cannot read/);
  });
});
