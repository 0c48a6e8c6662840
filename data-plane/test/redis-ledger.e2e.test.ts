// Two real DP nodes (same control plane, each with its own identity) sharing the session ledger on Redis
// (REDIS_URL, default redis://127.0.0.1:6379, under a key prefix of this file's own): any node continues any
// session, and the once-per-session rule holds across them under concurrency. With Redis unreachable the request
// path fails closed.
import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HttpToolsWorld, type InvokeResult } from "./http-tools-fixture.ts";
import { deletePrefix, requireRedis, TEST_REDIS_URL, testPrefix } from "./redis.ts";

const PREFIX = testPrefix("redis-e2e");
let n = 0;

beforeAll(requireRedis);
afterAll(() => deletePrefix(PREFIX));

describe("two DP nodes sharing the Redis session ledger", () => {
  let world: HttpToolsWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  async function twoNodes(): Promise<[HttpToolsWorld, string]> {
    const env = { REDIS_URL: TEST_REDIS_URL, PORTCULLIS_DP_REDIS_PREFIX: `${PREFIX}${++n}:` };
    world = await HttpToolsWorld.start(env);
    const peer = await world.startPeer();
    return [world, `http://${peer.httpAddress}`];
  }

  it("a session started on one node continues on the other with its history (Z06: session moved to another DP)", async () => {
    const [w, other] = await twoNodes();
    const token = await w.token();
    expect((await w.invoke("receipt_ocr", {}, { token })).status).toBe(200);
    const moved = await w.invoke("receipt_ocr", {}, { token, base: other });
    expect(moved.status).toBe(403);
    expect(moved.body.error).toMatchObject({
      code: "denied",
      message: expect.stringContaining("ocr-once-per-session"),
    });
    // A new session is clean on either node.
    expect((await w.invoke("receipt_ocr", {}, { token: await w.token(), base: other })).status).toBe(200);
    expect(w.upstream.requestsTo("/ocr-svc")).toHaveLength(2);
  });

  it("once per session under concurrency across nodes: 50 calls split over two nodes → exactly one 2xx", async () => {
    const [w, other] = await twoNodes();
    const token = await w.token();
    const results: InvokeResult[] = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        w.invoke("receipt_ocr", { n: i }, { token, ...(i % 2 === 1 ? { base: other } : {}) }),
      ),
    );
    expect(results.filter((r) => r.status >= 200 && r.status < 300)).toHaveLength(1);
    const denied = results.filter((r) => r.status === 403);
    expect(denied).toHaveLength(49);
    for (const d of denied) expect(d.body.error).toMatchObject({ code: "denied" });
    expect(w.upstream.requestsTo("/ocr-svc")).toHaveLength(1);
  });

  it("Redis unreachable: 503 session_store_unavailable, audited, the upstream never called", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    world = await HttpToolsWorld.start({ REDIS_URL: `redis://127.0.0.1:${port}`, PORTCULLIS_DP_REDIS_PREFIX: PREFIX });
    const result = await world.invoke("receipt_ocr", {});
    expect(result.status).toBe(503);
    expect(result.body.error).toMatchObject({
      code: "session_store_unavailable",
      message: expect.stringMatching(/session store is unavailable/),
    });
    expect(await world.auditOf(result.decisionId)).toMatchObject({
      outcome: "session_refused",
      code: "session_store_unavailable",
    });
    expect(world.upstream.requestsTo("/ocr-svc")).toHaveLength(0);
  });
});
