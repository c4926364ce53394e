import { WallAlarm } from "../clock/wall-alarm.ts";

/** How often a busy environment's resident memory is compared with its memorySize. */
export const MEMORY_WATCH_MS = 100;

/**
 * An environment's two watchdogs: one deadline (the init limit, then the function's timeout) and
 * the memory watch of a running invocation. Wall time: they bound real processes. WallAlarms, so
 * that arming them per invocation costs no timer.
 */
export class EnvironmentWatchdogs {
  private readonly deadline = new WallAlarm();
  private readonly memoryWatch = new WallAlarm();

  /** Replaces the deadline: `fn` runs after `ms` unless disarmed first. */
  arm(ms: number, fn: () => void): void {
    this.deadline.set(ms, fn);
  }

  /**
   * Every MEMORY_WATCH_MS, `overLimit()`; the first time it is true, `onOver()` and the watch
   * stops. AWS stops a function at its memorySize (aws-facts §3).
   */
  watchMemory(overLimit: () => boolean, onOver: () => void): void {
    const check = () => {
      if (overLimit()) onOver();
      else this.memoryWatch.set(MEMORY_WATCH_MS, check);
    };
    this.memoryWatch.set(MEMORY_WATCH_MS, check);
  }

  /** Cancels the deadline and the memory watch. */
  disarm(): void {
    this.deadline.clear();
    this.memoryWatch.clear();
  }

  /** disarm(), and no timer is left pending: the environment is retired. */
  stop(): void {
    this.deadline.stop();
    this.memoryWatch.stop();
  }
}
