// The Redis connection the shared stores (session ledger, rate-limit counters) open when not handed one: a call
// fails quickly while Redis is unreachable (one retry, then an error the store turns into a fail-closed answer)
// instead of queueing until Redis comes back; reconnection continues in the background.
import { Redis } from "ioredis";

export function openStoreClient(url: string | undefined, commandTimeoutMs = 3_000): Redis {
  return new Redis(url ?? "redis://127.0.0.1:6379", {
    maxRetriesPerRequest: 1,
    connectTimeout: commandTimeoutMs,
    commandTimeout: commandTimeoutMs,
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  });
}
