import type { TimerHandle } from "../clock/clock.ts";
import { stopwatch } from "../clock/stopwatch.ts";

/** How often a busy environment's resident memory is compared with its memorySize. */
export const MEMORY_WATCH_MS = 100;

/**
 * An environment's two watchdogs: one deadline (the init limit, then the function's timeout) and
 * the memory watch of a running invocation. Wall time (the stopwatch): they bound real processes.
 */
export class EnvironmentWatchdogs {
  private deadline: TimerHandle | undefined;
  private memoryWatch: TimerHandle | undefined;

  /** Replaces the deadline: `fn` runs after `ms` unless disarmed first. */
  arm(ms: number, fn: () => void): void {
    this.deadline?.cancel();
    this.deadline = stopwatch.after(ms, fn);
  }

  /**
   * Every MEMORY_WATCH_MS, `overLimit()`; the first time it is true, `onOver()` and the watch
   * stops. AWS stops a function at its memorySize (aws-facts §3).
   */
  watchMemory(overLimit: () => boolean, onOver: () => void): void {
    this.memoryWatch?.cancel();
    const check = () => {
      if (overLimit()) {
        this.memoryWatch = undefined;
        onOver();
        return;
      }
      this.memoryWatch = stopwatch.after(MEMORY_WATCH_MS, check);
    };
    this.memoryWatch = stopwatch.after(MEMORY_WATCH_MS, check);
  }

  /** Cancels the deadline and the memory watch. */
  disarm(): void {
    this.deadline?.cancel();
    this.deadline = undefined;
    this.memoryWatch?.cancel();
    this.memoryWatch = undefined;
  }
}
