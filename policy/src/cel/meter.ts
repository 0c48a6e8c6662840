// The evaluation budget. @bufbuild/cel has no cost limit of its own, so the compiler plants a tick in every
// comprehension step and the regex function charges its input length; both land here. Evaluation is synchronous,
// so one "current meter" slot is safe: it is set for the duration of one evaluate() call.

export type MeterLimit = "eval_cost" | "eval_time";

export class Meter {
  steps = 0;
  limit: MeterLimit | undefined;
  detail = "";
  readonly maxSteps: number;
  readonly deadline: number;
  readonly maxRegexInput: number;
  readonly regexCharsPerStep: number;

  constructor(opts: { maxSteps: number; maxMillis: number; maxRegexInput: number; regexCharsPerStep?: number }) {
    this.maxSteps = opts.maxSteps;
    this.deadline = performance.now() + opts.maxMillis;
    this.maxRegexInput = opts.maxRegexInput;
    this.regexCharsPerStep = opts.regexCharsPerStep ?? 64;
  }

  /** Charges `n` steps; throws (ending the evaluation) once a budget is spent. */
  charge(n: number): void {
    if (this.limit !== undefined) throw new LimitReached(this.limit);
    this.steps += n;
    if (this.steps > this.maxSteps) {
      this.fail("eval_cost", `evaluation exceeded ${this.maxSteps} steps`);
    }
    if ((this.steps & 15) === 0 || n > 1) this.checkTime();
  }

  checkTime(): void {
    if (this.overTime()) throw new LimitReached("eval_time");
  }

  /** Records (without throwing) that the time budget is spent; true when any budget is spent. */
  overTime(): boolean {
    if (this.limit === undefined && performance.now() > this.deadline) {
      this.limit = "eval_time";
      this.detail = "evaluation exceeded its time budget";
    }
    return this.limit !== undefined;
  }

  fail(limit: MeterLimit, detail: string): never {
    this.limit = limit;
    this.detail = detail;
    throw new LimitReached(limit);
  }
}

export class LimitReached extends Error {
  readonly limit: MeterLimit;
  constructor(limit: MeterLimit) {
    super(`limit exceeded: ${limit}`);
    this.limit = limit;
  }
}

let current: Meter | undefined;

export function withMeter<R>(meter: Meter, fn: () => R): R {
  const previous = current;
  current = meter;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

/** One comprehension iteration. Outside an evaluation (e.g. in tests of the dialect) it is free. */
export function tick(): void {
  current?.charge(1);
}

export function chargeRegex(inputLength: number): void {
  const m = current;
  if (m === undefined) return;
  if (inputLength > m.maxRegexInput) {
    m.fail("eval_cost", `matches() input of ${inputLength} characters exceeds the limit of ${m.maxRegexInput}`);
  }
  m.charge(1 + Math.floor(inputLength / m.regexCharsPerStep));
}
