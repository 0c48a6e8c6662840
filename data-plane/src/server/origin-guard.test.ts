// SECURITY-TESTS T03: browser origins are checked on every agent-facing route before authentication and before
// the body is read. An origin outside PORTCULLIS_DP_ALLOWED_ORIGINS, two Origin headers, or `Origin: null` get 403
// and nothing reaches an upstream; the rejection is logged as `origin_rejected` (not audited: it is
// unauthenticated, see docs/security.md). Requests without an Origin header (non-browser agents) pass.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LogEntry, recordingLogger } from "../../test/fixtures.ts";
import { HttpToolsWorld, refusalCount } from "../../test/http-tools-fixture.ts";
import { rawRequest } from "../../test/raw-http.ts";
import { parseDataPlaneConfig } from "../cli-dp.ts";
import { parseAllowedOrigins } from "./origin-guard.ts";

const CONSOLE = "https://console.example.com";
const AGENT_UI = "http://localhost:5173";

describe("PORTCULLIS_DP_ALLOWED_ORIGINS", () => {
  it("takes exact origins and refuses anything else, naming the variable", () => {
    expect([...parseAllowedOrigins(`${CONSOLE}, ${AGENT_UI}/`)]).toEqual([CONSOLE, AGENT_UI]);
    expect(parseAllowedOrigins(undefined).size).toBe(0);
    for (const bad of ["null", "*", "console.example.com", "https://console.example.com/app", "ftp://x.example"]) {
      expect(() => parseAllowedOrigins(bad)).toThrow(/is not an origin/);
      expect(() => parseDataPlaneConfig({ PORTCULLIS_DP_ALLOWED_ORIGINS: bad })).toThrow(
        /PORTCULLIS_DP_ALLOWED_ORIGINS: expected comma-separated origins/,
      );
    }
  });
});

describe("T03: Origin allowlist on the agent-facing routes", () => {
  let world: HttpToolsWorld;
  const logger = recordingLogger();
  beforeAll(async () => {
    world = await HttpToolsWorld.start({ PORTCULLIS_DP_ALLOWED_ORIGINS: `${CONSOLE},${AGENT_UI}` }, logger);
  });
  afterAll(async () => {
    await world?.close();
  });

  const rejections = (): LogEntry[] => logger.entries.filter((e) => e.message === "origin_rejected");

  /** A POST whose head carries `originLines`, with a valid session token and a body, over a bare socket. */
  async function post(path: string, originLines: string[], body: string) {
    const token = await world.token();
    return rawRequest(
      world.dp.httpAddress,
      `POST ${path} HTTP/1.1\r\nhost: gw.example\r\nauthorization: Bearer ${token}\r\n` +
        `content-type: application/json\r\n${originLines.map((o) => `origin: ${o}\r\n`).join("")}` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }

  it("T03: Origin https://evil.example, two Origin headers, and Origin: null get 403 on /tools, /mcp and /a2a; nothing is forwarded; origin_rejected is logged", async () => {
    world.upstream.received.length = 0;
    const before = rejections().length;
    const countedBefore = await refusalCount(world.dp, "origin_not_allowed");
    const cases = [["https://evil.example"], [CONSOLE, "https://evil.example"], [CONSOLE, CONSOLE], ["null"]];
    const toolBody = JSON.stringify({ image: "r.png" });
    const rpcBody = JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/list", params: {} });
    for (const origins of cases) {
      const tool = await post("/tools/receipt_ocr/invoke", origins, toolBody);
      expect(tool.status, `${origins} on /tools`).toBe(403);
      expect(tool.head).toMatch(/\r\nconnection: close/i);
      expect(JSON.parse(tool.body)).toEqual({
        error: { code: "origin_not_allowed", message: expect.any(String), requestId: expect.any(String) },
      });
      for (const path of ["/mcp/any-server", "/a2a/any-agent"]) {
        const rpc = await post(path, origins, rpcBody);
        expect(rpc.status, `${origins} on ${path}`).toBe(403);
        // A JSON-RPC error with no id: the body (and so the request's id) was never read.
        expect(JSON.parse(rpc.body)).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600 } });
      }
    }
    expect(world.upstream.received).toEqual([]);
    const logged = rejections().slice(before);
    expect(logged).toHaveLength(cases.length * 3);
    expect(logged.map((e) => e.fields.reason)).toEqual(
      expect.arrayContaining(["origin not allowed", "more than one Origin header", "opaque origin (null)"]),
    );
    expect(logged[0]).toMatchObject({
      level: "warn",
      fields: { event: "origin_rejected", origin: "https://evil.example", path: "/tools/receipt_ocr/invoke" },
    });
    expect((await refusalCount(world.dp, "origin_not_allowed")) - countedBefore).toBe(cases.length * 3);
    // Not audited: rejected before authentication, like any unauthenticated request.
    const audited = world.cp.records(world.node.spool.streamId);
    expect(audited.filter((r) => String(r.code ?? "").includes("origin"))).toEqual([]);
  });

  it("T03: the check runs before authentication: a request with a bad origin and no token gets 403, not 401", async () => {
    const answer = await rawRequest(
      world.dp.httpAddress,
      "POST /tools/receipt_ocr/invoke HTTP/1.1\r\nhost: gw\r\norigin: https://evil.example\r\n" +
        "content-length: 2\r\nconnection: close\r\n\r\n{}",
    );
    expect(answer.status).toBe(403);
  });

  it("T03: an allowed origin, and no Origin at all (a non-browser agent), pass and are forwarded", async () => {
    world.upstream.received.length = 0;
    const allowed = await post("/tools/receipt_ocr/invoke", [AGENT_UI], JSON.stringify({ image: "r.png" }));
    expect(allowed.status).toBe(200);
    const agent = await world.invoke("receipt_ocr", { image: "r.png" });
    expect(agent.status).toBe(200);
    expect(world.upstream.received).toHaveLength(2);
  });
});
