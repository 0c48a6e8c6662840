// How long a node's shutdown (SIGTERM/SIGINT) may take, so deployments give it enough time (scripts/deploy.test.ts
// checks the examples): calls in flight get up to PORTCULLIS_DP_DRAIN_SECONDS, calls cut at that deadline get
// SETTLE_MS to record their audit events, then the spool is shipped for up to PORTCULLIS_DP_DRAIN_SECONDS more.

/** After the drain time, how long cut calls get to record their audit events before the spool closes. */
export const SETTLE_MS = 2_000;

/** The longest a node takes to stop after SIGTERM with this drain time (plus closing connections, ~1 s). */
export function maxShutdownSeconds(drainSeconds: number): number {
  return 2 * drainSeconds + SETTLE_MS / 1000 + 1;
}
