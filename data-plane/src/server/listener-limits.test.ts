// SECURITY-TESTS R08, scaled down (docs/security.md says by how much): slowloris connections that trickle header
// bytes, and slow-body POSTs that trickle their body, against a node with short timeouts and a per-IP cap, with
// real sockets. Slow headers get 408 at the headers timeout, slow bodies are closed at the request timeout, the
// connections over the cap are closed at once, and a legitimate call from another address is answered throughout.
import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordingLogger } from "../../test/fixtures.ts";
import { HttpToolsWorld, refusalCount } from "../../test/http-tools-fixture.ts";
import { openSocket, parseAnswer, readUntilClosed } from "../../test/raw-http.ts";
import { parseDataPlaneConfig } from "../cli-dp.ts";
import { listenerOptions } from "./listener-limits.ts";

const HEADERS_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 4_000;
const CAP = 150;
const SLOWLORIS = 200;
const SLOW_BODIES = 50;
// Linux routes all of 127/8 to loopback: the attackers and the legitimate agent are distinct client IPs.
const LORIS_IP = "127.0.0.2";
const BODY_IP = "127.0.0.3";

describe("listener limits configuration", () => {
  it("defaults: headers 10 s, whole request 30 s, 256 connections per IP; checked every second", () => {
    const config = parseDataPlaneConfig({});
    expect(config).toMatchObject({
      PORTCULLIS_DP_HEADERS_TIMEOUT_MS: 10_000,
      PORTCULLIS_DP_REQUEST_TIMEOUT_MS: 30_000,
      PORTCULLIS_DP_MAX_CONNECTIONS_PER_IP: 256,
    });
    expect(listenerOptions({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 })).toMatchObject({
      connectionsCheckingInterval: 1_000,
    });
    expect(() =>
      parseDataPlaneConfig({ PORTCULLIS_DP_HEADERS_TIMEOUT_MS: "5000", PORTCULLIS_DP_REQUEST_TIMEOUT_MS: "1000" }),
    ).toThrow(/PORTCULLIS_DP_HEADERS_TIMEOUT_MS: must not exceed PORTCULLIS_DP_REQUEST_TIMEOUT_MS/);
    expect(() => parseDataPlaneConfig({ PORTCULLIS_DP_CONNECTION_CAP_EXEMPT: "lb.internal" })).toThrow(
      /PORTCULLIS_DP_CONNECTION_CAP_EXEMPT: expected comma-separated IP addresses/,
    );
  });
});

describe("R08: slowloris, slow bodies and the per-IP connection cap", () => {
  let world: HttpToolsWorld;
  const logger = recordingLogger();
  const timers: NodeJS.Timeout[] = [];
  beforeAll(async () => {
    world = await HttpToolsWorld.start(
      {
        PORTCULLIS_DP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        PORTCULLIS_DP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        PORTCULLIS_DP_MAX_CONNECTIONS_PER_IP: String(CAP),
      },
      logger,
    );
  });
  afterAll(async () => {
    for (const t of timers) clearInterval(t);
    await world?.close();
  });

  /** Writes `first`, then `drip` one byte per `everyMs` until the connection closes. */
  function trickle(socket: Socket, first: string, drip: string, everyMs: number): void {
    socket.write(first);
    let i = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || !socket.writable) return clearInterval(timer);
      socket.write(drip[i % drip.length] as string);
      i += 1;
    }, everyMs);
    timers.push(timer);
  }

  it("R08: slow headers → 408 at headersTimeout; slow bodies closed at requestTimeout; connections over the cap closed at once; a legitimate call is answered during the attack", {
    timeout: 60_000,
  }, async () => {
    const address = world.dp.httpAddress;
    const token = await world.token();
    world.upstream.received.length = 0;

    // 200 slowloris connections from one IP: the first 150 are held (until 408), the other 50 closed unanswered.
    const loris = await Promise.all(Array.from({ length: SLOWLORIS }, () => openSocket(address, LORIS_IP)));
    const lorisAnswers = loris.map((socket) => {
      const answer = readUntilClosed(socket).then((text) => ({ ...parseAnswer(text), closedAt: performance.now() }));
      trickle(socket, "GET /tools/receipt_ocr/invoke HTTP/1.1\r\nhost: gw\r\n", "x-slow: aaaaaaaa\r\n", 250);
      return answer;
    });

    // 50 authenticated POSTs whose bodies arrive at 4 bytes a second.
    const body = JSON.stringify({ image: "r".repeat(200) });
    const slowBodies = await Promise.all(Array.from({ length: SLOW_BODIES }, () => openSocket(address, BODY_IP)));
    const bodyAnswers = slowBodies.map((socket) => {
      const answer = readUntilClosed(socket).then((text) => parseAnswer(text));
      trickle(
        socket,
        `POST /tools/receipt_ocr/invoke HTTP/1.1\r\nhost: gw\r\nauthorization: Bearer ${token}\r\n` +
          `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`,
        body,
        250,
      );
      return answer;
    });

    // While all of that is held open, a legitimate agent (127.0.0.1) calls a tool and gets its answer.
    const legit = await world.invoke("receipt_ocr", { image: "r.png" }, { token });
    expect(legit.status).toBe(200);

    const lorisResults = await Promise.all(lorisAnswers);
    const refused = lorisResults.filter((r) => r.status === undefined);
    const timedOut = lorisResults.filter((r) => r.status === 408);
    expect(refused).toHaveLength(SLOWLORIS - CAP);
    expect(timedOut).toHaveLength(CAP);
    // Refused at once: every refused connection closed before the first held one timed out, without a byte.
    expect(Math.max(...refused.map((r) => r.closedAt))).toBeLessThan(Math.min(...timedOut.map((r) => r.closedAt)));
    expect(refused.every((r) => r.head === "")).toBe(true);
    expect(JSON.parse(timedOut[0]?.body ?? "{}")).toMatchObject({
      error: { code: "request_timeout", message: "the request took too long to arrive (headers or body)" },
    });

    const bodyResults = await Promise.all(bodyAnswers);
    expect(bodyResults.map((r) => r.status)).toEqual(Array(SLOW_BODIES).fill(408));
    // The body was never complete: nothing of the slow POSTs reached the upstream.
    expect(world.upstream.received).toHaveLength(1);
    expect(logger.entries.filter((e) => e.message === "connection_refused").length).toBeGreaterThan(0);
    expect(await refusalCount(world.dp, "connection_cap")).toBe(SLOWLORIS - CAP);
  });
});
