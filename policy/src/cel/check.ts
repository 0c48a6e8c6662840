// Type checker for parsed CEL. @bufbuild/cel 0.6 only evaluates, so we check ourselves: every identifier must be
// declared, every field of a typed context object must exist, every call must match a listed signature. `dyn`
// values (tool args) are checked at run time, where a mismatch is an evaluation error, and errors fail closed.
import type { Constant, Expr } from "@bufbuild/cel-spec/cel/expr/syntax_pb.js";
import {
  type CelT,
  comparable,
  EMPTY,
  formatType,
  join,
  parseType,
  type RecordT,
  substitute,
  T,
  unify,
} from "./types.ts";

export interface Signature {
  readonly name: string;
  readonly receiver: CelT | undefined;
  readonly params: readonly CelT[];
  readonly result: CelT;
}

export interface CheckEnv {
  readonly variables: ReadonlyMap<string, CelT>;
  readonly signatures: ReadonlyMap<string, readonly Signature[]>;
}

export interface CheckIssue {
  readonly message: string;
  readonly exprId: bigint;
}

export interface CheckResult {
  readonly type: CelT;
  readonly issues: readonly CheckIssue[];
  /** Declared variables the expression reads (comprehension variables excluded). */
  readonly roots: ReadonlySet<string>;
}

/** Parses `name(params): result` / `receiver.name(params): result`; overloads needing unknown records are skipped. */
export function buildCheckEnv(
  variables: Record<string, CelT>,
  records: readonly RecordT[],
  signatures: readonly string[],
): CheckEnv {
  const recordMap = new Map(records.map((r) => [r.name, r]));
  const byName = new Map<string, Signature[]>();
  for (const text of signatures) {
    const m = /^(.+?)\((.*)\):\s*(.+)$/.exec(text);
    if (!m) throw new Error(`bad signature: ${text}`);
    const [, head = "", params = "", result = ""] = m;
    const dot = head.lastIndexOf(".");
    const name = dot >= 0 ? head.slice(dot + 1) : head;
    const receiverText = dot >= 0 ? head.slice(0, dot) : undefined;
    if (receiverText !== undefined && /^[A-Z][a-z]/.test(receiverText) && !recordMap.has(receiverText)) continue;
    const sig: Signature = {
      name,
      receiver: receiverText === undefined ? undefined : parseType(receiverText, recordMap),
      params: splitTopLevel(params).map((p) => parseType(p, recordMap)),
      result: parseType(result, recordMap),
    };
    const list = byName.get(name) ?? [];
    list.push(sig);
    byName.set(name, list);
  }
  return { variables: new Map(Object.entries(variables)), signatures: byName };
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "<") depth++;
    else if (c === ">") depth--;
    else if (c === "," && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  if (s.trim() !== "") out.push(s.slice(start));
  return out.map((p) => p.trim());
}

const OPERATOR_NAMES: Record<string, string> = {
  "_+_": "+",
  "_-_": "-",
  "_*_": "*",
  "_/_": "/",
  "_%_": "%",
  "-_": "unary -",
  "!_": "!",
  "_<_": "<",
  "_<=_": "<=",
  "_>_": ">",
  "_>=_": ">=",
  "_==_": "==",
  "_!=_": "!=",
  "_&&_": "&&",
  "_||_": "||",
  "_?_:_": "?:",
  "_[_]": "[]",
  "@in": "in",
};

const TYPE_IDENTS = new Set(["bool", "int", "uint", "double", "string", "bytes", "list", "map", "null_type", "type"]);

type Scope = ReadonlyMap<string, CelT>;

export function checkExpr(root: Expr, env: CheckEnv): CheckResult {
  const issues: CheckIssue[] = [];
  const roots = new Set<string>();
  const issue = (e: Expr, message: string) => issues.push({ message, exprId: e.id });

  const check = (e: Expr, scope: Scope): CelT => {
    const k = e.exprKind;
    switch (k.case) {
      case "constExpr":
        return constType(k.value);
      case "identExpr": {
        const name = k.value.name;
        const local = scope.get(name);
        if (local !== undefined) return local;
        const declared = env.variables.get(name);
        if (declared !== undefined) {
          roots.add(name);
          return declared;
        }
        if (TYPE_IDENTS.has(name)) return T.type;
        issue(e, `undeclared reference to '${name}'`);
        return T.dyn;
      }
      case "selectExpr": {
        const { operand, field, testOnly } = k.value;
        if (operand === undefined) return T.dyn;
        const t = check(operand, scope);
        const ft = fieldType(e, t, field);
        return testOnly ? T.bool : ft;
      }
      case "callExpr":
        return checkCall(e, k.value.function, k.value.target, k.value.args, scope);
      case "listExpr": {
        let elem: CelT | undefined;
        for (const el of k.value.elements) {
          const t = check(el, scope);
          elem = elem === undefined ? t : (join(elem, t) ?? T.dyn);
        }
        return T.list(elem ?? EMPTY);
      }
      case "structExpr": {
        if (k.value.messageName !== "") {
          issue(e, `message construction '${k.value.messageName}{…}' is not supported`);
          return T.dyn;
        }
        let key: CelT | undefined;
        let value: CelT | undefined;
        for (const entry of k.value.entries) {
          if (entry.keyKind.case === "mapKey") {
            const kt = check(entry.keyKind.value, scope);
            if (!["string", "int", "uint", "bool", "dyn"].includes(kt.kind)) {
              issue(entry.keyKind.value, `map keys must be string, int, uint or bool, not ${formatType(kt)}`);
            }
            key = key === undefined ? kt : (join(key, kt) ?? T.dyn);
          }
          if (entry.value !== undefined) {
            const vt = check(entry.value, scope);
            value = value === undefined ? vt : (join(value, vt) ?? T.dyn);
          }
        }
        return T.map(key ?? T.dyn, value ?? T.dyn);
      }
      case "comprehensionExpr": {
        const c = k.value;
        if (!c.iterRange || !c.accuInit || !c.loopCondition || !c.loopStep || !c.result) return T.dyn;
        const range = check(c.iterRange, scope);
        let iterT: CelT = T.dyn;
        if (range.kind === "list") iterT = range.elem;
        else if (range.kind === "map") iterT = range.key;
        else if (range.kind === "record") iterT = T.string;
        else if (range.kind !== "dyn") issue(c.iterRange, `cannot iterate over ${formatType(range)}`);
        const accuT = check(c.accuInit, scope);
        const inner = new Map(scope);
        inner.set(c.accuVar, accuT);
        inner.set(c.iterVar, iterT);
        const condT = check(c.loopCondition, inner);
        expectBool(c.loopCondition, condT, "loop condition");
        const stepT = check(c.loopStep, inner);
        const resultScope = new Map(scope);
        const refined = accuT.kind === "list" && accuT.elem === EMPTY && stepT.kind === "list" ? stepT : accuT;
        resultScope.set(c.accuVar, refined);
        return check(c.result, resultScope);
      }
      default:
        issue(e, "unsupported expression");
        return T.dyn;
    }
  };

  const expectBool = (e: Expr, t: CelT, what: string) => {
    if (t.kind !== "bool" && t.kind !== "dyn") issue(e, `${what} must be bool, got ${formatType(t)}`);
  };

  const fieldType = (e: Expr, t: CelT, field: string): CelT => {
    switch (t.kind) {
      case "dyn":
        return T.dyn;
      case "record": {
        const ft = t.fields[field];
        if (ft === undefined) {
          issue(e, `undefined field '${field}' on ${t.name} (fields: ${Object.keys(t.fields).join(", ")})`);
          return T.dyn;
        }
        return ft;
      }
      case "map":
        if (t.key.kind !== "string" && t.key.kind !== "dyn") {
          issue(e, `cannot select field '${field}' from ${formatType(t)}`);
        }
        return t.value;
      default:
        issue(e, `type ${formatType(t)} has no field '${field}'`);
        return T.dyn;
    }
  };

  const checkCall = (e: Expr, fn: string, target: Expr | undefined, args: readonly Expr[], scope: Scope): CelT => {
    const argT = (i: number): CelT => {
      const a = args[i];
      return a === undefined ? T.dyn : check(a, scope);
    };
    const arg = (i: number): Expr => args[i] ?? e;
    switch (fn) {
      case "_&&_":
      case "_||_":
      case "!_": {
        if (fn === "!_") {
          const t = argT(0);
          expectBool(arg(0), t, "operand of !");
          return T.bool;
        }
        // all()/exists() expand to `@result && p` / `@result || p`: then the operand is the user's predicate.
        const what = macroMade(args) ? "macro predicate" : `operand of ${OPERATOR_NAMES[fn]}`;
        for (let i = 0; i < args.length; i++) expectBool(arg(i), argT(i), what);
        return T.bool;
      }
      case "@not_strictly_false":
        argT(0);
        return T.bool;
      case "_?_:_": {
        // filter()/exists_one() expand to `p ? … @result … : @result`.
        expectBool(arg(0), argT(0), macroMade(args.slice(1)) ? "macro predicate" : "condition of ?:");
        const a = argT(1);
        const b = argT(2);
        const j = join(a, b);
        if (j === undefined) {
          issue(e, `branches of ?: have different types: ${formatType(a)} and ${formatType(b)}`);
          return T.dyn;
        }
        return j;
      }
      case "_==_":
      case "_!=_": {
        const a = argT(0);
        const b = argT(1);
        if (!comparable(a, b)) issue(e, `cannot compare ${formatType(a)} with ${formatType(b)}`);
        return T.bool;
      }
      case "@in": {
        const a = argT(0);
        const c = argT(1);
        if (c.kind === "list") {
          if (!comparable(a, c.elem)) issue(e, `cannot look for ${formatType(a)} in ${formatType(c)}`);
        } else if (c.kind === "map") {
          if (!comparable(a, c.key)) issue(e, `cannot look for ${formatType(a)} in ${formatType(c)}`);
        } else if (c.kind === "record") {
          if (!comparable(a, T.string)) issue(e, `cannot look for ${formatType(a)} in ${c.name}`);
        } else if (c.kind !== "dyn") {
          issue(e, `'in' needs a list or a map, got ${formatType(c)}`);
        }
        return T.bool;
      }
      case "_[_]": {
        const c = argT(0);
        const i = argT(1);
        switch (c.kind) {
          case "list":
            if (i.kind !== "int" && i.kind !== "uint" && i.kind !== "dyn") {
              issue(e, `list index must be int, got ${formatType(i)}`);
            }
            return c.elem;
          case "map":
            if (!comparable(i, c.key)) issue(e, `map key must be ${formatType(c.key)}, got ${formatType(i)}`);
            return c.value;
          case "record": {
            const key = args[1]?.exprKind;
            if (key?.case === "constExpr" && key.value.constantKind.case === "stringValue") {
              return fieldType(e, c, key.value.constantKind.value);
            }
            if (i.kind !== "string" && i.kind !== "dyn") issue(e, `${c.name} keys are strings, got ${formatType(i)}`);
            return T.dyn;
          }
          case "dyn":
            return T.dyn;
          default:
            issue(e, `type ${formatType(c)} cannot be indexed`);
            return T.dyn;
        }
      }
    }
    const targetT = target === undefined ? undefined : check(target, scope);
    const argTypes = args.map((a) => check(a, scope));
    const candidates = (env.signatures.get(fn) ?? []).filter(
      (s) => (s.receiver === undefined) === (target === undefined),
    );
    const display = OPERATOR_NAMES[fn] ?? fn;
    if (candidates.length === 0) {
      issue(e, target === undefined ? `undeclared function '${display}'` : `undeclared method '${display}'`);
      return T.dyn;
    }
    const results: CelT[] = [];
    for (const sig of candidates) {
      if (sig.params.length !== argTypes.length) continue;
      const bindings = new Map<string, CelT>();
      if (sig.receiver !== undefined && targetT !== undefined && !unify(sig.receiver, targetT, bindings)) continue;
      if (!sig.params.every((p, i) => unify(p, argTypes[i] ?? T.dyn, bindings))) continue;
      results.push(substitute(sig.result, bindings));
    }
    if (results.length === 0) {
      const shown = argTypes.map(formatType).join(", ");
      const on = targetT === undefined ? "" : `${formatType(targetT)}.`;
      issue(e, `no matching overload for '${on}${display}' applied to (${shown})`);
      return T.dyn;
    }
    const first = results[0] as CelT;
    return results.every((r) => formatType(r) === formatType(first)) ? first : T.dyn;
  };

  const type = check(root, new Map());
  return { type, issues, roots };
}

/** Whether a call was written by macro expansion: it reads the comprehension accumulator (`@result`). */
function macroMade(args: readonly Expr[]): boolean {
  return args.some((a) => a.exprKind.case === "identExpr" && a.exprKind.value.name.startsWith("@"));
}

function constType(c: Constant): CelT {
  switch (c.constantKind.case) {
    case "boolValue":
      return T.bool;
    case "int64Value":
      return T.int;
    case "uint64Value":
      return T.uint;
    case "doubleValue":
      return T.double;
    case "stringValue":
      return T.string;
    case "bytesValue":
      return T.bytes;
    case "nullValue":
      return T.null;
    case "durationValue":
      return T.duration;
    case "timestampValue":
      return T.timestamp;
    default:
      return T.dyn;
  }
}
