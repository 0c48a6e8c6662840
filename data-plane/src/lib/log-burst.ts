// A warn line per event, at most `burst` lines per window; past that the lines are counted and one line at the
// start of the next window says how many were left out. For events an unauthenticated flood can cause (refused
// origins, refused connections): the log must show them without the flood choosing the log's volume.
import type { Logger } from "../log.ts";

export function createLogBurst(
  logger: Logger,
  message: string,
  options: { burst?: number; windowMs?: number } = {},
): (fields: Record<string, unknown>) => void {
  const burst = options.burst ?? 20;
  const windowMs = options.windowMs ?? 60_000;
  let windowStart = 0;
  let logged = 0;
  let suppressed = 0;
  return (fields) => {
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      if (suppressed > 0) logger.warn({ event: message, suppressed }, `${message}: lines left out`);
      windowStart = now;
      logged = 0;
      suppressed = 0;
    }
    if (logged < burst) {
      logged += 1;
      logger.warn({ event: message, ...fields }, message);
    } else suppressed += 1;
  };
}
