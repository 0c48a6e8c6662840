// A strict JSON parser for request bodies: RFC 8259 JSON, and additionally no duplicate object keys, no nesting
// deeper than `maxDepth`, no numbers that overflow to ±Infinity. Iterative depth is bounded before recursing, so a
// 100k-deep document costs a few bytes of scanning and never the stack. The value it returns is what is forwarded.

export const DEFAULT_MAX_JSON_DEPTH = 64;

/** The body is not acceptable JSON; `message` is safe to show (it never echoes more than a short key). */
export class StrictJsonError extends Error {
  override readonly name = "StrictJsonError";
  readonly position: number;
  constructor(message: string, position: number) {
    super(`${message} (at offset ${position})`);
    this.position = position;
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/**
 * Parses `text` as strict JSON. Objects are plain objects (`Object.prototype`), and a `__proto__` key becomes an
 * own property exactly as JSON.parse makes it, never a prototype.
 */
export function parseStrictJson(text: string, maxDepth: number = DEFAULT_MAX_JSON_DEPTH): unknown {
  let i = 0;
  const n = text.length;

  const fail = (message: string): never => {
    throw new StrictJsonError(message, i);
  };

  const skipWhitespace = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };

  const literal = (word: string, value: unknown): unknown => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return value;
    }
    return fail("invalid literal");
  };

  const number = (): number => {
    NUMBER.lastIndex = i;
    const match = NUMBER.exec(text);
    if (!match) return fail("invalid number");
    i += match[0].length;
    const value = Number(match[0]);
    if (!Number.isFinite(value)) return fail("number out of range");
    return value;
  };

  const string = (): string => {
    i++; // the opening quote
    let out = "";
    let start = i;
    for (;;) {
      if (i >= n) return fail("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c < 0x20) return fail("control character in string (escape it)");
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(start, i);
      const e = text[i + 1];
      if (e === "u") {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) return fail("invalid \\u escape");
        out += String.fromCharCode(Number.parseInt(hex, 16));
        i += 6;
      } else {
        const decoded = e === undefined ? undefined : ESCAPES[e];
        if (decoded === undefined) return fail("invalid escape in string");
        out += decoded;
        i += 2;
      }
      start = i;
    }
  };

  const value = (depth: number): unknown => {
    skipWhitespace();
    if (i >= n) return fail("unexpected end of input");
    const c = text.charCodeAt(i);
    if (c === 0x7b) return object(depth + 1);
    if (c === 0x5b) return array(depth + 1);
    if (c === 0x22) return string();
    if (c === 0x74) return literal("true", true);
    if (c === 0x66) return literal("false", false);
    if (c === 0x6e) return literal("null", null);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return number();
    return fail("unexpected character");
  };

  const object = (depth: number): Record<string, unknown> => {
    if (depth > maxDepth) fail(`nested deeper than ${maxDepth} levels`);
    i++;
    const result: Record<string, unknown> = {};
    skipWhitespace();
    if (text.charCodeAt(i) === 0x7d) {
      i++;
      return result;
    }
    for (;;) {
      skipWhitespace();
      if (text.charCodeAt(i) !== 0x22) return fail("expected a string key");
      const keyAt = i;
      const key = string();
      if (Object.hasOwn(result, key)) {
        i = keyAt;
        return fail(`duplicate key ${JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key)}`);
      }
      skipWhitespace();
      if (text.charCodeAt(i) !== 0x3a) return fail("expected ':'");
      i++;
      const v = value(depth);
      if (key === "__proto__") {
        Object.defineProperty(result, key, { value: v, enumerable: true, writable: true, configurable: true });
      } else {
        result[key] = v;
      }
      skipWhitespace();
      const c = text.charCodeAt(i);
      if (c === 0x2c) {
        i++;
        continue;
      }
      if (c === 0x7d) {
        i++;
        return result;
      }
      return fail("expected ',' or '}'");
    }
  };

  const array = (depth: number): unknown[] => {
    if (depth > maxDepth) fail(`nested deeper than ${maxDepth} levels`);
    i++;
    const result: unknown[] = [];
    skipWhitespace();
    if (text.charCodeAt(i) === 0x5d) {
      i++;
      return result;
    }
    for (;;) {
      result.push(value(depth));
      skipWhitespace();
      const c = text.charCodeAt(i);
      if (c === 0x2c) {
        i++;
        continue;
      }
      if (c === 0x5d) {
        i++;
        return result;
      }
      return fail("expected ',' or ']'");
    }
  };

  const result = value(0);
  skipWhitespace();
  if (i < n) fail("unexpected data after the JSON value");
  return result;
}
