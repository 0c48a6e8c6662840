// The Origin check of every agent-facing route (SECURITY-TESTS T03; the MCP transport spec requires it against DNS
// rebinding). Requests without an Origin header come from non-browser agents and pass. A browser's request passes
// only when its one Origin is on the node's allowlist (PORTCULLIS_DP_ALLOWED_ORIGINS, exact serialized origins);
// `Origin: null`, two Origin headers, or any other origin get 403 before authentication and before the body is
// read. Rejections are not audited (they are unauthenticated: a flood must not fill the spool); they are logged as
// `origin_rejected`, at most 20 lines per minute with a count of the ones left out.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createLogBurst } from "../lib/log-burst.ts";
import type { Logger } from "../log.ts";
import { sendError, sendJson } from "./replies.ts";

/**
 * Parses PORTCULLIS_DP_ALLOWED_ORIGINS: comma-separated origins (`https://console.example.com`,
 * `http://localhost:5173`), each an http(s) URL with nothing after the host and port. Returns them serialized
 * the way browsers send them; throws naming the first bad entry.
 */
export function parseAllowedOrigins(value: string | undefined): Set<string> {
  const origins = new Set<string>();
  for (const raw of (value ?? "").split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new Error(`"${entry}" is not an origin`);
    }
    if ((url.protocol !== "https:" && url.protocol !== "http:") || url.origin !== entry.replace(/\/$/, "")) {
      throw new Error(`"${entry}" is not an origin (scheme://host[:port], nothing after)`);
    }
    origins.add(url.origin);
  }
  return origins;
}

export type OriginVerdict = { ok: true } | { ok: false; reason: string; origin: string };

/** The verdict on a request's Origin header(s) against the allowlist. */
export function checkOrigin(req: IncomingMessage, allowed: ReadonlySet<string>): OriginVerdict {
  const values = req.headersDistinct.origin;
  if (values === undefined || values.length === 0) return { ok: true };
  if (values.length > 1) return { ok: false, reason: "more than one Origin header", origin: values.join(", ") };
  const origin = values[0] as string;
  if (origin === "null") return { ok: false, reason: "opaque origin (null)", origin };
  if (!allowed.has(origin)) return { ok: false, reason: "origin not allowed", origin };
  return { ok: true };
}

export interface OriginGuard {
  /** True when the request may go on; otherwise it was answered 403 and the connection is closed. */
  admit(req: IncomingMessage, res: ServerResponse, requestId: string): boolean;
  /** Rejections since the start. */
  rejected(): number;
}

export function createOriginGuard(options: {
  allowed: ReadonlySet<string>;
  logger: Logger;
  /** Called for each rejection (the node counts them in its metrics). */
  onReject?: () => void;
}): OriginGuard {
  const { allowed } = options;
  const log = createLogBurst(options.logger, "origin_rejected");
  let total = 0;
  return {
    admit(req, res, requestId) {
      const verdict = checkOrigin(req, allowed);
      if (verdict.ok) return true;
      total += 1;
      options.onReject?.();
      const pathname = (req.url ?? "/").split("?")[0] ?? "/";
      log({
        origin: verdict.origin.slice(0, 200),
        reason: verdict.reason,
        path: pathname.slice(0, 200),
        remote: req.socket.remoteAddress,
        requestId,
        total,
      });
      const message = `${verdict.reason}: this gateway accepts browser requests only from its configured origins`;
      // JSON-RPC routes answer a JSON-RPC error without an id (the body was not read); the others the envelope.
      if (pathname.startsWith("/mcp/") || (pathname.startsWith("/a2a/") && !pathname.includes("/.well-known/"))) {
        sendJson(
          res,
          403,
          { jsonrpc: "2.0", id: null, error: { code: -32600, message, data: { reason_code: "origin_not_allowed" } } },
          { close: true },
        );
      } else sendError(res, "origin_not_allowed", message, requestId, { close: true });
      return false;
    },
    rejected: () => total,
  };
}
