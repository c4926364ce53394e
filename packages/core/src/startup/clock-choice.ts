import type { Clock } from "../clock/clock.ts";
import { SimError } from "../errors/sim-error.ts";

// Loaded by the CLI's option parser before anything else of core (package export
// "@lambda-sim/core/clock-choice"): it imports no clock, store or server.

/** `--clock`: wall time (scaled by `--time-scale`), or virtual time that moves only when advanced. */
export const CLOCK_KINDS = ["system", "virtual"] as const;
export type ClockKind = (typeof CLOCK_KINDS)[number];

/** What a start asks for: the clock kind and, on the wall clock, its scale. */
export interface ClockChoice {
  clock?: ClockKind;
  /** Service ms per wall ms on the wall clock (default 1). */
  timeScale?: number;
}

/**
 * Refuses a clock choice that cannot start, as a config error. Pure, so `Simulator.start` checks
 * it before it locks, cleans or migrates the state directory: a refused start leaves no state behind.
 * A `Clock` given as is (tests, scenarios) is taken as it is.
 */
export function checkClockChoice(choice: { clock?: ClockKind | Clock; timeScale?: number }): void {
  if (typeof choice.clock === "object") return;
  const kind = choice.clock ?? "system";
  if (!CLOCK_KINDS.includes(kind)) throw new SimError("ERR_CONFIG", `--clock: expected ${CLOCK_KINDS.join(" or ")}, got ${kind}`);
  if (kind === "virtual" && (choice.timeScale ?? 1) !== 1) {
    throw new SimError("ERR_CONFIG", "--clock virtual and --time-scale cannot be combined: virtual time moves only when advanced");
  }
}
