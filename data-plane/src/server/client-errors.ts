// Answers what the HTTP parser refuses before any handler runs (headers over the limit → 431, slow headers → 408,
// malformed requests → 400) in the one error envelope, then half-closes and briefly drains the socket so the
// client reads the answer instead of a connection reset. Nothing here reads headers, so nothing here costs crypto.
import { randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

const DRAIN_MS = 1_000;

export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === "ECONNRESET" || error.code === "EPIPE" || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "header_too_large", "the request headers are too large"]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "request_timeout", "the request took too long to arrive (headers or body)"]
        : [400, "bad_request", "malformed HTTP request"];
  const body = JSON.stringify({ error: { code, message, requestId: randomUUID() } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\n\r\n${body}`,
  );
  // Keep reading (and discarding) for a moment: destroying a socket with unread input resets it, and the client
  // would lose the answer.
  socket.on("error", () => {});
  socket.resume();
  setTimeout(() => socket.destroy(), DRAIN_MS).unref();
}
