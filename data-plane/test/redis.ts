// Redis for the tests: REDIS_URL, or the local default when it is unset. Never skipped: a test that needs Redis
// fails with a clear message when it is unreachable (CI starts one). Each test file uses its own random key prefix
// and deletes its keys afterwards.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

export const TEST_REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";

/** A key prefix no other test file (or run) uses. */
export function testPrefix(name: string): string {
  return `portcullis-test:${name}:${randomUUID()}:`;
}

/** Throws a clear error unless Redis answers PING. */
export async function requireRedis(): Promise<void> {
  const client = new Redis(TEST_REDIS_URL, {
    maxRetriesPerRequest: 0,
    connectTimeout: 3_000,
    retryStrategy: () => null,
    lazyConnect: true,
  });
  let cause: Error | undefined;
  client.on("error", (error: Error) => {
    cause ??= error;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const why = (cause ?? (error as Error)).message.replace(/\.$/, "");
    throw new Error(
      `these tests need Redis at ${TEST_REDIS_URL} (REDIS_URL, default redis://127.0.0.1:6379) and it is unreachable ` +
        `(${why}). Start Redis (CI does) or point REDIS_URL at one.`,
    );
  } finally {
    client.disconnect();
  }
}

/** Deletes every key under `prefix` (nothing to do when Redis is unreachable: requireRedis reported it). */
export async function deletePrefix(prefix: string): Promise<void> {
  const client = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== "0");
  } catch {
    // Unreachable: requireRedis has already failed the file with a clear message.
  } finally {
    client.disconnect();
  }
}
