// Our small interface over @bufbuild/cel: compile (parse, type-check, plant budget ticks, plan) once, evaluate
// many times. Nothing outside src/cel/ imports the library. Evaluation never parses and never throws.
import { type CelEnv, celEnv, isCelError, isCelList, parse, plan } from "@bufbuild/cel";
import type { Expr, ParsedExpr } from "@bufbuild/cel-spec/cel/expr/syntax_pb.js";
import { buildCheckEnv, type CheckEnv, checkExpr } from "./check.ts";
import { runtimeFunctions, SIGNATURES, TICK } from "./dialect.ts";
import { type Meter, withMeter } from "./meter.ts";
import { type CelT, formatType, type RecordT } from "./types.ts";

export interface ExpressionEnv {
  readonly check: CheckEnv;
  readonly runtime: CelEnv;
}

/** Declares the variables (and the record types they use) that expressions compiled in this env may read. */
export function createExpressionEnv(variables: Record<string, CelT>, records: readonly RecordT[]): ExpressionEnv {
  return {
    check: buildCheckEnv(variables, records, SIGNATURES),
    runtime: celEnv({ funcs: runtimeFunctions() }),
  };
}

export interface ExpressionIssue {
  readonly message: string;
  /** 1-based line and column of the offending part of the source. */
  readonly line: number;
  readonly column: number;
}

export type EvalOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: string; readonly limit?: "eval_cost" | "eval_time" };

export interface CompiledExpression {
  readonly source: string;
  readonly type: CelT;
  /** Root variables the expression reads, e.g. `args`, `session`. */
  readonly roots: ReadonlySet<string>;
  /** `bindings` maps each root variable to its CEL value (getters are fine, and are read lazily). */
  evaluate(bindings: object, meter: Meter): EvalOutcome;
}

export type CompileOutcome =
  | { readonly ok: true; readonly expression: CompiledExpression }
  | { readonly ok: false; readonly issues: readonly ExpressionIssue[] };

export const MAX_SOURCE_LENGTH = 16_384;

/**
 * Compiles `source`. `accept` lists the result types allowed (`dyn` in it accepts any); an expression typed
 * `dyn` is always accepted, and its value is checked at run time.
 */
export function compileExpression(
  env: ExpressionEnv,
  source: string,
  accept: readonly CelT[],
  acceptName: string,
): CompileOutcome {
  if (source.length > MAX_SOURCE_LENGTH) {
    return fail(`expression is longer than ${MAX_SOURCE_LENGTH} characters`, 1, 1);
  }
  let parsed: ParsedExpr & { expr: Expr };
  try {
    parsed = parse(source);
  } catch (e) {
    if (e instanceof RangeError) return fail("expression is nested too deeply", 1, 1);
    const err = e as { rawMessage?: string; message: string; location?: { start: { line: number; column: number } } };
    const start = err.location?.start;
    return fail(`syntax error: ${err.rawMessage ?? err.message}`, start?.line ?? 1, start?.column ?? 1);
  }
  const positions = parsed.sourceInfo?.positions ?? {};
  const at = (id: bigint) => lineColumn(source, positions[id.toString()] ?? 0);
  let checked: ReturnType<typeof checkExpr>;
  try {
    checked = checkExpr(parsed.expr, env.check);
  } catch (e) {
    if (e instanceof RangeError) return fail("expression is nested too deeply", 1, 1);
    throw e;
  }
  const issues: ExpressionIssue[] = checked.issues.map((i) => ({ message: i.message, ...at(i.exprId) }));
  if (
    issues.length === 0 &&
    checked.type.kind !== "dyn" &&
    !accept.some((t) => t.kind === "dyn" || formatType(t) === formatType(checked.type))
  ) {
    issues.push({
      message: `must evaluate to ${acceptName}, but evaluates to ${formatType(checked.type)}`,
      line: 1,
      column: 1,
    });
  }
  if (issues.length > 0) return { ok: false, issues };

  plantTicks(parsed.expr);
  const program = plan(env.runtime, parsed.expr) as unknown as (bindings: object) => unknown;
  const expression: CompiledExpression = {
    source,
    type: checked.type,
    roots: checked.roots,
    evaluate(bindings, meter) {
      let result: unknown;
      try {
        result = withMeter(meter, () => program(bindings));
      } catch (e) {
        // plan() already turns exceptions into errors; this is a last line of defence.
        result = e instanceof Error ? e : new Error(String(e));
      }
      if (meter.limit !== undefined) return { ok: false, error: meter.detail, limit: meter.limit };
      if (isCelError(result) || result instanceof Error) return { ok: false, error: messageOf(result) };
      return { ok: true, value: result };
    },
  };
  return { ok: true, expression };
}

function fail(message: string, line: number, column: number): CompileOutcome {
  return { ok: false, issues: [{ message, line, column }] };
}

function messageOf(e: Error): string {
  if (e instanceof RangeError) return "evaluation nested too deeply";
  return e.message.replace(/^Error: /, "");
}

/** Converts a CEL list of strings (or a single string) to a JS string array; anything else is undefined. */
export function toStringList(v: unknown): string[] | undefined {
  if (typeof v === "string") return [v];
  if (!isCelList(v)) return undefined;
  const out: string[] = [];
  for (const x of v) {
    if (typeof x !== "string") return undefined;
    out.push(x);
  }
  return out;
}

function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Wraps every comprehension's loop condition in the budget tick, so each iteration is charged. */
function plantTicks(root: Expr): void {
  let nextId = maxId(root) + 1n;
  const stack: Expr[] = [root];
  while (stack.length > 0) {
    const e = stack.pop() as Expr;
    const k = e.exprKind;
    switch (k.case) {
      case "selectExpr":
        if (k.value.operand) stack.push(k.value.operand);
        break;
      case "callExpr":
        if (k.value.target) stack.push(k.value.target);
        stack.push(...k.value.args);
        break;
      case "listExpr":
        stack.push(...k.value.elements);
        break;
      case "structExpr":
        for (const entry of k.value.entries) {
          if (entry.keyKind.case === "mapKey") stack.push(entry.keyKind.value);
          if (entry.value) stack.push(entry.value);
        }
        break;
      case "comprehensionExpr": {
        const c = k.value;
        for (const part of [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result]) {
          if (part) stack.push(part);
        }
        if (c.loopCondition) {
          c.loopCondition = {
            $typeName: "cel.expr.Expr",
            id: nextId++,
            exprKind: {
              case: "callExpr",
              value: { $typeName: "cel.expr.Expr.Call", function: TICK, args: [c.loopCondition] },
            },
          } as Expr;
        }
        break;
      }
      default:
        break;
    }
  }
}

function maxId(root: Expr): bigint {
  let max = 0n;
  const stack: Expr[] = [root];
  while (stack.length > 0) {
    const e = stack.pop() as Expr;
    if (e.id > max) max = e.id;
    const k = e.exprKind;
    if (k.case === "selectExpr" && k.value.operand) stack.push(k.value.operand);
    else if (k.case === "callExpr") {
      if (k.value.target) stack.push(k.value.target);
      stack.push(...k.value.args);
    } else if (k.case === "listExpr") stack.push(...k.value.elements);
    else if (k.case === "structExpr") {
      for (const entry of k.value.entries) {
        if (entry.keyKind.case === "mapKey") stack.push(entry.keyKind.value);
        if (entry.value) stack.push(entry.value);
      }
    } else if (k.case === "comprehensionExpr") {
      const c = k.value;
      for (const part of [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result]) if (part) stack.push(part);
    }
  }
  return max;
}
