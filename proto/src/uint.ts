// uint64 fields (versions, sequence numbers) arrive from gRPC as decimal strings (longs: String) and are used as
// JS numbers everywhere else. Invariant: a value past Number.MAX_SAFE_INTEGER is refused, never rounded.

/** True for an integer in [0, 2^53 - 1]. */
export function isSafeUint(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

const DECIMAL_UINT = /^(0|[1-9][0-9]{0,15})$/;

/**
 * A uint64 as a JS number: accepts a safe non-negative integer, its canonical decimal string (what
 * @grpc/proto-loader yields with longs: String), or a bigint. Throws RangeError for anything else, including
 * values above 2^53 - 1, so precision is never lost silently.
 */
export function toSafeUint(value: number | string | bigint): number {
  const parsed = parseSafeUint(value);
  if (parsed === undefined) {
    throw new RangeError(`not a uint64 within the safe integer range: ${String(value)}`);
  }
  return parsed;
}

/** Like toSafeUint, but returns undefined instead of throwing. */
export function parseSafeUint(value: unknown): number | undefined {
  if (typeof value === "number") {
    return isSafeUint(value) ? value : undefined;
  }
  if (typeof value === "bigint") {
    return value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
  }
  if (typeof value === "string" && DECIMAL_UINT.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}
