// How a call of an HTTP tool becomes a request: the tool's `http` mapping ({method, path, arguments?}) is compiled
// once per snapshot; each call fills `{arg}` path placeholders (URL-encoded), and places the other arguments as the
// mapping says, by default in the JSON body for POST/PUT/PATCH and in the query for GET/DELETE.

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type ArgumentPlace = "path" | "query" | "header" | "body";

export interface HttpMapping {
  readonly method: HttpMethod;
  /** The path template split into literal text and placeholder names. */
  readonly segments: readonly (string | { readonly arg: string })[];
  /** Explicit places; placeholders are "path". */
  readonly places: ReadonlyMap<string, ArgumentPlace>;
  /** Where arguments the mapping does not name go. */
  readonly defaultPlace: "query" | "body";
}

/** The request to send, relative to the upstream's base URL. */
export interface PlannedRequest {
  method: HttpMethod;
  /** Path (already encoded) and query string. */
  path: string;
  /** Headers taken from arguments (names lowercased). */
  headers: Record<string, string>;
  /** JSON text of the body arguments (POST/PUT/PATCH always have one, possibly `{}`). */
  body?: string;
}

const METHODS = new Set<string>(["GET", "POST", "PUT", "PATCH", "DELETE"]);
const PLACES = new Set<string>(["path", "query", "header", "body"]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const MAX_HEADER_VALUE = 8 * 1024;

/**
 * Headers an argument may never set: what the gateway sets itself (credentials, the assertion, framing) and
 * hop-by-hop or identity-bearing headers.
 */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "host",
  "content-length",
  "content-type",
  "content-encoding",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "expect",
  "accept",
  "accept-encoding",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "mcp-session-id",
]);

export type MappingResult = { ok: true; mapping: HttpMapping } | { ok: false; error: string };

/** Compiles a snapshot tool's `http` field; `extraReserved` adds the upstream's credential header. */
export function compileHttpMapping(http: unknown, extraReserved: readonly string[] = []): MappingResult {
  if (http === null || typeof http !== "object" || Array.isArray(http)) return { ok: false, error: "no http mapping" };
  const h = http as Record<string, unknown>;
  if (typeof h.method !== "string" || !METHODS.has(h.method)) return { ok: false, error: "unsupported http.method" };
  const method = h.method as HttpMethod;
  if (typeof h.path !== "string" || !/^\/[^\s?#]*$/.test(h.path)) return { ok: false, error: "invalid http.path" };
  const segments: (string | { arg: string })[] = [];
  const places = new Map<string, ArgumentPlace>();
  let last = 0;
  for (const match of h.path.matchAll(/\{([^{}]+)\}/g)) {
    if (match.index > last) segments.push(h.path.slice(last, match.index));
    const arg = match[1] as string;
    segments.push({ arg });
    places.set(arg, "path");
    last = match.index + match[0].length;
  }
  if (last < h.path.length) segments.push(h.path.slice(last));
  if (segments.some((s) => typeof s === "string" && /[{}]/.test(s)))
    return { ok: false, error: "unbalanced braces in http.path" };

  const reserved = new Set([...RESERVED_HEADERS, ...extraReserved.map((n) => n.toLowerCase())]);
  if (h.arguments !== undefined) {
    if (h.arguments === null || typeof h.arguments !== "object" || Array.isArray(h.arguments)) {
      return { ok: false, error: "http.arguments must be an object" };
    }
    for (const [arg, place] of Object.entries(h.arguments as Record<string, unknown>)) {
      if (typeof place !== "string" || !PLACES.has(place))
        return { ok: false, error: `http.arguments.${arg}: bad place` };
      const inPath = places.get(arg) === "path";
      if ((place === "path") !== inPath) return { ok: false, error: `http.arguments.${arg}: does not match the path` };
      if (place === "header") {
        const name = arg.toLowerCase();
        if (!HEADER_NAME.test(arg) || reserved.has(name) || name.startsWith("portcullis-")) {
          return { ok: false, error: `http.arguments.${arg}: not a header an argument may set` };
        }
      }
      places.set(arg, place as ArgumentPlace);
    }
  }
  const defaultPlace = method === "GET" || method === "DELETE" ? "query" : "body";
  return { ok: true, mapping: Object.freeze({ method, segments: Object.freeze(segments), places, defaultPlace }) };
}

export type PlanResult = { ok: true; request: PlannedRequest } | { ok: false; message: string };

const isScalar = (v: unknown): v is string | number | boolean =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/** Places a call's arguments. Fails (with a message naming the argument) when one cannot go where it must. */
export function planRequest(mapping: HttpMapping, args: Readonly<Record<string, unknown>>): PlanResult {
  let path = "";
  for (const segment of mapping.segments) {
    if (typeof segment === "string") {
      path += segment;
      continue;
    }
    const value = args[segment.arg];
    if (!Object.hasOwn(args, segment.arg) || !isScalar(value)) {
      return {
        ok: false,
        message: `argument ${segment.arg} is required in the path and must be a string, number or boolean`,
      };
    }
    const text = String(value);
    if (text === "" || text === "." || text === "..") {
      return { ok: false, message: `argument ${segment.arg} cannot be empty, '.' or '..' in the path` };
    }
    path += encodeURIComponent(text);
  }
  const query = new URLSearchParams();
  const headers: Record<string, string> = {};
  const body: Record<string, unknown> = {};
  let hasBody = mapping.defaultPlace === "body";
  for (const arg of Object.keys(args)) {
    const place = mapping.places.get(arg) ?? mapping.defaultPlace;
    const value = args[arg];
    if (place === "path") continue;
    if (place === "body") {
      hasBody = true;
      if (arg === "__proto__")
        Object.defineProperty(body, arg, { value, enumerable: true, writable: true, configurable: true });
      else body[arg] = value;
    } else if (place === "query") {
      if (isScalar(value)) query.append(arg, String(value));
      else if (Array.isArray(value) && value.every(isScalar)) for (const v of value) query.append(arg, String(v));
      else return { ok: false, message: `argument ${arg} goes in the query and must be a scalar or a list of scalars` };
    } else {
      const text = isScalar(value) ? String(value) : undefined;
      if (text === undefined || text.length > MAX_HEADER_VALUE || /[\r\n\0]/.test(text)) {
        return { ok: false, message: `argument ${arg} goes in a header and must be a short single-line value` };
      }
      headers[arg.toLowerCase()] = text;
    }
  }
  const qs = query.toString();
  const request: PlannedRequest = { method: mapping.method, path: qs === "" ? path : `${path}?${qs}`, headers };
  if (hasBody) request.body = JSON.stringify(body);
  return { ok: true, request };
}
