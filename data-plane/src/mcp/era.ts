// Which MCP era a request at /mcp/{server} speaks, and the 2026-07-28 transport's request checks (Streamable HTTP
// "Request Metadata" and "Server Validation"): the MCP-Protocol-Version header against the body's
// `_meta["io.modelcontextprotocol/protocolVersion"]`, the Mcp-Method / Mcp-Name mirror headers (with the Base64
// sentinel encoding) against `method` / `params.name` / `params.uri`, the Mcp-Param-{Name} headers of a tool's
// `x-mcp-header` parameters against its arguments, and the required per-request `_meta` fields.
import type { IncomingMessage } from "node:http";
import {
  ALL_PROTOCOL_VERSIONS,
  isObject,
  MODERN_PROTOCOL_VERSION,
  RPC,
  type RpcError,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "./json-rpc.ts";

export const META_PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion";
export const META_CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
export const META_SERVER_INFO = "io.modelcontextprotocol/serverInfo";

/** How a request is served: as today (initialize + Mcp-Session-Id), per request (2026-07-28), or refused. */
export type Era = { kind: "legacy" } | { kind: "modern"; version: string } | { kind: "reject"; error: RpcError };

const headerValue = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
};

/** A client-supplied value fit for an error message: printable ASCII, at most 100 characters. */
export const shown = (value: string): string => value.slice(0, 100).replace(/[^\x20-\x7e]/g, "?");

/** The era the headers alone name (before the body is read): modern for `MCP-Protocol-Version: 2026-07-28`. */
export function headerEra(req: IncomingMessage): "modern" | "legacy" {
  return headerValue(req, "mcp-protocol-version") === MODERN_PROTOCOL_VERSION ? "modern" : "legacy";
}

const mismatch = (message: string): { kind: "reject"; error: RpcError } => ({
  kind: "reject",
  error: { code: RPC.headerMismatch, message: `Header mismatch: ${message}` },
});

/**
 * The era of a parsed request. A request whose body carries `_meta["io.modelcontextprotocol/protocolVersion"]`
 * must carry the same value in MCP-Protocol-Version (-32020 otherwise); the header's version then decides:
 * 2026-07-28 is modern, 2025-11-25/2025-06-18 (or no header at all) is the legacy era exactly as before, anything
 * else is an UnsupportedProtocolVersionError (-32022) listing the supported versions, except on a legacy
 * `initialize` (no `_meta` version), which negotiates its version in its params as 2025-11-25 says.
 */
export function classifyEra(req: IncomingMessage, method: string, params: Record<string, unknown>): Era {
  const header = headerValue(req, "mcp-protocol-version");
  const meta = isObject(params._meta) ? params._meta : undefined;
  const declared = meta && Object.hasOwn(meta, META_PROTOCOL_VERSION) ? meta[META_PROTOCOL_VERSION] : undefined;
  if (declared !== undefined) {
    if (header === undefined) {
      return mismatch("the MCP-Protocol-Version header is required (the body's _meta names a protocol version)");
    }
    if (declared !== header) {
      const body = typeof declared === "string" ? `'${shown(declared)}'` : "a non-string";
      return mismatch(`MCP-Protocol-Version header value '${shown(header)}' does not match body value ${body}`);
    }
  }
  if (header === undefined) return { kind: "legacy" };
  if (header === MODERN_PROTOCOL_VERSION) return { kind: "modern", version: header };
  if ((SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(header)) return { kind: "legacy" };
  if (method === "initialize" && declared === undefined) return { kind: "legacy" };
  return { kind: "reject", error: unsupportedVersion(header) };
}

export const unsupportedVersion = (requested: string): RpcError => ({
  code: RPC.unsupportedProtocolVersion,
  message: "Unsupported protocol version",
  data: { supported: [...ALL_PROTOCOL_VERSIONS], requested: requested.slice(0, 100) },
});

const SENTINEL_PREFIX = "=?base64?";
const SENTINEL_SUFFIX = "?=";
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A mirror header's value as the client meant it: a `=?base64?…?=` sentinel decoded (strict Base64 of UTF-8),
 * anything else as is, which must then be plain header-safe ASCII (visible characters, space, tab).
 */
export function decodeHeaderValue(raw: string): { ok: true; value: string } | { ok: false; why: string } {
  if (raw.length >= SENTINEL_PREFIX.length + SENTINEL_SUFFIX.length) {
    if (raw.startsWith(SENTINEL_PREFIX) && raw.endsWith(SENTINEL_SUFFIX)) {
      const encoded = raw.slice(SENTINEL_PREFIX.length, -SENTINEL_SUFFIX.length);
      if (encoded.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) {
        return { ok: false, why: "is not valid Base64" };
      }
      try {
        return { ok: true, value: utf8.decode(Buffer.from(encoded, "base64")) };
      } catch {
        return { ok: false, why: "is not Base64 of UTF-8" };
      }
    }
  }
  if (!/^[\x20-\x7e\t]*$/.test(raw)) return { ok: false, why: "contains invalid characters" };
  return { ok: true, value: raw };
}

/** The methods whose name the Mcp-Name header mirrors, and from which params field. */
const NAME_SOURCES: Readonly<Record<string, "name" | "uri">> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri",
};

/**
 * The 2026-07-28 checks of one request (`isRequest`: it has an id) before it is dispatched: the mirror headers
 * (-32020) and the required `_meta` fields (-32602). Notifications need no mirror headers (the revision defines
 * none for them) but those they carry must match. Undefined when the request passes.
 */
export function checkModernRequest(
  req: IncomingMessage,
  method: string,
  params: Record<string, unknown>,
  isRequest: boolean,
): RpcError | undefined {
  const mcpMethod = headerValue(req, "mcp-method");
  if (mcpMethod === undefined) {
    if (isRequest) return mismatch("the Mcp-Method header is required").error;
  } else if (mcpMethod !== method) {
    return mismatch(`Mcp-Method header value '${shown(mcpMethod)}' does not match body value '${shown(method)}'`).error;
  }
  const source = NAME_SOURCES[method];
  if (source && isRequest) {
    const raw = headerValue(req, "mcp-name");
    if (raw === undefined) return mismatch(`the Mcp-Name header is required for ${method}`).error;
    const decoded = decodeHeaderValue(raw);
    if (!decoded.ok) return mismatch(`the Mcp-Name header value ${decoded.why}`).error;
    const body = params[source];
    if (decoded.value !== body) {
      const bodyShown = typeof body === "string" ? `'${shown(body)}'` : `missing (params.${source})`;
      return mismatch(`Mcp-Name header value '${shown(decoded.value)}' does not match body value ${bodyShown}`).error;
    }
  }
  if (!isRequest) return undefined;
  const meta = params._meta;
  const missing = (field: string): RpcError => ({
    code: RPC.invalidParams,
    message: `Invalid params: _meta["${field}"] is required in protocol version ${MODERN_PROTOCOL_VERSION}`,
  });
  if (!isObject(meta) || typeof meta[META_PROTOCOL_VERSION] !== "string") return missing(META_PROTOCOL_VERSION);
  if (!isObject(meta[META_CLIENT_CAPABILITIES])) return missing(META_CLIENT_CAPABILITIES);
  return undefined;
}

/** One tool parameter mirrored into an `Mcp-Param-{name}` header (an `x-mcp-header` annotation). */
export interface ParamHeader {
  /** The annotation's value (the header is `Mcp-Param-{name}`). */
  name: string;
  /** The chain of `properties` keys from the schema root. */
  path: string[];
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const PRIMITIVE = new Set(["string", "integer", "boolean"]);

/**
 * The `x-mcp-header` annotations of a tool's input schema, statically reachable through `properties` only. A
 * definition whose annotations break the revision's constraints (empty or not a token, duplicate ignoring case,
 * on a non-primitive parameter) yields `invalid`: clients drop such tools, the gateway checks no header for them.
 */
export function paramHeadersOf(inputSchema: unknown): { ok: true; headers: ParamHeader[] } | { ok: false } {
  const headers: ParamHeader[] = [];
  const seen = new Set<string>();
  let valid = true;
  const walk = (schema: Record<string, unknown>, path: string[], depth: number) => {
    if (depth > 32 || !isObject(schema.properties)) return;
    for (const [key, sub] of Object.entries(schema.properties)) {
      if (!isObject(sub)) continue;
      const annotation = sub["x-mcp-header"];
      if (annotation !== undefined) {
        const lower = typeof annotation === "string" ? annotation.toLowerCase() : "";
        if (!TOKEN.test(lower) || seen.has(lower) || !PRIMITIVE.has(String(sub.type))) valid = false;
        else {
          seen.add(lower);
          headers.push({ name: annotation as string, path: [...path, key] });
        }
      }
      walk(sub, [...path, key], depth + 1);
    }
  };
  if (isObject(inputSchema)) walk(inputSchema, [], 0);
  return valid ? { ok: true, headers } : { ok: false };
}

/**
 * The Mcp-Param-{name} headers of a call against its arguments ("Server Behavior for Custom Headers"): a value
 * present in the body needs its header, decoded and equal (integers compared as numbers, booleans as
 * "true"/"false"); a header without a body value (absent or null) does not match either. -32020 otherwise.
 */
export function checkParamHeaders(
  req: IncomingMessage,
  inputSchema: unknown,
  args: Record<string, unknown>,
): RpcError | undefined {
  const annotated = paramHeadersOf(inputSchema);
  if (!annotated.ok) return undefined;
  for (const { name, path } of annotated.headers) {
    let value: unknown = args;
    for (const key of path) value = isObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
    const header = `Mcp-Param-${name}`;
    const raw = headerValue(req, header.toLowerCase());
    if (value === undefined || value === null) {
      if (raw !== undefined) return mismatch(`the ${shown(header)} header has no value in the body to match`).error;
      continue;
    }
    if (raw === undefined) return mismatch(`the ${shown(header)} header is required (its parameter has a value)`).error;
    const decoded = decodeHeaderValue(raw);
    if (!decoded.ok) return mismatch(`the ${shown(header)} header value ${decoded.why}`).error;
    const text = decoded.value;
    const matches =
      typeof value === "number"
        ? /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text) && Number(text) === value
        : typeof value === "boolean" || typeof value === "string"
          ? text === String(value)
          : false;
    if (!matches) {
      return mismatch(`${shown(header)} header value '${shown(text)}' does not match the body's value`).error;
    }
  }
  return undefined;
}
