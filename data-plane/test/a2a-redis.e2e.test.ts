// Two real DP nodes sharing A2A task ownership through Redis (REDIS_URL, default redis://127.0.0.1:6379, under a key
// prefix of this file's own), with a real A2A agent (@a2a-js/sdk) upstream: a task created through one node is
// refused to another session on the other node and stays available to its owner there (T17 across nodes). With
// Redis unreachable, calls that need ownership fail closed and nothing is forwarded.
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { A2A_RPC } from "../src/a2a/a2a-endpoint.ts";
import { A2aWorld } from "./a2a-fixture.ts";
import { CAROL, newSessionId } from "./http-tools-fixture.ts";
import { deletePrefix, requireRedis, TEST_REDIS_URL, testPrefix } from "./redis.ts";

const PREFIX = testPrefix("a2a-redis-e2e");
let n = 0;

beforeAll(requireRedis);
afterAll(() => deletePrefix(PREFIX));

const message = (text: string) => ({ messageId: randomUUID(), role: "ROLE_USER", parts: [{ text }] });

describe("A2A task ownership shared by two DP nodes on Redis", () => {
  let world: A2aWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it("T17: a task created through node A is refused to another session on node B and served to its owner there", async () => {
    world = await A2aWorld.start({ REDIS_URL: TEST_REDIS_URL, PORTCULLIS_DP_REDIS_PREFIX: `${PREFIX}${++n}:` });
    const w = world;
    const nodeB = await w.startPeer();
    const owner = await w.token({ sid: newSessionId() });
    const created = await w.rpc("SendMessage", { message: message("on node A") }, { token: owner });
    const taskId = (created.body.result as { task: { id: string } }).task.id;
    w.resetAgents();

    const other = await w.token({ sid: newSessionId(), sub: CAROL, op: { email: CAROL } });
    for (const method of ["GetTask", "CancelTask", "SubscribeToTask"]) {
      const refused = await w.rpc(method, { id: taskId }, { token: other, base: nodeB });
      expect(refused.body.error, method).toEqual({ code: A2A_RPC.taskNotFound, message: "Task not found" });
    }
    const forwarded = () => w.travel.received.filter((r) => r.method === "POST");
    expect(forwarded()).toHaveLength(0);

    const mine = await w.rpc("GetTask", { id: taskId }, { token: owner, base: nodeB });
    expect(mine.body.result).toMatchObject({ id: taskId });
    expect(forwarded()).toHaveLength(1);
  }, 90_000);

  it("Redis unreachable: a call naming a task fails closed with its own code and nothing is forwarded", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    world = await A2aWorld.start({ REDIS_URL: `redis://127.0.0.1:${port}`, PORTCULLIS_DP_REDIS_PREFIX: PREFIX });
    const { body } = await world.rpc("GetTask", { id: randomUUID() });
    expect((body.error as { code: number }).code).toBe(A2A_RPC.ownershipUnavailable);
    expect(world.travel.received.filter((r) => r.method === "POST")).toHaveLength(0);
    await world.audit((r) => r.code === "ownership_unavailable");
  }, 90_000);
});
