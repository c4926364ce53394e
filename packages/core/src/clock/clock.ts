/**
 * The only source of service time (DESIGN.md "Time"). Retry delays, visibility timeouts, batching
 * windows, schedules, idle reaping and event age all read a Clock, so `--time-scale` and the
 * VirtualClock apply to them. Handler execution is never scaled: runtime drivers measure it with
 * the wall-clock `Stopwatch` (stopwatch.ts), a different name so nobody reaches for it by mistake.
 */
/** The last instant a JavaScript Date holds (ECMA-262: ±8.64e15 ms): service time never goes past it. */
export const LAST_DATE_MS = 8.64e15;

export interface TimerHandle {
  /** Cancels the timer; a no-op once it has fired or been cancelled. */
  cancel(): void;
}

/**
 * How a timer counts. `unref` (as Node's `timeout.unref()`): the timer only looks after the
 * simulator (a metrics sample, a trimmer, an idle long poll), so it never counts as pending work
 * for `VirtualClock.runUntilIdle`; it still fires in order when time passes it on the way to work.
 * Wall clocks ignore it (their timers never keep the process alive anyway).
 */
export interface TimerOptions {
  unref?: boolean;
}

/** Blocks the VirtualClock from jumping while real work (a handler process, a socket) runs. */
export interface Hold extends Disposable {
  release(): void;
}

export interface Clock {
  /** Service time, epoch milliseconds. */
  now(): number;
  /**
   * Runs `fn` after `delayMs` of service time. `label` names the timer in pending-timer views and
   * test failures, e.g. "env.idle-reap:orders". A returned promise is awaited by the VirtualClock
   * before it jumps again.
   */
  setTimer(delayMs: number, fn: () => void | Promise<void>, label?: string, opts?: TimerOptions): TimerHandle;
  /** Resolves after `ms` of service time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal, opts?: TimerOptions): Promise<void>;
  /** Marks real work in progress; the VirtualClock does not skip time until every hold is released. */
  hold(label?: string): Hold;
  /** How many service milliseconds pass per wall millisecond (1 for SystemClock). */
  readonly scale: number;
}

/**
 * Runs `work` holding `clock` until its promise settles: work that must happen at the instant it
 * started (what follows an invocation's end, a read-ahead) though it awaits a turn of the event
 * loop (a commit) in which a VirtualClock with nothing else holding it would jump to its next timer.
 */
export function whileHeld<T>(clock: Clock, label: string, work: () => Promise<T>): Promise<T> {
  const hold = clock.hold(label);
  return work().finally(() => hold.release());
}

/** A wall clock (system or scaled) that `POST /_sim/clock/pause` can stop and `resume` restart. */
export interface PausableClock extends Clock {
  readonly paused: boolean;
  pause(): void;
  resume(): void;
}

export function isPausable(clock: Clock): clock is PausableClock {
  return typeof (clock as Partial<PausableClock>).pause === "function" && typeof (clock as Partial<PausableClock>).resume === "function";
}
