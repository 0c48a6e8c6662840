// The control plane's side of the node protocol, exercised over real gRPC sockets by a client that speaks
// the protocol with @portcullis/proto (as a data-plane node does): enrollment, the config stream (snapshot,
// ACK, NACK never resent, status), audit ingest (accept, duplicate, equivocation, gap), `audit verify` naming
// tampering, and revocation.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import {
  type CpMessage__Output,
  createAuditClient,
  createConfigClient,
  createEnrollmentClient,
  type EnrollResponse__Output,
  GENESIS_HASH,
  generateSigningKeyPair,
  type SigningKeyPair,
  sealBatch,
  signNodeToken,
  trustedKeysFromJwks,
  verifySnapshot,
} from "@portcullis/proto";
import { sql } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCheckpoint } from "../src/audit/checkpoints.ts";
import { runAuditCommand } from "../src/audit/cli.ts";
import { parseConfig } from "../src/config.ts";
import type { KeyRing } from "../src/keys/control-plane-keys.ts";
import { type RunningControlPlane, startControlPlane } from "../src/main.ts";
import { createApiToken } from "../src/services/api-tokens.ts";
import { openTestDatabase } from "./harness.ts";

let cp: RunningControlPlane;

function sink(write: (s: string) => void): NodeJS.WritableStream {
  return {
    write: (s: string) => {
      write(s);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
}

async function runCli(argv: string[]) {
  let out = "";
  let err = "";
  process.env.PORTCULLIS_API_TOKEN = admin;
  const code = await runAuditCommand(
    argv,
    sink((s) => {
      out += s;
    }),
    sink((s) => {
      err += s;
    }),
  );
  return { code, out, err };
}
let admin: string;

beforeAll(async () => {
  const database = await openTestDatabase();
  cp = await startControlPlane(
    parseConfig({
      PORTCULLIS_CP_HTTP: "127.0.0.1:0",
      PORTCULLIS_CP_GRPC: "127.0.0.1:0",
      PORTCULLIS_SECRET_KEY: Buffer.alloc(32, 7).toString("base64"),
      PORTCULLIS_ADMIN_PASSWORD: "correct-horse-battery",
    }),
    { database, logger: pino({ level: process.env.PORTCULLIS_TEST_LOG ?? "silent" }) },
  );
  const ctx = {
    ...cp.deps,
    actor: { type: "system" as const, id: "t", name: "t", role: "admin" as const },
    requestId: "t",
  };
  admin = (await createApiToken({ ctx, input: { name: "test", role: "admin" } })).token;
});
afterAll(async () => {
  await cp.close();
  await cp.database.close();
});

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${cp.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function defaultGroupId(): Promise<string> {
  const groups = await api("GET", "/api/v1/gateway-groups");
  return groups.body.items.find((g: { name: string }) => g.name === "default").id;
}

interface Enrolled {
  res: EnrollResponse__Output;
  signing: SigningKeyPair;
  metadata: () => grpc.Metadata;
}

function enroll(token: string): Promise<Enrolled> {
  const signing = generateSigningKeyPair();
  const assertion = generateSigningKeyPair();
  const client = createEnrollmentClient(cp.grpcAddress, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) =>
    client.Enroll(
      {
        bootstrapToken: token,
        nodeName: "test-node",
        dpVersion: "test",
        signingPublicJwk: JSON.stringify(signing.publicJwk),
        assertionPublicJwk: JSON.stringify(assertion.publicJwk),
      },
      (err, res) => {
        client.close();
        if (err || !res) return reject(err);
        resolve({
          res,
          signing,
          metadata: () => {
            const md = new grpc.Metadata();
            md.set(
              "authorization",
              `Bearer ${signNodeToken({ nodeId: res.nodeId, signingKey: signing.privateKey, kid: signing.kid })}`,
            );
            return md;
          },
        });
      },
    ),
  );
}

/** A config stream with a queue of received messages. */
function openStream(node: Enrolled) {
  const client = createConfigClient(cp.grpcAddress, grpc.credentials.createInsecure());
  const call = client.Stream(node.metadata());
  const inbox: CpMessage__Output[] = [];
  const waiters: (() => void)[] = [];
  let ended: grpc.StatusObject | Error | undefined;
  call.on("data", (m: CpMessage__Output) => {
    inbox.push(m);
    for (const w of waiters.splice(0)) w();
  });
  call.on("error", (e) => {
    ended = e;
    for (const w of waiters.splice(0)) w();
  });
  call.on("end", () => {
    ended ??= new Error("ended");
    for (const w of waiters.splice(0)) w();
  });
  const next = async (kind: string, timeoutMs = 10_000): Promise<CpMessage__Output | undefined> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = inbox.findIndex((m) => m.kind === kind);
      if (i >= 0) return inbox.splice(i, 1)[0];
      if (ended || Date.now() > deadline) return undefined;
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
  };
  /**
   * Acknowledges snapshots until none arrives for a while and returns the last one. Enrolling a node changes
   * the group's configuration (its assertion key is published), so a fresh node may get two versions in a row.
   */
  const settle = async (): Promise<CpMessage__Output | undefined> => {
    let last: CpMessage__Output | undefined;
    for (;;) {
      const m = await next("snapshot", last ? 700 : 10_000);
      if (!m) return last;
      last = m;
      call.write({ ack: { nonce: m.snapshot?.nonce, version: m.snapshot?.version } });
    }
  };
  return {
    call,
    next,
    settle,
    close: () => {
      call.end();
      client.close();
    },
    ended: () => ended,
    inbox,
  };
}

async function bootstrapToken() {
  const res = await api("POST", `/api/v1/gateway-groups/${await defaultGroupId()}/bootstrap-tokens`, {
    expiresInMinutes: 10,
  });
  expect(res.status).toBe(201);
  expect(res.body.command).toContain(res.body.token);
  return res.body.token as string;
}

describe("enrollment", () => {
  it("enrolls once per bootstrap token and refuses unknown or reused tokens", async () => {
    const token = await bootstrapToken();
    const node = await enroll(token);
    expect(node.res.nodeId).toMatch(/^[0-9a-f-]{36}$/);
    expect(trustedKeysFromJwks(node.res.cpPublicJwks).size).toBeGreaterThan(0);
    await expect(enroll(token)).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    await expect(enroll("pc_bt_nonsense")).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
  });
});

describe("config stream", () => {
  it("sends a verifiable snapshot, records the ACK, pushes changes, and never resends a NACKed version", async () => {
    const node = await enroll(await bootstrapToken());
    const cpKeys = trustedKeysFromJwks(node.res.cpPublicJwks);
    const s = openStream(node);
    s.call.write({ hello: { nodeId: node.res.nodeId, dpVersion: "test", schemaVersion: 1, servingVersion: "0" } });
    const first = await s.settle();
    expect(first?.snapshot).toBeDefined();
    const verified = verifySnapshot(first?.snapshot as NonNullable<CpMessage__Output["snapshot"]>, cpKeys);
    expect(verified.ok).toBe(true);
    const v1 = Number(first?.snapshot?.version);
    s.call.write({ heartbeat: { servingVersion: String(v1), spoolDepth: "7", auditLagMs: "120", lastApplyMs: 3 } });
    expect(await s.next("heartbeatAck")).toBeDefined();
    let status = await api("GET", `/api/v1/nodes/${node.res.nodeId}`);
    expect(status.body).toMatchObject({
      online: true,
      inSync: true,
      servingVersion: v1,
      spoolDepth: 7,
      auditLagMs: 120,
      lastApplyMs: 3,
    });

    // A change is pushed as a new version without asking.
    const policy = await api("POST", "/api/v1/policies", {
      name: "p1",
      target: { agents: ["*"], tools: ["*"] },
      effect: "allow",
      condition: "",
    });
    expect(policy.status).toBe(201);
    const second = await s.next("snapshot");
    const v2 = Number(second?.snapshot?.version);
    expect(v2).toBeGreaterThan(v1);
    s.call.write({
      nack: {
        nonce: second?.snapshot?.nonce,
        rejectedVersion: String(v2),
        servingVersion: String(v1),
        errors: ["policy p1 does not compile"],
      },
    });
    await new Promise((r) => setTimeout(r, 300));
    status = await api("GET", `/api/v1/nodes/${node.res.nodeId}`);
    expect(status.body.lastNack).toMatchObject({ version: v2, reason: "policy p1 does not compile" });
    expect(status.body).toMatchObject({ servingVersion: v1, inSync: false });
    // A stale nonce is ignored; the refused version is not resent on this stream.
    s.call.write({ ack: { nonce: "stale", version: String(v2) } });
    expect(await s.next("snapshot", 700)).toBeUndefined();
    expect((await api("GET", `/api/v1/nodes/${node.res.nodeId}`)).body.servingVersion).toBe(v1);

    // The next change is offered again.
    await api("PATCH", `/api/v1/policies/${policy.body.id}`, { description: "fixed" });
    const third = await s.next("snapshot");
    expect(Number(third?.snapshot?.version)).toBeGreaterThan(v2);
    s.close();
  });

  it("sends nothing to a node that already serves the current version", async () => {
    const node = await enroll(await bootstrapToken());
    const s = openStream(node);
    s.call.write({ hello: { nodeId: node.res.nodeId, servingVersion: "0" } });
    const snap = await s.settle();
    s.close();
    const again = openStream(node);
    again.call.write({
      hello: {
        nodeId: node.res.nodeId,
        servingVersion: snap?.snapshot?.version,
        servingSha256: snap?.snapshot?.sha256,
      },
    });
    expect(await again.next("snapshot", 700)).toBeUndefined();
    again.close();
  });

  it("refuses a stream without a valid node token", async () => {
    const client = createConfigClient(cp.grpcAddress, grpc.credentials.createInsecure());
    const md = new grpc.Metadata();
    md.set("authorization", "Bearer not.a.token");
    const call = client.Stream(md);
    const err = await new Promise<grpc.ServiceError>((resolve) => call.on("error", resolve));
    expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
    client.close();
  });
});

function ingest(node: Enrolled) {
  const client = createAuditClient(cp.grpcAddress, grpc.credentials.createInsecure());
  const call = client.Ingest(node.metadata());
  const acks: { status: string; reason: string; receipt: string; seq: string }[] = [];
  call.on("data", (a) => acks.push(a));
  call.on("error", () => {});
  const send = async (jws: string, records: Buffer) => {
    const n = acks.length;
    call.write({ jws, records });
    for (let i = 0; i < 200 && acks.length === n; i++) await new Promise((r) => setTimeout(r, 25));
    return acks[n];
  };
  return {
    send,
    close: () => {
      call.end();
      client.close();
    },
    client,
  };
}

function records(streamId: string, from: number, n: number, tool = "receipt_ocr") {
  return Array.from({ length: n }, (_, i) => ({
    id: `0190000${from + i}-0000-7000-8000-000000000000`.slice(0, 36),
    stream_id: streamId,
    seq: from + i,
    type: "decision",
    at: new Date().toISOString(),
    tool,
    decision: "allow",
    session_id: "sess_test",
  }));
}

describe("audit", () => {
  it("stores batches once, detects equivocation and gaps, and verify names tampering", async () => {
    const node = await enroll(await bootstrapToken());
    const streamId = "01900000-aaaa-7000-8000-000000000001";
    const seal = (seq: number, prev: string, recs: ReturnType<typeof records>) =>
      sealBatch({
        nodeId: node.res.nodeId,
        streamId,
        seq,
        prevBatchHash: prev,
        records: recs,
        configVersion: 1,
        signingKey: node.signing.privateKey,
        kid: node.signing.kid,
      });
    const b1 = seal(1, GENESIS_HASH, records(streamId, 1, 3));
    const b2 = seal(2, b1.batchHash, records(streamId, 4, 2));
    const b2other = seal(2, b1.batchHash, records(streamId, 4, 2, "send_notification"));
    const b4 = seal(4, b2.batchHash, records(streamId, 6, 1));
    const s = ingest(node);
    const a1 = await s.send(b1.jws, b1.recordsBytes);
    expect(a1?.status).toBe("ACCEPTED");
    const dup = await s.send(b1.jws, b1.recordsBytes);
    expect(dup).toMatchObject({ status: "DUPLICATE", receipt: a1?.receipt });
    expect((await s.send(b2.jws, b2.recordsBytes))?.status).toBe("ACCEPTED");
    const eq = await s.send(b2other.jws, b2other.recordsBytes);
    expect(eq?.status).toBe("REJECTED");
    expect(eq?.reason).toMatch(/equivocation/);
    const gap = await s.send(b4.jws, b4.recordsBytes);
    expect(gap?.status).toBe("REJECTED");
    expect(gap?.reason).toMatch(/gap/);
    const cursor = await new Promise<{ lastSeq: string; lastEventSeq: string }>((resolve, reject) =>
      s.client.Query({ streamId }, node.metadata(), (err, res) => (err || !res ? reject(err) : resolve(res))),
    );
    expect(cursor).toMatchObject({ lastSeq: "2", lastEventSeq: "5" });
    s.close();

    let verify = await api("GET", `/api/v1/audit/verify?streamId=${streamId}`);
    expect(verify.body).toMatchObject({ ok: true, batches: 2, events: 5, problems: [] });
    expect(verify.body.alarms).toBeGreaterThanOrEqual(2);

    // A signed checkpoint over what is stored verifies offline; a doctored export does not.
    expect(await createCheckpoint(cp.database.db, (cp.deps.keys as () => KeyRing)())).toBeDefined();
    const exported = await api("GET", "/api/v1/audit/checkpoints/latest/export");
    expect(exported.status).toBe(200);
    const file = path.join(mkdtempSync(path.join(tmpdir(), "pc-cp-")), "checkpoint.json");
    writeFileSync(file, JSON.stringify(exported.body));
    const cli = await runCli(["verify", "--export", file]);
    expect(cli).toMatchObject({ code: 0 });
    expect(cli.out).toMatch(/checkpoint valid/);
    writeFileSync(file, JSON.stringify({ ...exported.body, batchHashes: [...exported.body.batchHashes].reverse() }));
    expect((await runCli(["verify", "--export", file])).code).toBe(1);
    expect(await runCli(["verify", "--api", cp.url])).toMatchObject({ code: 0 });

    // An administrator edits one stored event: verify names the batch.
    await cp.database.db.execute(
      sql`update audit_events set record = replace(record, '"decision":"allow"', '"decision":"deny"') where stream_id = ${streamId} and event_seq = 4`,
    );
    verify = await api("GET", `/api/v1/audit/verify?streamId=${streamId}`);
    expect(verify.body.ok).toBe(false);
    expect(verify.body.problems).toEqual([expect.objectContaining({ kind: "modified_event", seq: 2 })]);
    const tampered = await runCli(["verify", "--api", cp.url]);
    expect(tampered.code).toBe(1);
    expect(tampered.out).toContain(`PROBLEM modified_event: node ${node.res.nodeId} stream ${streamId} batch 2`);

    // …and deletes a whole batch: verify names the gap.
    await cp.database.db.execute(sql`delete from audit_events where stream_id = ${streamId} and batch_seq = 1`);
    await cp.database.db.execute(sql`delete from audit_batches where stream_id = ${streamId} and seq = 1`);
    verify = await api("GET", `/api/v1/audit/verify?streamId=${streamId}`);
    expect(verify.body.problems.map((p: { kind: string }) => p.kind)).toEqual(["missing_batch", "modified_event"]);
    // The whole-trail check also sees that the signed checkpoint no longer matches what is stored.
    const all = await api("GET", "/api/v1/audit/verify");
    expect(all.body.problems.map((p: { kind: string }) => p.kind)).toContain("checkpoint_mismatch");
  });
});

describe("revocation", () => {
  it("closes the node's stream and refuses its keys afterwards", async () => {
    const node = await enroll(await bootstrapToken());
    const s = openStream(node);
    s.call.write({ hello: { nodeId: node.res.nodeId, servingVersion: "0" } });
    expect(await s.next("snapshot")).toBeDefined();
    expect((await api("POST", `/api/v1/nodes/${node.res.nodeId}/revoke`, { reason: "stolen laptop" })).status).toBe(
      204,
    );
    const revoked = await s.next("revoked");
    expect(revoked?.revoked?.reason).toMatch(/revoked/);
    const again = openStream(node);
    again.call.write({ hello: { nodeId: node.res.nodeId } });
    await again.next("snapshot", 1500);
    expect(again.ended()).toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    const status = await api("GET", `/api/v1/nodes/${node.res.nodeId}`);
    expect(status.body).toMatchObject({ online: false });
    expect(status.body.revokedAt).not.toBeNull();
  });
});
