import type { Clock } from "./clock.ts";
import { ScaledClock } from "./scaled-clock.ts";
import { SystemClock } from "./system-clock.ts";

/**
 * The wall clock for `--time-scale` (1: real time), started at the later of the wall time and the
 * state's mark: service time never goes backwards across a restart. Under `--time-scale` it runs
 * ahead of the wall clock; a restart without it keeps the lead and runs at wall rate from there,
 * so messages, schedules and async events stored with the old times are not in the future.
 */
export function startWallClock(timeScale: number | undefined, mark: number | undefined): Clock {
  const scale = timeScale ?? 1;
  const wall = Date.now();
  if (mark === undefined || mark <= wall) return scale === 1 ? new SystemClock() : new ScaledClock(scale);
  return new ScaledClock(scale, { startService: mark });
}
