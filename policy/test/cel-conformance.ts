// Runs the CEL specification's conformance cases (shipped in @bufbuild/cel-spec) against @bufbuild/cel.
// Test and measurement code only: besides src/cel/, this is the one place that imports the CEL library directly,
// because it judges the library itself rather than our policy language.
import {
  type CelInput,
  type CelValue,
  celEnv,
  celUint,
  isCelError,
  isCelType,
  objectType,
  parse,
  plan,
} from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import type { Value } from "@bufbuild/cel-spec/cel/expr/value_pb.js";
import { getTestRegistry } from "@bufbuild/cel-spec/testdata/registry.js";
import {
  getConformanceSuite,
  type IncrementalTest,
  type IncrementalTestSuite,
} from "@bufbuild/cel-spec/testdata/tests.js";
import { equals as protoEquals } from "@bufbuild/protobuf";
import { isReflectMessage } from "@bufbuild/protobuf/reflect";
import { anyUnpack } from "@bufbuild/protobuf/wkt";

/**
 * "Core": the suites of the CEL language over the data Portcullis policies see (scalars, lists, maps, timestamps,
 * durations, JSON-like values). See docs/adr/0003-cel-library.md for why the protobuf suites are counted apart.
 */
export const CORE_SUITES = [
  "basic",
  "comparisons",
  "conversions",
  "dynamic",
  "fields",
  "fp_math",
  "integer_math",
  "lists",
  "logic",
  "macros",
  "namespace",
  "parse",
  "plumbing",
  "string",
  "timestamps",
  "unknowns",
  "wrappers",
] as const;

/** Protobuf message semantics (message literals, proto2 extensions, enum types): unreachable from our policies. */
export const PROTOBUF_SUITES = ["enums", "proto2", "proto3"] as const;

/** Extension suites for the extension functions our dialect exposes. */
export const EXTENSION_SUITES = ["string_ext"] as const;

export type CaseOutcome = "pass" | "fail" | "not_applicable";

export interface CaseResult {
  /** `suite/section/name`, unique within the run. */
  name: string;
  suite: string;
  outcome: CaseOutcome;
  detail?: string;
  /** The planned program, for throughput measurements (only when the case passed). */
  program?: () => unknown;
}

const registry = getTestRegistry();

/** Runs every case of the given top-level suites. Cases a pure evaluator cannot run are `not_applicable`. */
export function runConformance(suites: readonly string[]): CaseResult[] {
  const root = getConformanceSuite();
  const results: CaseResult[] = [];
  const seen = new Map<string, number>();
  const walk = (suite: IncrementalTestSuite, path: string[], top: string) => {
    for (const test of suite.tests) {
      let name = [...path, test.name].join("/");
      const n = (seen.get(name) ?? 0) + 1;
      seen.set(name, n);
      if (n > 1) name = `${name}#${n}`;
      results.push({ name, suite: top, ...runCase(test) });
    }
    for (const sub of suite.suites) walk(sub, [...path, sub.name], top);
  };
  for (const suite of root.suites) {
    if (suites.includes(suite.name)) walk(suite, [suite.name], suite.name);
  }
  return results;
}

function runCase(test: IncrementalTest): Omit<CaseResult, "name" | "suite"> {
  const t = test.original;
  const matcher = t.resultMatcher;
  if (t.checkOnly) return { outcome: "not_applicable", detail: "check-only case (needs a type checker)" };
  if (matcher.case === "unknown" || matcher.case === "anyUnknowns") {
    return { outcome: "not_applicable", detail: "unknown-set evaluation" };
  }
  let program: (ctx?: Record<string, CelInput>) => unknown;
  let bindings: Record<string, CelInput>;
  try {
    const env = celEnv({ namespace: t.container, registry, funcs: strings });
    program = plan(env, parse(t.expr)) as typeof program;
    bindings = {};
    for (const [name, exprValue] of Object.entries(t.bindings)) {
      if (exprValue.kind.case !== "value") return { outcome: "not_applicable", detail: "non-value binding" };
      bindings[name] = fromValue(exprValue.kind.value);
    }
  } catch (e) {
    return { outcome: "fail", detail: `parse/plan: ${(e as Error).message}` };
  }
  const actual = program(bindings);
  const run = () => program(bindings);
  switch (matcher.case) {
    case "evalError":
    case "anyEvalErrors":
      return isCelError(actual)
        ? { outcome: "pass", program: run }
        : { outcome: "fail", detail: `expected an error, got ${show(actual)}` };
    case "value":
    case "typedResult": {
      const value = matcher.case === "value" ? matcher.value : matcher.value.result;
      if (value === undefined) return { outcome: "pass", program: run };
      if (isCelError(actual)) return { outcome: "fail", detail: `error: ${actual.message}` };
      let expected: CelValue;
      try {
        expected = normalize(fromValue(value));
      } catch (e) {
        return { outcome: "fail", detail: `expected value: ${(e as Error).message}` };
      }
      return sameValue(actual as CelValue, expected)
        ? { outcome: "pass", program: run }
        : { outcome: "fail", detail: `got ${show(actual)}, want ${show(expected)}` };
    }
    default:
      // No matcher: the case only asks that evaluation yields true.
      return actual === true ? { outcome: "pass", program: run } : { outcome: "fail", detail: show(actual) };
  }
}

const identity = plan(celEnv({ registry }), parse("x")) as (ctx: { x: CelInput }) => unknown;

/** Lets the library itself turn an expected input (e.g. a wrapper or Struct message) into its CEL value. */
function normalize(v: CelInput): CelValue {
  const out = identity({ x: v });
  if (isCelError(out)) throw out;
  return out as CelValue;
}

function fromValue(v: Value): CelInput {
  const k = v.kind;
  switch (k.case) {
    case "nullValue":
      return null;
    case "boolValue":
    case "stringValue":
    case "doubleValue":
    case "int64Value":
    case "bytesValue":
      return k.value;
    case "uint64Value":
      return celUint(k.value);
    case "enumValue":
      return BigInt(k.value.value);
    case "objectValue": {
      const msg = anyUnpack(k.value, registry);
      if (msg === undefined) throw new Error(`cannot unpack ${k.value.typeUrl}`);
      return msg;
    }
    case "listValue":
      return k.value.values.map(fromValue);
    case "mapValue": {
      const m = new Map<bigint | string | boolean | ReturnType<typeof celUint>, CelInput>();
      for (const e of k.value.entries) {
        if (e.key === undefined || e.value === undefined) continue;
        m.set(fromValue(e.key) as string, fromValue(e.value));
      }
      return m;
    }
    case "typeValue":
      return normalize(typeProbe(k.value));
    default:
      throw new Error("empty value");
  }
}

/** Gets a CelType by evaluating `type(...)` of a literal of that type: the only public way to name one. */
function typeProbe(name: string): CelInput {
  const literal: Record<string, string> = {
    int: "type(1)",
    uint: "type(1u)",
    double: "type(1.0)",
    bool: "type(true)",
    string: "type('')",
    bytes: "type(b'')",
    null_type: "type(null)",
    list: "type([])",
    map: "type({})",
    type: "type(int)",
    "google.protobuf.Timestamp": "type(timestamp(0))",
    "google.protobuf.Duration": "type(duration('1s'))",
  };
  const expr = literal[name];
  if (expr === undefined) return objectType(name);
  const out = plan(celEnv({ registry }), parse(expr))();
  if (isCelError(out)) throw new Error(`cannot name type ${name}`);
  return out as CelInput;
}

function sameValue(a: CelValue, b: CelValue): boolean {
  if (typeof a !== typeof b) return false;
  switch (typeof a) {
    case "number":
      return (Number.isNaN(a) && Number.isNaN(b as number)) || a === b;
    case "bigint":
    case "boolean":
    case "string":
      return a === b;
  }
  if (a === null || b === null) return a === b;
  if (a instanceof Uint8Array) {
    return b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (isCelType(a) || isCelType(b)) return isCelType(a) && isCelType(b) && a.toString() === b.toString();
  const au = a as unknown as Record<PropertyKey, unknown>;
  const bu = b as unknown as Record<PropertyKey, unknown>;
  if (isReflectMessage(au) || isReflectMessage(bu)) {
    return (
      isReflectMessage(au) &&
      isReflectMessage(bu) &&
      au.desc.typeName === bu.desc.typeName &&
      protoEquals(au.desc, au.message, bu.message)
    );
  }
  if ("value" in au && typeof au.value === "bigint") {
    // CelUint
    return "value" in bu && bu.value === au.value && typeof (bu as { get?: unknown }).get !== "function";
  }
  if (typeof au.get === "function" && typeof au.keys === "function") {
    // CelMap
    const am = a as unknown as ReadonlyMap<unknown, CelValue>;
    const bm = b as unknown as ReadonlyMap<unknown, CelValue>;
    if (typeof bu.keys !== "function" || am.size !== bm.size) return false;
    for (const [k, v] of bm) {
      const other = am.get(k);
      if (other === undefined || !sameValue(other, v)) return false;
    }
    return true;
  }
  if (typeof au.get === "function" && typeof au.size === "number") {
    // CelList
    const al = [...(a as unknown as Iterable<CelValue>)];
    if (typeof bu.get !== "function" || typeof bu.keys === "function") return false;
    const bl = [...(b as unknown as Iterable<CelValue>)];
    return al.length === bl.length && al.every((x, i) => sameValue(x, bl[i] as CelValue));
  }
  return false;
}

function show(v: unknown): string {
  if (isCelError(v)) return `error(${v.message})`;
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x instanceof Map ? [...x] : x)) ?? String(v);
  } catch {
    return String(v);
  }
}
