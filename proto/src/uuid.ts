// UUIDv7 (RFC 9562 §5.7) for audit event and stream ids: 48-bit Unix ms timestamp, then random bits.
// Invariant: ids from one process sort in creation order (RFC 9562 §6.2 method 1: a 12-bit counter in rand_a).
import { randomFillSync } from "node:crypto";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// Random bytes are drawn in blocks: one randomFillSync per 256 ids instead of one per id.
const POOL_IDS = 256;
const pool = Buffer.alloc(POOL_IDS * 10);
let poolOffset = pool.length;

/** A UUIDv7 generator with its own monotonic state; `uuidv7` is the process-wide one. */
export function createUuidV7Generator(): (nowMs?: number) => string {
  let lastMs = -1;
  let counter = 0;
  return function uuidv7(nowMs: number = Date.now()): string {
    const random = randomBlock();
    let ms = Math.max(Math.trunc(nowMs), 0);
    if (ms > lastMs) {
      // New millisecond: seed the counter randomly with its top bit clear, leaving room to count up (§6.2).
      counter = (((random[0] as number) << 4) | ((random[1] as number) >> 4)) & 0x7ff;
      lastMs = ms;
    } else {
      // Same (or an earlier) millisecond: count up; on overflow borrow the next millisecond.
      ms = lastMs;
      counter++;
      if (counter > 0xfff) {
        lastMs = ++ms;
        counter = 0;
      }
    }
    const bytes = Buffer.alloc(16);
    bytes.writeUIntBE(ms % 2 ** 48, 0, 6);
    bytes[6] = 0x70 | (counter >> 8); // version 7, then the counter (rand_a)
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | ((random[2] as number) & 0x3f); // variant 10, then rand_b
    random.copy(bytes, 9, 3, 10);
    const hex = bytes.toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}

/** A new UUIDv7, lowercase. `nowMs` is for tests; ids stay monotonic even if the clock steps back. */
export const uuidv7: (nowMs?: number) => string = createUuidV7Generator();

function randomBlock(): Buffer {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const block = pool.subarray(poolOffset, poolOffset + 10);
  poolOffset += 10;
  return block;
}

/** True for a lowercase UUIDv7 string with the RFC 9562 variant. */
export function isUuidV7(value: unknown): value is string {
  return typeof value === "string" && UUID_V7.test(value);
}

/** The Unix millisecond timestamp embedded in a UUIDv7. */
export function uuidv7Timestamp(id: string): number {
  if (!isUuidV7(id)) {
    throw new TypeError(`not a UUIDv7: ${id}`);
  }
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
