// SECURITY-TESTS R09, scaled down to what a test may take on a shared 2-core machine: many concurrent MCP callers of
// both eras (2025-11-25 with initialize and Mcp-Session-Id, 2026-07-28 stateless), then idle. Every call succeeds;
// every gateway session's upstream session is ended once the sessions idle past their TTL; the process's file
// descriptors return to where they were. The catalogue's 10,000 sessions for 30 minutes and its heap and
// event-loop figures are a soak, not a test: see docs/security.md (R09).
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../test/fixtures.ts";
import { newSessionId } from "../../test/http-tools-fixture.ts";
import { McpWorld } from "../../test/mcp-fixture.ts";

const CALLERS = 240; // half per era
const CONCURRENCY = 24;
const IDLE_SECONDS = 10;

const openFds = () => readdirSync("/proc/self/fd").length;

const modernCall = (id: number) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: {
    name: "receipt_ocr",
    arguments: { image: `r${id}` },
    _meta: {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientInfo": { name: "r09", version: "1" },
      "io.modelcontextprotocol/clientCapabilities": {},
    },
  },
});

describe("R09 (scaled down): mixed-era MCP sessions under load, then idle", () => {
  let world: McpWorld;
  beforeAll(async () => {
    world = await McpWorld.start({ env: { PORTCULLIS_DP_SESSION_IDLE_SECONDS: String(IDLE_SECONDS) } });
  });
  afterAll(async () => {
    await world?.close();
  });

  /** One caller: a new gateway session (token `sid`) making one allowed tools/call in its era. */
  async function caller(i: number): Promise<string | undefined> {
    const token = await world.token({ sid: newSessionId() });
    if (i % 2 === 0) {
      const session = await world.openSession(token);
      const reply = await world.post(
        token,
        { jsonrpc: "2.0", id: i, method: "tools/call", params: { name: "receipt_ocr", arguments: { image: `r${i}` } } },
        session,
      );
      return reply.status === 200 && reply.json.result ? undefined : `legacy ${i}: ${JSON.stringify(reply.json)}`;
    }
    const response = await fetch(world.url(), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `Bearer ${token}`,
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": "tools/call",
        "mcp-name": "receipt_ocr",
      },
      body: JSON.stringify(modernCall(i)),
    });
    const json = (await response.json()) as { result?: { isError?: boolean } };
    return response.status === 200 && json.result && !json.result.isError
      ? undefined
      : `modern ${i}: ${JSON.stringify(json)}`;
  }

  it("R09: every call of both eras succeeds; idle sessions expire and end their upstream sessions; no fd leak", async () => {
    // Warm up (pools, the first upstream session) before taking the baseline.
    expect(await caller(0)).toBeUndefined();
    await waitFor("the warm-up session to expire", () => world.ocr.openSessions === 0, { timeoutMs: 60_000 });
    const baselineFds = openFds();
    const initializedBefore = world.ocr.calls("initialize").length;
    const callsBefore = world.ocr.calls("tools/call").length;
    const deletes = () => world.ocr.received.filter((r) => r.method === "DELETE").length;
    const deletedBefore = deletes();

    const failures: string[] = [];
    let next = 1;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next <= CALLERS) {
          const failure = await caller(next++);
          if (failure) failures.push(failure);
        }
      }),
    );
    expect(failures).toEqual([]);
    expect(world.ocr.calls("tools/call").length - callsBefore).toBe(CALLERS);
    const opened = world.ocr.calls("initialize").length - initializedBefore;
    expect(opened).toBeGreaterThan(0);

    // Idle: past the TTL the sweep ends every gateway session, each ending its upstream session.
    await waitFor("every upstream session to be ended", () => world.ocr.openSessions === 0, {
      timeoutMs: 60_000,
    });
    // Each upstream session the ramp opened was ended by the gateway with a DELETE (none merely abandoned).
    expect(deletes() - deletedBefore).toBe(opened);
    // Keep-alive sockets close a few seconds after their last use; then the process holds what it held before.
    await waitFor(`file descriptors back near the baseline of ${baselineFds}`, () => openFds() <= baselineFds + 8, {
      timeoutMs: 60_000,
    });
  });
});
