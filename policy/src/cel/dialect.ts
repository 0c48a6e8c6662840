// The functions a policy may call: the CEL standard functions we keep, a safe subset of the strings extension, and
// our helpers. The checker accepts exactly the signatures listed here, so a policy can only reach what we list.
import { type CelFunc, CelScalar, celFunc, celMethod, isCelMap, isCelUint } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { RE2JS } from "@bufbuild/re2";
import { chargeRegex, tick } from "./meter.ts";

const ORDERING_PAIRS = [
  "bool, bool",
  "int, int",
  "uint, uint",
  "double, double",
  "string, string",
  "bytes, bytes",
  "timestamp, timestamp",
  "duration, duration",
  "int, uint",
  "int, double",
  "uint, int",
  "uint, double",
  "double, int",
  "double, uint",
];

const TIMESTAMP_ACCESSORS = [
  "getFullYear",
  "getMonth",
  "getDate",
  "getDayOfMonth",
  "getDayOfWeek",
  "getDayOfYear",
  "getHours",
  "getMinutes",
  "getSeconds",
  "getMilliseconds",
];

/**
 * Signatures, written `name(params): result` or `receiver.name(params): result`. Operators use CEL's internal
 * names (`_+_`). `==`, `!=`, `in`, `[]`, `&&`, `||`, `?:` are checked by the checker itself.
 */
export const SIGNATURES: readonly string[] = [
  ...["int", "uint", "double", "string", "bytes"].map((t) => `_+_(${t}, ${t}): ${t}`),
  "_+_(list<A>, list<A>): list<A>",
  "_+_(timestamp, duration): timestamp",
  "_+_(duration, timestamp): timestamp",
  "_+_(duration, duration): duration",
  ...["int", "uint", "double"].flatMap((t) => [
    `_-_(${t}, ${t}): ${t}`,
    `_*_(${t}, ${t}): ${t}`,
    `_/_(${t}, ${t}): ${t}`,
  ]),
  "_-_(timestamp, timestamp): duration",
  "_-_(timestamp, duration): timestamp",
  "_-_(duration, duration): duration",
  "_%_(int, int): int",
  "_%_(uint, uint): uint",
  "-_(int): int",
  "-_(double): double",
  "!_(bool): bool",
  ...["_<_", "_<=_", "_>_", "_>=_"].flatMap((op) => ORDERING_PAIRS.map((pair) => `${op}(${pair}): bool`)),
  ...["string", "bytes", "list<A>", "map<K, V>"].flatMap((t) => [`size(${t}): int`, `${t}.size(): int`]),
  "string.contains(string): bool",
  "string.startsWith(string): bool",
  "string.endsWith(string): bool",
  "string.matches(string): bool",
  "matches(string, string): bool",
  ...["int", "uint", "double", "string", "timestamp"].map((t) => `int(${t}): int`),
  ...["int", "uint", "double", "string"].map((t) => `uint(${t}): uint`),
  ...["int", "uint", "double", "string"].map((t) => `double(${t}): double`),
  ...["int", "uint", "double", "string", "bytes", "bool", "timestamp", "duration"].map((t) => `string(${t}): string`),
  "bytes(string): bytes",
  "bytes(bytes): bytes",
  "bool(bool): bool",
  "bool(string): bool",
  "dyn(A): dyn",
  "type(A): type",
  "timestamp(string): timestamp",
  "timestamp(int): timestamp",
  "timestamp(timestamp): timestamp",
  "duration(string): duration",
  "duration(duration): duration",
  ...TIMESTAMP_ACCESSORS.flatMap((f) => [`timestamp.${f}(): int`, `timestamp.${f}(string): int`]),
  ...["getHours", "getMinutes", "getSeconds", "getMilliseconds"].map((f) => `duration.${f}(): int`),
  // strings extension, the subset whose cost is linear in its input (no replace, no format)
  "string.lowerAscii(): string",
  "string.upperAscii(): string",
  "string.trim(): string",
  "string.indexOf(string): int",
  "string.indexOf(string, int): int",
  "string.lastIndexOf(string): int",
  "string.lastIndexOf(string, int): int",
  "string.substring(int): string",
  "string.substring(int, int): string",
  "string.charAt(int): string",
  "string.split(string): list<string>",
  "string.split(string, int): list<string>",
  "list<string>.join(): string",
  "list<string>.join(string): string",
  // our helpers (see docs/policy-reference.md)
  "Session.count(string): int",
  "Session.called(string): bool",
  "money(int): double",
  "money(uint): double",
  "money(double): double",
  "money(string): double",
  "normalize_path(string): string",
  "path_within(string, string): bool",
];

const STRING_EXT_KEPT = new Set([
  "lowerAscii",
  "upperAscii",
  "trim",
  "indexOf",
  "lastIndexOf",
  "substring",
  "charAt",
  "split",
  "join",
]);

const MONEY = /^[+-]?\d{1,15}(\.\d{1,6})?$/;

/** A number, or a plain decimal string such as "127.50", as a double; anything else is an evaluation error. */
export function money(v: unknown): number {
  let n: number;
  if (typeof v === "number") n = v;
  else if (typeof v === "bigint") n = Number(v);
  else if (isCelUint(v)) n = Number(v.value);
  else if (typeof v === "string") {
    const s = v.trim();
    if (!MONEY.test(s)) throw new Error(`money(): '${v.slice(0, 40)}' is not a decimal amount`);
    n = Number(s);
  } else throw new Error("money(): expected a number or a decimal string");
  if (!Number.isFinite(n)) throw new Error("money(): amount is not finite");
  return n;
}

/**
 * POSIX-style normalization: `\` counts as `/`, repeated slashes collapse, `.` segments go, `..` removes the
 * previous segment (and never climbs above the root of an absolute path). NUL bytes are an error.
 */
export function normalizePath(p: string): string {
  if (p.includes("\0")) throw new Error("normalize_path(): path contains a NUL byte");
  const unified = p.replaceAll("\\", "/");
  const absolute = unified.startsWith("/");
  const out: string[] = [];
  for (const seg of unified.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
      continue;
    }
    out.push(seg);
  }
  const body = out.join("/");
  if (absolute) return `/${body}`;
  return body === "" ? "." : body;
}

/** True when `p`, normalized, is `base` or lies under it. A relative path that climbs out (`../x`) never is. */
export function pathWithin(p: string, base: string): boolean {
  const np = normalizePath(p);
  const nb = normalizePath(base);
  if (np === ".." || np.startsWith("../")) return false;
  if (np.startsWith("/") !== nb.startsWith("/")) return false;
  if (nb === "/" || nb === ".") return true;
  return np === nb || np.startsWith(`${nb}/`);
}

const regexCache = new Map<string, RE2JS>();
const REGEX_CACHE_SIZE = 512;

function regexMatches(text: string, pattern: string): boolean {
  chargeRegex(text.length);
  let re = regexCache.get(pattern);
  if (re === undefined) {
    re = RE2JS.compile(pattern);
    if (regexCache.size >= REGEX_CACHE_SIZE) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re.test(text);
}

function codePointLength(s: string): bigint {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return BigInt(n);
}

function sessionCount(session: unknown, tool: string): bigint {
  if (!isCelMap(session)) throw new Error("count(): receiver is not a session");
  const counts = session.get("counts");
  if (!isCelMap(counts)) throw new Error("count(): session has no counts");
  const n = counts.get(tool);
  return typeof n === "bigint" ? n : 0n;
}

const { BOOL, DOUBLE, DYN, INT, STRING } = CelScalar;

/** The run-time functions we add to, or replace in, the library's standard set. */
export function runtimeFunctions(): CelFunc[] {
  return [
    ...strings.filter((f) => STRING_EXT_KEPT.has(f.name)),
    // RE2 with a compiled-pattern cache and a cost charge proportional to the input length.
    celMethod("matches", STRING, [STRING], BOOL, function (pattern) {
      return regexMatches(this, pattern);
    }),
    celFunc("matches", [STRING, STRING], BOOL, (text, pattern) => regexMatches(text, pattern)),
    // size() without materializing an array of code points.
    celFunc("size", [STRING], INT, (s) => codePointLength(s)),
    celMethod("size", STRING, [], INT, function () {
      return codePointLength(this);
    }),
    celMethod("count", DYN, [STRING], INT, function (tool) {
      return sessionCount(this, tool);
    }),
    celMethod("called", DYN, [STRING], BOOL, function (tool) {
      return sessionCount(this, tool) > 0n;
    }),
    celFunc("money", [DYN], DOUBLE, (v) => money(v)),
    celFunc("normalize_path", [STRING], STRING, (p) => normalizePath(p)),
    celFunc("path_within", [STRING, STRING], BOOL, (p, base) => pathWithin(p, base)),
    celFunc(TICK, [BOOL], BOOL, (b) => {
      tick();
      return b;
    }),
  ];
}

/** Inserted by the compiler into every comprehension's loop condition; a user cannot spell the name. */
export const TICK = "@portcullis_tick";
