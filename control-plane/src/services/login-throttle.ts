// Guessing passwords at the console's sign-in is slowed down per account and per client address: after
// `maxFailures` wrong passwords for one email within `windowMs`, that email is refused (429, Retry-After) until the
// oldest failure leaves the window, whatever password is sent; one address gets `maxFailures × 4` failures over all
// emails (spraying one password across accounts). A successful sign-in clears the account's failures. State is in
// memory, per control-plane process (docs/security.md says what that means with several replicas); it is bounded.

export interface LoginThrottleOptions {
  /** Wrong passwords allowed per account within the window. */
  maxFailures: number;
  windowMs: number;
  clock: () => Date;
  /** Most keys remembered; the least recently failed are forgotten first. Default 100,000. */
  maxKeys?: number;
}

export interface LoginThrottle {
  /** Seconds to wait before this email may be tried again from this client; 0 when it may be now. */
  retryAfterSeconds(email: string, client: string): number;
  failed(email: string, client: string): void;
  succeeded(email: string): void;
}

export function createLoginThrottle(options: LoginThrottleOptions): LoginThrottle {
  const { maxFailures, windowMs, clock } = options;
  const maxKeys = options.maxKeys ?? 100_000;
  /** key → failure times (ms), oldest first. Map order = least recently failed first. */
  const failures = new Map<string, number[]>();

  const recent = (key: string, now: number): number[] => {
    const times = failures.get(key);
    if (!times) return [];
    while (times.length > 0 && (times[0] as number) <= now - windowMs) times.shift();
    if (times.length === 0) failures.delete(key);
    return times;
  };
  const wait = (key: string, limit: number, now: number): number => {
    const times = recent(key, now);
    if (times.length < limit) return 0;
    // Allowed again when enough of the failures have left the window to fall under the limit.
    const freedAt = (times[times.length - limit] as number) + windowMs;
    return Math.max(1, Math.ceil((freedAt - now) / 1000));
  };
  const add = (key: string, now: number) => {
    const times = recent(key, now);
    failures.delete(key);
    times.push(now);
    failures.set(key, times);
    while (failures.size > maxKeys) failures.delete(failures.keys().next().value as string);
  };

  return {
    retryAfterSeconds(email, client) {
      const now = clock().getTime();
      return Math.max(wait(`e:${email}`, maxFailures, now), wait(`c:${client}`, maxFailures * 4, now));
    },
    failed(email, client) {
      const now = clock().getTime();
      add(`e:${email}`, now);
      add(`c:${client}`, now);
    },
    succeeded(email) {
      failures.delete(`e:${email}`);
    },
  };
}
