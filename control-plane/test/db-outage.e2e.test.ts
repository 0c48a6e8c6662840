// SECURITY-TESTS R03 (PostgreSQL of the control plane stopped), with real processes on a private PostgreSQL
// cluster: the node keeps serving tool calls from its snapshot (P1), the control plane's readiness reports the
// database, a configuration write is refused with a clear, retryable 503 instead of being queued, and once the
// database is back the calls made during the outage reach the audit trail (the node spooled them, A08).
// The catalogue's +2 s latency proxy and the 15 minute duration are not run here (docs/security.md).
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalIssuer } from "./local-issuer.ts";
import { freePort, getJson, processGroup, signIn, until } from "./processes.ts";
import { exchangeForSession, registerExpenseCast } from "./support/expense-cast.ts";
import { spawnEnrolledNode } from "./support/node-process.ts";
import { PrivatePostgres } from "./support/private-postgres.ts";

const root = mkdtempSync(path.join(tmpdir(), "pc-r03-"));
const procs = processGroup();
const pg = new PrivatePostgres(root);
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  procs.killAll();
  for (const f of cleanups.reverse()) await f().catch(() => {});
  await pg.stop("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

describe("R03: the control plane's PostgreSQL stops", () => {
  it("R03: node traffic is unaffected, readiness names the database, config writes get a clear 503, the audit catches up", {
    timeout: 180_000,
  }, async () => {
    await pg.start();
    const issuer = await (await LocalIssuer.create("https://idp.company.test", "ES256")).serve();
    cleanups.push(() => issuer.close());
    const received: string[] = [];
    const ocr = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        received.push(req.url ?? "");
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ text: "Taxi 12.50" }));
      });
    });
    await new Promise<void>((r) => ocr.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise((r) => ocr.close(() => r())));

    const env: Record<string, string> = {
      DATABASE_URL: pg.url,
      PORTCULLIS_DATA_DIR: path.join(root, "cp"),
      PORTCULLIS_CP_HTTP: `127.0.0.1:${await freePort()}`,
      PORTCULLIS_CP_GRPC: `127.0.0.1:${await freePort()}`,
      PORTCULLIS_ADMIN_PASSWORD: "r03-test-password",
      PORTCULLIS_SECRET_KEY: Buffer.alloc(32, 7).toString("base64"),
    };
    const cpUrl = `http://${env.PORTCULLIS_CP_HTTP}`;
    procs.spawn(["cp"], env);
    await until("the control plane", async () =>
      (await getJson(`${cpUrl}/readyz`))?.status === 200 ? true : undefined,
    );
    const api = await signIn(cpUrl, "admin@portcullis.local", env.PORTCULLIS_ADMIN_PASSWORD as string);
    const { credential } = await registerExpenseCast(api, {
      issuer,
      upstream: { name: "ocr", url: `http://127.0.0.1:${(ocr.address() as AddressInfo).port}` },
      tools: [{ name: "receipt_ocr", path: "/read" }],
    });
    const apiToken = (await api("POST", "/api/v1/api-tokens", { name: "r03", role: "admin" })).token as string;
    const dpHttp = await spawnEnrolledNode(api, procs, { cpGrpc: env.PORTCULLIS_CP_GRPC as string, root });

    // Sessions are opened before the outage (the token exchange is the control plane's, and needs its database).
    const sessionToken = () => exchangeForSession(cpUrl, issuer, credential);
    const tokens = [await sessionToken(), await sessionToken(), await sessionToken()];
    const invoke = (token: string) =>
      fetch(`http://${dpHttp}/tools/receipt_ocr/invoke`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ image: "receipt.png" }),
      });
    expect((await invoke(tokens[0] as string)).status).toBe(200);

    // PostgreSQL stops.
    await pg.stop("SIGINT");
    expect(await pg.answers()).toBe(false);

    // The control plane's readiness names the database; the node stays ready and keeps serving.
    const cpReady = await until("the control plane to report the database", async () => {
      const r = await getJson(`${cpUrl}/readyz`);
      return r?.status === 503 ? r : undefined;
    });
    expect(cpReady.body).toEqual({ status: "not_ready", reason: "CP degraded: DB unreachable" });
    expect((await getJson(`http://${dpHttp}/readyz`))?.status).toBe(200);
    const during: string[] = [];
    for (const token of tokens.slice(1)) {
      const answer = await invoke(token);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ text: "Taxi 12.50" });
      during.push(answer.headers.get("portcullis-decision-id") as string);
    }
    expect(received).toHaveLength(3);

    // A configuration write is refused, clearly and retryably, not queued.
    const write = await fetch(`${cpUrl}/api/v1/policies`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiToken}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "written-during-outage", target: { agents: ["*"], tools: ["*"] }, effect: "deny" }),
    });
    expect(write.status).toBe(503);
    expect(write.headers.get("retry-after")).toBe("5");
    expect(((await write.json()) as { error: unknown }).error).toEqual({
      code: "unavailable",
      message: "the control plane's database is unreachable: nothing was changed; retry later",
      requestId: expect.any(String),
    });

    // PostgreSQL is back: the control plane is ready again, the refused write was not applied later, and the
    // calls made during the outage reach the audit trail.
    await pg.start();
    await until("the control plane ready again", async () =>
      (await getJson(`${cpUrl}/readyz`))?.status === 200 ? true : undefined,
    );
    const after = await signIn(cpUrl, "admin@portcullis.local", env.PORTCULLIS_ADMIN_PASSWORD as string);
    const policies = await after("GET", "/api/v1/policies?limit=200");
    expect(policies.items.map((p: { name: string }) => p.name)).not.toContain("written-during-outage");
    const verified = await until("the outage's decisions in the audit trail", async () => {
      const v = await after("GET", "/api/v1/audit/verify");
      return v.events >= 3 ? v : undefined;
    });
    expect(verified).toMatchObject({ ok: true, problems: [] });
    expect(during).toHaveLength(2);
  });
});
