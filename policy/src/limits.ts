// Evaluation limits and the input check that runs before any policy sees the arguments. The walk is iterative and
// stops at the first limit it crosses, so a million-element list or a 50k-deep nesting costs microseconds.

export interface Limits {
  /** Approximate serialized size of `args`, in characters (strings count their length, other scalars 8). */
  readonly maxArgsSize: number;
  /** Number of values (scalars, list elements, object entries) in `args`. */
  readonly maxArgsNodes: number;
  /** Nesting depth of lists and objects in `args`. */
  readonly maxArgsDepth: number;
  /**
   * Comprehension iterations (plus regex cost) per decision, for enforce policies; shadow ones get their own.
   * The default bounds a decision's stall to roughly 10-15 ms on this library (about 0.5 µs per iteration).
   */
  readonly maxEvalSteps: number;
  /**
   * Wall-clock budget for evaluating the policies of one decision: a backstop for steps that are individually
   * expensive. Generous, because a garbage-collection pause must not turn a normal call into a deny.
   */
  readonly maxEvalMillis: number;
  /** Longest string `matches()` will scan. */
  readonly maxRegexInput: number;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxArgsSize: 1_048_576,
  maxArgsNodes: 100_000,
  maxArgsDepth: 32,
  maxEvalSteps: 25_000,
  maxEvalMillis: 100,
  maxRegexInput: 65_536,
});

export type ArgsProblem = "args_too_large" | "args_too_deep" | "args_invalid";

export type ArgsCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly problem: ArgsProblem; readonly detail: string };

const OK: ArgsCheck = Object.freeze({ ok: true });

/** Checks that `args` is JSON-shaped data within the size, node-count and depth limits. */
export function checkArgs(args: unknown, limits: Limits): ArgsCheck {
  if (!isPlainObject(args)) return { ok: false, problem: "args_invalid", detail: "arguments must be a JSON object" };
  let size = 0;
  let nodes = 0;
  const values: unknown[] = [args];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop() as number;
    nodes++;
    if (nodes > limits.maxArgsNodes) {
      return { ok: false, problem: "args_too_large", detail: `arguments hold more than ${limits.maxArgsNodes} values` };
    }
    switch (typeof v) {
      case "string":
        size += v.length + 2;
        break;
      case "number":
        if (!Number.isFinite(v))
          return { ok: false, problem: "args_invalid", detail: "arguments hold a non-finite number" };
        size += 8;
        break;
      case "boolean":
        size += 5;
        break;
      case "object": {
        if (v === null) {
          size += 4;
          break;
        }
        if (depth > limits.maxArgsDepth) {
          return {
            ok: false,
            problem: "args_too_deep",
            detail: `arguments nest deeper than ${limits.maxArgsDepth} levels`,
          };
        }
        size += 2;
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            values.push(v[i]);
            depths.push(depth + 1);
            if (values.length > limits.maxArgsNodes) {
              return {
                ok: false,
                problem: "args_too_large",
                detail: `arguments hold more than ${limits.maxArgsNodes} values`,
              };
            }
          }
        } else if (isPlainObject(v)) {
          for (const key in v) {
            if (!Object.hasOwn(v, key)) continue;
            size += key.length + 3;
            values.push(v[key]);
            depths.push(depth + 1);
            if (values.length > limits.maxArgsNodes) {
              return {
                ok: false,
                problem: "args_too_large",
                detail: `arguments hold more than ${limits.maxArgsNodes} values`,
              };
            }
          }
        } else {
          return { ok: false, problem: "args_invalid", detail: "arguments hold a value that is not JSON" };
        }
        break;
      }
      default:
        return { ok: false, problem: "args_invalid", detail: `arguments hold a ${typeof v}, which is not JSON` };
    }
    if (size > limits.maxArgsSize) {
      return {
        ok: false,
        problem: "args_too_large",
        detail: `arguments are larger than ${limits.maxArgsSize} characters`,
      };
    }
  }
  return OK;
}

/** Objects as JSON.parse makes them. (Null-prototype or class instances are not JSON data.) */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}
