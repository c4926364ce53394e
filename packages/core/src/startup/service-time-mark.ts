import type { Clock } from "../clock/clock.ts";
import { stopwatch } from "../clock/stopwatch.ts";
import { positiveIntegerVariable } from "../config/positive-integer-variable.ts";
import type { Store } from "../store/store.ts";
import type { CleanupStack } from "./cleanup-stack.ts";

/**
 * How often (wall ms) service time is written to the store: cheap (one tiny UPDATE, none while
 * time stands still), and all a SIGKILL can lose; a clean stop writes it once more. Our choice.
 * `LAMBDA_SIM_SERVICE_TIME_MARK_MS` changes it (read when the simulator starts): a test that
 * SIGKILLs a simulator need not wait 5 wall seconds for the next write.
 */
export const SERVICE_TIME_MARK_EVERY_MS = 5_000;

/** The service time a previous run on this state reached, if any. */
export function readServiceTimeMark(store: Store): number | undefined {
  const row = store.db.prepare("SELECT high_water_ms AS ms FROM service_time WHERE id = 1").get() as { ms: number } | undefined;
  return row?.ms;
}

/**
 * Writes `clock.now()` to the store every SERVICE_TIME_MARK_EVERY_MS wall ms (or the variable's), when the returned
 * function is called (after each move of the virtual clock: a jump of hours is not left to the
 * next tick), and when the simulator stops (deferred after the store opened, so it runs before the store closes). A wall
 * cadence on purpose: the VirtualClock's timers fire only when time moves, and the mark is the
 * simulator's own bookkeeping, not service behaviour. A SIGKILL loses at most the service time
 * that passed since the last write: one interval of wall time (times --time-scale).
 */
export function keepServiceTimeMark(store: Store, clock: Clock, cleanup: CleanupStack): () => void {
  const write = store.db.prepare(
    "INSERT INTO service_time (id, high_water_ms) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET high_water_ms = MAX(high_water_ms, excluded.high_water_ms)",
  );
  let written = Number.NEGATIVE_INFINITY;
  const save = () => {
    const now = clock.now();
    if (now <= written || !store.db.open) return;
    write.run(now);
    written = now;
  };
  save();
  const every = positiveIntegerVariable("LAMBDA_SIM_SERVICE_TIME_MARK_MS", SERVICE_TIME_MARK_EVERY_MS);
  let timer = stopwatch.after(every, function tick() {
    save();
    timer = stopwatch.after(every, tick);
  });
  cleanup.defer(() => {
    timer.cancel();
    save();
  });
  return save;
}
