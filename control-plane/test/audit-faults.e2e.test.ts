// Fault injection on the audit pipeline with real processes (issue 4; SECURITY-TESTS A08, R01): a node
// appends audit events at a steady rate while the control plane, the node itself and PostgreSQL are each
// killed with SIGKILL and brought back. Afterwards every event is stored exactly once (contiguous sequence
// numbers, no duplicates), `audit verify` passes, and then a modified event and a deleted batch are named.
//
// PostgreSQL here is a private cluster this test creates (initdb) and owns, so killing it cannot disturb
// other tests. The load is generated through the node's own audit spool (the request path that produces
// decision events arrives with the proxy); everything from the spool on is the production pipeline.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { adminApi, freePort, processGroup, until } from "./processes.ts";
import { PrivatePostgres } from "./support/private-postgres.ts";

const trafficScript = fileURLToPath(new URL("./support/traffic-node.ts", import.meta.url));
const root = mkdtempSync(path.join(tmpdir(), "pc-faults-"));
const procs = processGroup();
const spawnProc = (args: string[], env: Record<string, string>, script?: string) =>
  procs.spawn(args, { ...env, DATABASE_URL: env.DATABASE_URL ?? "" }, script);
const pg = new PrivatePostgres(root);

afterAll(async () => {
  procs.killAll();
  await pg.stop("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("A08/R01 audit survives kill -9 of the control plane, the node and PostgreSQL", () => {
  it("stores every event exactly once and verify passes; then names a modified event and a deleted batch", {
    timeout: 240_000,
  }, async () => {
    await pg.start();
    const databaseUrl = pg.url;
    const cpEnv = {
      DATABASE_URL: databaseUrl,
      PORTCULLIS_DATA_DIR: path.join(root, "cp"),
      PORTCULLIS_CP_HTTP: `127.0.0.1:${await freePort()}`,
      PORTCULLIS_CP_GRPC: `127.0.0.1:${await freePort()}`,
      PORTCULLIS_ADMIN_PASSWORD: "faults-test-password",
      PORTCULLIS_SECRET_KEY: Buffer.alloc(32, 5).toString("base64"),
    };
    const cpUrl = `http://${cpEnv.PORTCULLIS_CP_HTTP}`;
    const startCp = async () => {
      const p = spawnProc(["cp"], cpEnv);
      await until("the control plane", async () => {
        try {
          return (await fetch(`${cpUrl}/readyz`)).status === 200 ? true : undefined;
        } catch {
          return undefined;
        }
      });
      return p;
    };
    let cp = await startCp();
    const session = () => adminApi(cpUrl, cpEnv.PORTCULLIS_ADMIN_PASSWORD);
    let api = await session();
    const groups = await api("GET", "/api/v1/gateway-groups");
    const issued = await api("POST", `/api/v1/gateway-groups/${groups.items?.[0]?.id}/bootstrap-tokens`, {});
    const nodeEnv = {
      PORTCULLIS_CP_GRPC: cpEnv.PORTCULLIS_CP_GRPC,
      PORTCULLIS_DP_DATA_DIR: path.join(root, "node"),
      PORTCULLIS_BOOTSTRAP_TOKEN: issued.token as string,
    };
    let node = spawnProc([], nodeEnv, trafficScript);
    await until("the node to start", async () => (node.output().includes('"started":true') ? true : undefined));
    await pause(2000);

    // 1. The control plane dies under load, and comes back.
    cp.child.kill("SIGKILL");
    await cp.exited;
    await pause(2000);
    cp = await startCp();
    await pause(2000);

    // 2. The node dies under load (spooled and in-flight batches on disk), and comes back.
    node.child.kill("SIGKILL");
    await node.exited;
    node = spawnProc([], { ...nodeEnv, PORTCULLIS_BOOTSTRAP_TOKEN: "" }, trafficScript);
    await until("the node to restart", async () => (node.output().includes('"started":true') ? true : undefined));
    expect(node.output()).toContain('"recovery":"resumed"');
    await pause(2000);

    // 3. PostgreSQL dies under load (the control plane cannot store anything), and comes back.
    await pg.stop("SIGKILL");
    await pause(2500);
    await pg.start();
    await pause(3000);

    // Stop the load; the node waits until the control plane acknowledged everything.
    node.child.stdin?.write("stop\n");
    const final = await until(
      "the node to drain",
      async () => {
        const line = node
          .output()
          .split("\n")
          .find((l) => l.includes('"stopped":true'));
        return line ? (JSON.parse(line) as { streamId: string; seq: number }) : undefined;
      },
      90_000,
    );
    expect(final.seq).toBeGreaterThan(500);
    console.info(`traffic node appended ${final.seq} events in stream ${final.streamId} across the kills`);

    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ n: string; max: string; distinct: string }[]>`
        select count(*) as n, max(event_seq) as max, count(distinct event_seq) as distinct
        from audit_events where stream_id = ${final.streamId}`;
      expect(Number(row?.n)).toBe(final.seq);
      expect(Number(row?.distinct)).toBe(final.seq);
      expect(Number(row?.max)).toBe(final.seq);
      const streams = await sql`select id from audit_streams`;
      expect(streams).toHaveLength(1);

      api = await session();
      const verify = await api("GET", "/api/v1/audit/verify");
      expect(verify).toMatchObject({ ok: true, problems: [] });
      expect(verify.events).toBe(final.seq);

      // Tampering is named: one modified event, one deleted batch.
      await sql`update audit_events set record = replace(record, '"decision":"deny"', '"decision":"allow"')
        where stream_id = ${final.streamId} and event_seq = 7`;
      const [batchOf7] = await sql<
        { batch_seq: string }[]
      >`select batch_seq from audit_events where stream_id = ${final.streamId} and event_seq = 7`;
      const [lastBatch] = await sql<
        { seq: string }[]
      >`select max(seq) as seq from audit_batches where stream_id = ${final.streamId}`;
      const victim = Math.max(2, Math.floor(Number(lastBatch?.seq) / 2));
      await sql`delete from audit_events where stream_id = ${final.streamId} and batch_seq = ${victim}`;
      await sql`delete from audit_batches where stream_id = ${final.streamId} and seq = ${victim}`;
      const tampered = await api("GET", "/api/v1/audit/verify");
      expect(tampered.ok).toBe(false);
      const problems = tampered.problems as { kind: string; seq: number }[];
      expect(problems).toContainEqual(
        expect.objectContaining({ kind: "modified_event", seq: Number(batchOf7?.batch_seq) }),
      );
      expect(problems).toContainEqual(expect.objectContaining({ kind: "missing_batch", seq: victim }));
    } finally {
      await sql.end();
    }
  });
});
