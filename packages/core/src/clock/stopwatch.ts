import type { TimerHandle } from "./clock.ts";

/**
 * Wall-clock time for handler execution, which is never scaled (DESIGN.md "Time"): Init and
 * invocation durations, handler timeouts, the deadline the runtime sees. The only sanctioned
 * wall-clock access outside the clocks; service logic uses the Clock.
 */
export const stopwatch = {
  /** Monotonic milliseconds (performance.now), for durations. */
  now(): number {
    return performance.now();
  },
  /** Epoch milliseconds, for `Lambda-Runtime-Deadline-Ms`. */
  epochNow(): number {
    return Date.now();
  },
  /** A wall-clock timer (unref'd: it never keeps the process alive by itself). */
  after(ms: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};
