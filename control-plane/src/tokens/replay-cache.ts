// Single-use ids (`jti`) of client assertions, remembered until they expire. Bounded: when full of unexpired
// entries it refuses new ones (fail closed) rather than forgetting one that could then be replayed; filling it
// takes validly signed assertions, which only key holders can make.

export class ReplayCache {
  private readonly seen = new Map<string, number>();
  private readonly capacity: number;
  constructor(capacity = 50_000) {
    this.capacity = capacity;
  }

  /** Records `id` until `expiresAtMs`; false when it was already recorded (a replay) or the cache is full. */
  remember(id: string, expiresAtMs: number, nowMs: number = Date.now()): boolean {
    const known = this.seen.get(id);
    if (known !== undefined && known > nowMs) return false;
    if (this.seen.size >= this.capacity) this.sweep(nowMs);
    if (this.seen.size >= this.capacity) return false;
    this.seen.delete(id);
    this.seen.set(id, expiresAtMs);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private sweep(nowMs: number): void {
    for (const [id, expiresAt] of this.seen) if (expiresAt <= nowMs) this.seen.delete(id);
  }
}
