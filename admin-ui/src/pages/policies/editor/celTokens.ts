// A small CEL tokenizer for display only: it colours the source and finds where a reported error starts. It
// never decides anything; the control plane's compiler (POST /policies/check) is the authority.

export type TokenKind = "string" | "number" | "keyword" | "variable" | "ident" | "operator" | "comment" | "text";

export interface Token {
  kind: TokenKind;
  text: string;
  /** Offset of the first character in the source. */
  start: number;
}

import { GLOBALS } from "./celCompletions.ts";

const KEYWORDS = new Set(["true", "false", "null", "in"]);
/** The variables a policy may read; anything else at the root is an error. */
const ROOTS = new Set(GLOBALS.filter((g) => !g.endsWith("(")));

const RULES: [TokenKind, RegExp][] = [
  ["comment", /\/\/[^\n]*/y],
  ["string", /[rRbB]{0,2}("""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)/y],
  ["number", /(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)[uU]?/y],
  ["ident", /[A-Za-z_][A-Za-z0-9_]*/y],
  ["operator", /&&|\|\||==|!=|<=|>=|[-+*/%!<>?:.,()[\]{}]/y],
  ["text", /\s+|./y],
];

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let previous: Token | undefined;
  while (pos < source.length) {
    for (const [kind, re] of RULES) {
      re.lastIndex = pos;
      const m = re.exec(source);
      if (!m || m[0].length === 0) continue;
      let k: TokenKind = kind;
      if (kind === "ident") {
        const afterDot = previous?.kind === "operator" && previous.text === ".";
        if (KEYWORDS.has(m[0])) k = "keyword";
        else if (!afterDot && ROOTS.has(m[0])) k = "variable";
      }
      const token: Token = { kind: k, text: m[0], start: pos };
      tokens.push(token);
      if (k !== "text" && k !== "comment") previous = token;
      pos += m[0].length;
      break;
    }
  }
  return tokens;
}

/** The offset of a 1-based line and column (clamped to the source). */
export function offsetOf(source: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = source.indexOf("\n", offset);
    if (next === -1) return source.length;
    offset = next + 1;
  }
  const end = source.indexOf("\n", offset);
  const lineEnd = end === -1 ? source.length : end;
  return Math.min(offset + Math.max(column - 1, 0), lineEnd);
}
