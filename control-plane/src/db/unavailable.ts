// Whether an error means the database cannot be reached (SECURITY-TESTS R03), as opposed to a failed query: the
// REST API then answers 503 `unavailable` (retryable, nothing changed) instead of an opaque 500. Only errors that
// came out of the database client count (drizzle's DrizzleQueryError, or postgres.js' own connection errors), so a
// refused connection elsewhere (an identity provider, say) is never reported as the database.
import { DrizzleQueryError } from "drizzle-orm/errors";

/** What the REST API answers while the database is unreachable (503 `unavailable`, with Retry-After). */
export const DATABASE_UNAVAILABLE_MESSAGE =
  "the control plane's database is unreachable: nothing was changed; retry later";
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Socket errors, postgres.js' connection codes, and PostgreSQL's connection-exception and shutdown SQLSTATEs. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, shutting down)
]);
const POSTGRES_JS_CODES = new Set(["CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT"]);

const isConnectionCode = (code: unknown): boolean =>
  typeof code === "string" && (CONNECTION_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code));

export function isDatabaseUnavailable(error: unknown): boolean {
  let fromDatabase = false;
  let connection = false;
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number): void => {
    if (!e || typeof e !== "object" || seen.has(e) || depth > 6) return;
    seen.add(e);
    if (e instanceof DrizzleQueryError) fromDatabase = true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && POSTGRES_JS_CODES.has(code)) fromDatabase = true;
    if (isConnectionCode(code)) connection = true;
    if (e instanceof AggregateError) for (const inner of e.errors) visit(inner, depth + 1);
    visit((e as { cause?: unknown }).cause, depth + 1);
  };
  visit(error, 0);
  return fromDatabase && connection;
}
