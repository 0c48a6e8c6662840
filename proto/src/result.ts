// The result of a verification: either the verified value or a typed, machine-readable reason it failed.
// Verifiers never throw on hostile input; they return `{ ok: false }` and callers must branch on `ok`.

/** A verified value, or the code and message of the first check that failed. */
export type Result<T, Code extends string> = { ok: true; value: T } | { ok: false; code: Code; message: string };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail<Code extends string>(code: Code, message: string): { ok: false; code: Code; message: string } {
  return { ok: false, code, message };
}
