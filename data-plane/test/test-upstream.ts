// A real HTTP upstream for the request path's tests (node:http on 127.0.0.1:0): it records every request it gets
// (method, URL, headers, body, whether the caller aborted) and answers by the last path segment, so tests can
// provoke the misbehaviours the gateway must survive: hang, huge body, HTML error page, invalid JSON, plain text.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Raw header names as sent, in order (to prove what was and was not forwarded). */
  rawHeaderNames: string[];
  body: string;
  /** Set when the caller went away before an answer (e.g. the gateway's timeout aborted the request). */
  aborted: boolean;
}

export class TestUpstream {
  readonly received: ReceivedRequest[] = [];
  readonly #server: Server;
  port = 0;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<TestUpstream> {
    const server = createServer();
    const upstream = new TestUpstream(server);
    server.on("request", (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const rawHeaderNames = req.rawHeaders.filter((_, i) => i % 2 === 0).map((h) => h.toLowerCase());
        const record: ReceivedRequest = {
          method: req.method ?? "",
          url: req.url ?? "",
          headers: req.headers,
          rawHeaderNames,
          body: Buffer.concat(chunks).toString("utf8"),
          aborted: false,
        };
        upstream.received.push(record);
        res.on("close", () => {
          if (!res.writableFinished) record.aborted = true;
        });
        const last = (req.url ?? "").split("?")[0]?.split("/").pop() ?? "";
        const json = (status: number, body: unknown) => {
          const text = JSON.stringify(body);
          res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
          res.end(text);
        };
        switch (last) {
          case "hang":
            return; // accepts, reads, never answers
          case "big": {
            res.writeHead(200, { "content-type": "application/json" });
            const chunk = "x".repeat(64 * 1024);
            res.write('{"data":"');
            let sent = 0;
            const pump = () => {
              while (sent < 11 * 1024 * 1024) {
                sent += chunk.length;
                if (!res.write(chunk)) return void res.once("drain", pump);
              }
              res.end('"}');
            };
            res.on("error", () => {});
            return pump();
          }
          case "html":
            res.writeHead(502, { "content-type": "text/html" });
            return void res.end("<html><body>Bad Gateway</body></html>");
          case "text":
            res.writeHead(200, { "content-type": "text/plain" });
            return void res.end("plain hello");
          case "badjson":
            res.writeHead(200, { "content-type": "application/json" });
            return void res.end("{not json");
          case "missing":
            return json(404, { error: "no such record" });
          case "redirect":
            // A "public" upstream that points the gateway elsewhere (SECURITY-TESTS T11): never to be followed.
            res.writeHead(302, { location: `http://127.0.0.1:${upstream.port}/redirected/here` });
            return void res.end();
          default: {
            let parsed: unknown = null;
            try {
              parsed = record.body === "" ? null : JSON.parse(record.body);
            } catch {}
            return json(200, { ok: true, method: record.method, url: record.url, received: parsed });
          }
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    upstream.port = (server.address() as AddressInfo).port;
    return upstream;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Requests whose path starts with `prefix`. */
  requestsTo(prefix: string): ReceivedRequest[] {
    return this.received.filter((r) => r.url.startsWith(prefix));
  }

  reset(): void {
    this.received.length = 0;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
