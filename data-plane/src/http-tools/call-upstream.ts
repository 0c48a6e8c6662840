// Sends one planned request to an upstream on its keep-alive pool and reads the answer within a total deadline and
// a response size limit. The deadline covers connect, headers and body; on timeout or client cancellation the
// upstream request is aborted (undici then discards that connection instead of reusing it).
import type { Dispatcher } from "undici";

export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

export interface UpstreamCall {
  dispatcher: Dispatcher;
  method: Dispatcher.HttpMethod;
  /** Path and query, already including the upstream's base path. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Aborts the call when the client goes away. */
  cancel?: AbortSignal;
  /** Sees the response headers (e.g. an MCP upstream's Mcp-Session-Id) before the body is read. */
  onHeaders?: (headers: Record<string, string | string[] | undefined>) => void;
  /** Sees each chunk of the body as it arrives, within the size limit (e.g. to relay SSE notifications). */
  onChunk?: (chunk: Buffer) => void;
}

export type UpstreamResult =
  | { kind: "response"; status: number; contentType: string; body: Buffer }
  | { kind: "timeout" }
  | { kind: "cancelled" }
  /** `reason` is for the audit record and the log; it never contains response bytes. */
  | { kind: "error"; reason: string };

const TIMEOUT = Symbol("upstream timeout");
const CANCELLED = Symbol("client cancelled");

export async function callUpstream(call: UpstreamCall): Promise<UpstreamResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(TIMEOUT), call.timeoutMs);
  const onCancel = () => controller.abort(CANCELLED);
  if (call.cancel?.aborted) onCancel();
  else call.cancel?.addEventListener("abort", onCancel, { once: true });
  const aborted = (): UpstreamResult | undefined => {
    if (!controller.signal.aborted) return undefined;
    return controller.signal.reason === TIMEOUT ? { kind: "timeout" } : { kind: "cancelled" };
  };
  try {
    const response = await call.dispatcher.request({
      method: call.method,
      path: call.path,
      headers: call.headers,
      body: call.body ?? null,
      signal: controller.signal,
      // Backstops only: the deadline above bounds the whole exchange.
      headersTimeout: call.timeoutMs,
      bodyTimeout: call.timeoutMs,
    });
    const { statusCode, headers, body } = response;
    call.onHeaders?.(headers);
    const refuse = (reason: string): UpstreamResult => {
      // Destroying an unread body emits an abort error: it must have a listener, or it would be an uncaught
      // exception (an upstream answering a redirect, a compressed or an oversized body must never crash the node).
      body.on("error", () => {});
      body.destroy();
      return { kind: "error", reason };
    };
    const encoding = headers["content-encoding"];
    if (encoding !== undefined && String(encoding).toLowerCase() !== "identity") {
      return refuse(`compressed response (${String(encoding).slice(0, 40)}) is not accepted`);
    }
    if (statusCode >= 300 && statusCode < 400) return refuse(`redirect (${statusCode}) not followed`);
    const declared = Number(headers["content-length"]);
    if (Number.isFinite(declared) && declared > call.maxResponseBytes) {
      return refuse(`response larger than ${call.maxResponseBytes} bytes`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > call.maxResponseBytes) return refuse(`response larger than ${call.maxResponseBytes} bytes`);
      chunks.push(chunk);
      call.onChunk?.(chunk);
    }
    const contentType = headers["content-type"];
    return {
      kind: "response",
      status: statusCode,
      contentType: typeof contentType === "string" ? contentType : "",
      body: Buffer.concat(chunks, total),
    };
  } catch (error) {
    return aborted() ?? { kind: "error", reason: describeError(error) };
  } finally {
    clearTimeout(timer);
    call.cancel?.removeEventListener("abort", onCancel);
  }
}

function describeError(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e?.code === "string" ? e.code : "";
  const message = typeof e?.message === "string" ? e.message.slice(0, 200) : String(error).slice(0, 200);
  return code ? `${code}: ${message}` : message;
}
