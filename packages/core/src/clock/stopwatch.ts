import type { TimerHandle } from "./clock.ts";

/**
 * Wall-clock time for handler execution, which is never scaled nor virtual (DESIGN.md "Time"): a
 * function's timeout and its measured Init/Duration are real milliseconds even under
 * `--time-scale 60` or the VirtualClock.
 *
 * This is the ONLY sanctioned wall-clock access outside clock/ (service-code-bans.test.ts enforces
 * it), and it is for runtime drivers and execution environments only: handler timeouts, Init and
 * Duration measurement, the `Lambda-Runtime-Deadline-Ms` header, process watchdogs; the wall
 * time a scenario run reports beside the service time it simulated; the dashboard stream's
 * flush cadence and the console's print cadence (presentation to a person, never service
 * behaviour); the start-up heap's idle check and the sandbox pool's burst overlap (the
 * simulator's own memory and processes); the workers' front-door priority (the simulator's
 * own responsiveness, off under the VirtualClock); and a client command's pause before it
 * tries again (`pause`). Anything that
 * is service behaviour (retry delays, visibility timeouts, batching windows, schedules, idle
 * reaping, event age) reads the `Clock` instead, so scaling and virtual time apply to it.
 *
 * Under the VirtualClock, work timed here should hold the clock (`clock.hold()`), so virtual time
 * does not jump past a handler that is still running.
 */
export const stopwatch = {
  /** Monotonic milliseconds (performance.now), for durations: subtract two readings. */
  now(): number {
    return performance.now();
  },

  /** Epoch milliseconds, for `Lambda-Runtime-Deadline-Ms` (the runtime compares it with its own Date.now()). */
  epochNow(): number {
    return Date.now();
  },

  /**
   * Runs `fn` after `ms` wall milliseconds (handler timeout, init timeout, an API integration
   * timeout's wall part (CallerDeadline), freeze delay, the
   * deliveries of telemetry and log batches, which must not wait for virtual time). Unref'd:
   * it never keeps the process alive by itself; a running handler's child process or socket does.
   */
  after(ms: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },

  /**
   * Resolves after `ms` wall milliseconds, keeping the process alive meanwhile: a client
   * command's pause before it tries again (`lambda-sim tail` reconnecting to a restarted
   * simulator), when nothing else holds the process open.
   */
  pause(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  },
};
