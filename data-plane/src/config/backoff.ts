// The one retry schedule of the data plane (config stream reconnects, audit shipping): exponential growth with
// full jitter and a cap, as in "Exponential Backoff And Jitter" (AWS Architecture Blog). Every retry loop uses
// this instead of its own arithmetic, so they cannot drift apart.

export interface BackoffOptions {
  /** First delay's upper bound, in milliseconds. */
  baseMs: number;
  /** No delay is ever longer than this. */
  capMs: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

export interface Backoff {
  /** The delay before the next attempt: uniform in [0, min(cap, base·2^attempt)). */
  next(): number;
  /** Call after a success so the next failure starts small again. */
  reset(): void;
  readonly attempt: number;
}

export function createBackoff(options: BackoffOptions): Backoff {
  if (!(options.baseMs > 0) || !(options.capMs >= options.baseMs)) {
    throw new RangeError("backoff needs 0 < baseMs <= capMs");
  }
  const random = options.random ?? Math.random;
  let attempt = 0;
  return {
    next() {
      // 2^attempt overflows to Infinity long after the cap applies; clamp the exponent to keep it finite.
      const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 52));
      attempt += 1;
      return Math.floor(random() * ceiling);
    },
    reset() {
      attempt = 0;
    },
    get attempt() {
      return attempt;
    },
  };
}

/** Resolves after `ms`, or rejects at once when the signal aborts (so shutdown never waits on a backoff). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
