// How long a node may serve its last-known-good snapshot without hearing from the control plane (SECURITY-TESTS
// R05). During a partition the node keeps serving: that is the point of a data plane. But nothing decided at the
// control plane meanwhile (an agent disabled, a key revoked, a policy tightened) reaches it, so past
// PORTCULLIS_DP_MAX_STALENESS_SECONDS of silence the node raises an alarm (an ALERT log line, /readyz says so) and,
// with PORTCULLIS_DP_STALE_POLICY=deny_sensitive, refuses calls to tools marked sensitive until it hears from the
// control plane again. Silence is measured from the last message received (heartbeats are answered every heartbeat
// interval), so a partition that drops packets without closing the stream counts too.
import type { Logger } from "../log.ts";

export type StalePolicy = "serve" | "deny_sensitive";

export interface StalenessSettings {
  maxStalenessMs: number;
  policy: StalePolicy;
}

export const DEFAULT_STALENESS: StalenessSettings = Object.freeze({ maxStalenessMs: 600_000, policy: "serve" });

export interface StalenessReport {
  /** Seconds since the control plane was last heard from. */
  silentSeconds: number;
  stale: boolean;
  policy: StalePolicy;
}

export interface StalenessWatch {
  /** The refusal message for a call to a sensitive tool while stale under deny_sensitive; undefined otherwise. */
  refusesSensitive(sensitive: boolean): string | undefined;
  report(): StalenessReport | undefined;
  stop(): void;
}

export function createStalenessWatch(options: {
  /** When the control plane was last heard from (ms since the epoch); undefined before the node started. */
  lastContactAt: () => number | undefined;
  /** The snapshot version being served (for the alarm line). */
  servingVersion: () => number | undefined;
  settings: StalenessSettings;
  logger: Logger;
  now?: () => number;
  checkEveryMs?: number;
}): StalenessWatch {
  const now = options.now ?? Date.now;
  const { maxStalenessMs, policy } = options.settings;
  const silentMs = (): number | undefined => {
    const last = options.lastContactAt();
    return last === undefined ? undefined : Math.max(0, now() - last);
  };
  const isStale = () => (silentMs() ?? 0) > maxStalenessMs;

  let alarmed = false;
  const check = () => {
    const silent = silentMs();
    const stale = silent !== undefined && silent > maxStalenessMs;
    if (stale && !alarmed) {
      alarmed = true;
      options.logger.error(
        {
          silentSeconds: Math.round((silent as number) / 1000),
          maxStalenessSeconds: maxStalenessMs / 1000,
          servingVersion: options.servingVersion(),
          policy,
        },
        policy === "deny_sensitive"
          ? "ALERT: no word from the control plane past the staleness limit: serving the last snapshot, refusing sensitive tools; changes made at the control plane meanwhile (disabled agents, revoked keys) are not applied"
          : "ALERT: no word from the control plane past the staleness limit: serving the last snapshot; changes made at the control plane meanwhile (disabled agents, revoked keys) are not applied",
      );
    } else if (!stale && alarmed) {
      alarmed = false;
      options.logger.warn({ servingVersion: options.servingVersion() }, "the control plane is heard from again");
    }
  };
  const timer = setInterval(check, options.checkEveryMs ?? Math.min(5_000, Math.max(100, maxStalenessMs / 4)));
  timer.unref();

  return {
    refusesSensitive(sensitive) {
      if (!sensitive || policy !== "deny_sensitive" || !isStale()) return undefined;
      const seconds = Math.round((silentMs() ?? 0) / 1000);
      return `this node has not heard from the control plane for ${seconds} s (limit ${maxStalenessMs / 1000} s): calls to sensitive tools are refused until it does`;
    },
    report() {
      const silent = silentMs();
      if (silent === undefined) return undefined;
      return { silentSeconds: Math.floor(silent / 1000), stale: silent > maxStalenessMs, policy };
    },
    stop: () => clearInterval(timer),
  };
}
