// The static types our checker reasons about. Records are our context objects (agent, tool, …): typed for the
// checker, plain maps at run time. `dyn` is the escape hatch for data whose shape we do not know (tool args).

export type PrimitiveKind =
  | "bool"
  | "int"
  | "uint"
  | "double"
  | "string"
  | "bytes"
  | "null"
  | "timestamp"
  | "duration"
  | "dyn"
  | "type";

export type CelT =
  | { readonly kind: PrimitiveKind }
  | { readonly kind: "list"; readonly elem: CelT }
  | { readonly kind: "map"; readonly key: CelT; readonly value: CelT }
  | { readonly kind: "record"; readonly name: string; readonly fields: Readonly<Record<string, CelT>> }
  | { readonly kind: "param"; readonly name: string };

export type RecordT = Extract<CelT, { kind: "record" }>;

const primitive = (kind: PrimitiveKind): CelT => Object.freeze({ kind });

export const T = {
  bool: primitive("bool"),
  int: primitive("int"),
  uint: primitive("uint"),
  double: primitive("double"),
  string: primitive("string"),
  bytes: primitive("bytes"),
  null: primitive("null"),
  timestamp: primitive("timestamp"),
  duration: primitive("duration"),
  dyn: primitive("dyn"),
  type: primitive("type"),
  list: (elem: CelT): CelT => ({ kind: "list", elem }),
  map: (key: CelT, value: CelT): CelT => ({ kind: "map", key, value }),
  record: (name: string, fields: Record<string, CelT>): RecordT => ({ kind: "record", name, fields }),
  param: (name: string): CelT => ({ kind: "param", name }),
} as const;

/** The element type of an empty list literal: unknown until joined with something. Prints as `dyn`. */
export const EMPTY = Object.freeze({ kind: "param", name: "_" }) as CelT & { kind: "param"; name: string };

export const isNumeric = (t: CelT) => t.kind === "int" || t.kind === "uint" || t.kind === "double";

/** How a type is written in error messages and in docs: `list(string)`, `map(string, dyn)`, `Agent`. */
export function formatType(t: CelT): string {
  switch (t.kind) {
    case "list":
      return `list(${formatType(t.elem)})`;
    case "map":
      return `map(${formatType(t.key)}, ${formatType(t.value)})`;
    case "record":
      return t.name;
    case "param":
      return t.name === EMPTY.name ? "dyn" : t.name;
    case "null":
      return "null_type";
    default:
      return t.kind;
  }
}

/**
 * Unifies an overload parameter with an argument type, binding type parameters. `dyn` unifies with anything:
 * such arguments are checked again at run time, where a mismatch is an evaluation error (and errors fail closed).
 */
export function unify(param: CelT, arg: CelT, bindings: Map<string, CelT>): boolean {
  if (param.kind === "param") {
    const bound = bindings.get(param.name);
    if (bound === undefined || bound.kind === "dyn") {
      bindings.set(param.name, arg);
      return true;
    }
    return unify(bound, arg, bindings);
  }
  if (param.kind === "dyn" || arg.kind === "dyn" || arg.kind === "param") return true;
  if (param.kind !== arg.kind) return false;
  switch (param.kind) {
    case "list":
      return unify(param.elem, (arg as typeof param).elem, bindings);
    case "map":
      return (
        unify(param.key, (arg as typeof param).key, bindings) &&
        unify(param.value, (arg as typeof param).value, bindings)
      );
    case "record":
      return param.name === (arg as typeof param).name;
    default:
      return true;
  }
}

/** Replaces bound type parameters; unbound ones become `dyn`. */
export function substitute(t: CelT, bindings: Map<string, CelT>): CelT {
  switch (t.kind) {
    case "param": {
      const bound = bindings.get(t.name);
      if (bound === undefined || (bound.kind === "param" && bound.name === t.name)) return T.dyn;
      return substitute(bound, bindings);
    }
    case "list":
      return T.list(substitute(t.elem, bindings));
    case "map":
      return T.map(substitute(t.key, bindings), substitute(t.value, bindings));
    default:
      return t;
  }
}

/** The common type of two branches or list elements, or undefined when they have none. */
export function join(a: CelT, b: CelT): CelT | undefined {
  // The element type of an empty list literal takes the type it is joined with (so `[]` accumulators refine).
  if (a.kind === "param") return b;
  if (b.kind === "param") return a;
  if (a.kind === "dyn" || b.kind === "dyn") return T.dyn;
  if (a.kind === "null") return b;
  if (b.kind === "null") return a;
  if (a.kind !== b.kind) return undefined;
  switch (a.kind) {
    case "list": {
      const elem = join(a.elem, (b as typeof a).elem);
      return elem === undefined ? undefined : T.list(elem);
    }
    case "map": {
      const key = join(a.key, (b as typeof a).key);
      const value = join(a.value, (b as typeof a).value);
      return key === undefined || value === undefined ? undefined : T.map(key, value);
    }
    case "record":
      return a.name === (b as typeof a).name ? a : undefined;
    default:
      return a;
  }
}

/**
 * Whether values of these types may be compared with `==`, `!=` and `in`. More lenient than cel-go on purpose:
 * numbers of different kinds compare by value (CEL's run-time heterogeneous equality), and anything compares with
 * `null`; different kinds otherwise are a compile error, because such a comparison is always false and is a bug.
 */
export function comparable(a: CelT, b: CelT): boolean {
  if (a.kind === "dyn" || b.kind === "dyn" || a.kind === "null" || b.kind === "null") return true;
  if (a.kind === "param" || b.kind === "param") return true;
  if (isNumeric(a) && isNumeric(b)) return true;
  if (a.kind === "record" && b.kind === "map") return true;
  if (a.kind === "map" && b.kind === "record") return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "list":
      return comparable(a.elem, (b as typeof a).elem);
    case "map":
      return comparable(a.key, (b as typeof a).key) && comparable(a.value, (b as typeof a).value);
    case "record":
      return a.name === (b as typeof a).name;
    default:
      return true;
  }
}

const TYPE_WORDS: Record<string, CelT> = {
  bool: T.bool,
  int: T.int,
  uint: T.uint,
  double: T.double,
  string: T.string,
  bytes: T.bytes,
  null: T.null,
  timestamp: T.timestamp,
  duration: T.duration,
  dyn: T.dyn,
  type: T.type,
};

/**
 * Parses the small signature type language used by the overload table: `int`, `list<A>`, `map<K, V>`, a single
 * capital letter for a type parameter, or a record name from `records`.
 */
export function parseType(text: string, records: ReadonlyMap<string, RecordT> = new Map()): CelT {
  let pos = 0;
  const src = text.replace(/\s+/g, "");
  const parse = (): CelT => {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(pos));
    if (!m) throw new Error(`bad type '${text}' at ${pos}`);
    const word = m[0];
    pos += word.length;
    if (word === "list" || word === "map") {
      if (src[pos] !== "<") throw new Error(`bad type '${text}': ${word} needs <…>`);
      pos++;
      const first = parse();
      let result: CelT;
      if (word === "map") {
        if (src[pos] !== ",") throw new Error(`bad type '${text}': map needs two types`);
        pos++;
        result = T.map(first, parse());
      } else {
        result = T.list(first);
      }
      if (src[pos] !== ">") throw new Error(`bad type '${text}': missing >`);
      pos++;
      return result;
    }
    const known = TYPE_WORDS[word] ?? records.get(word);
    if (known !== undefined) return known;
    if (/^[A-Z]$/.test(word)) return T.param(word);
    throw new Error(`unknown type '${word}' in '${text}'`);
  };
  const t = parse();
  if (pos !== src.length) throw new Error(`bad type '${text}': trailing '${src.slice(pos)}'`);
  return t;
}
