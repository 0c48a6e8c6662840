// Reads a JSON request body within a byte limit: checks the media type, refuses a declared Content-Length over the
// limit before reading anything, stops reading (never buffering more than the limit) when a chunked body crosses
// it, decodes UTF-8 strictly and parses with the strict parser. The caller closes the connection after a refusal.
import type { IncomingMessage } from "node:http";
import { DEFAULT_MAX_JSON_DEPTH, parseStrictJson, StrictJsonError } from "./strict-json.ts";

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export type BodyProblem = "unsupported_media_type" | "payload_too_large" | "invalid_json" | "client_aborted";

export type JsonBody = { ok: true; value: unknown; bytes: number } | { ok: false; code: BodyProblem; message: string };

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** `application/json`, optionally with `charset=utf-8`; anything else is refused with 415. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type, ...params] = header.split(";");
  if (type?.trim().toLowerCase() !== "application/json") return false;
  for (const param of params) {
    const [name, value] = param.split("=");
    if (name?.trim().toLowerCase() === "charset" && value?.trim().replace(/^"|"$/g, "").toLowerCase() !== "utf-8") {
      return false;
    }
  }
  return true;
}

/** Checks what the headers alone can tell: the media type and a declared length. Runs before authentication. */
export function checkBodyHeaders(
  req: IncomingMessage,
  maxBytes: number,
): { code: BodyProblem; message: string } | undefined {
  if (!isJsonContentType(req.headers["content-type"])) {
    return { code: "unsupported_media_type", message: "the request body must be application/json (UTF-8)" };
  }
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > maxBytes) {
    return { code: "payload_too_large", message: `the request body exceeds ${maxBytes} bytes` };
  }
  return undefined;
}

/** Reads and parses the body. Never holds more than `maxBytes` of it. */
export function readJsonBody(
  req: IncomingMessage,
  options: { maxBytes?: number; maxDepth?: number } = {},
): Promise<JsonBody> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const finish = (result: JsonBody) => {
      if (settled) return;
      settled = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        chunks.length = 0;
        req.pause();
        finish({ ok: false, code: "payload_too_large", message: `the request body exceeds ${maxBytes} bytes` });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      let text: string;
      try {
        text = utf8.decode(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total));
      } catch {
        finish({ ok: false, code: "invalid_json", message: "the request body is not valid UTF-8" });
        return;
      }
      try {
        finish({ ok: true, value: parseStrictJson(text, maxDepth), bytes: total });
      } catch (error) {
        const message = error instanceof StrictJsonError ? error.message : "not valid JSON";
        finish({ ok: false, code: "invalid_json", message: `the request body is not acceptable JSON: ${message}` });
      }
    };
    const onError = () => finish({ ok: false, code: "client_aborted", message: "the client aborted the request" });
    const onClose = () => {
      if (!req.complete) finish({ ok: false, code: "client_aborted", message: "the client aborted the request" });
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}
