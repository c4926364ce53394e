import type { Clock, Hold, PausableClock, TimerHandle, TimerOptions } from "./clock.ts";
import { PauseState } from "./pause-state.ts";

/** setTimeout's ceiling (about 24.8 days); longer delays are re-armed in steps. */
const MAX_WALL_DELAY = 2 ** 31 - 1;

/** Arms a wall-clock timer; injectable so the scaled clock's timer math is testable without waiting. */
export type WallTimerFn = (delayMs: number, fn: () => void) => TimerHandle;

/** What happens when a timer callback throws or rejects: by default it is printed, never swallowed. */
export type TimerErrorHandler = (error: unknown, label: string) => void;

export interface WallClockOptions {
  /** Called with a timer callback's error. Default: printed to stderr with the timer's label. */
  onTimerError?: TimerErrorHandler;
}

/**
 * Unref'd: a pending retry or reap timer never keeps a test or CLI process alive on its own; a
 * running server is kept alive by its listening sockets.
 */
export const nodeWallTimer: WallTimerFn = (delayMs, fn) => {
  const t = setTimeout(fn, delayMs);
  t.unref();
  return { cancel: () => clearTimeout(t) };
};

export const printTimerError: TimerErrorHandler = (error, label) => {
  console.error(`lambda-sim: timer "${label}" failed:`, error);
};

/** Real time: now() is Date.now() (less any pauses), timers are wall timers, holds mean nothing. */
export class SystemClock implements PausableClock {
  readonly scale: number = 1;
  private readonly onTimerError: TimerErrorHandler;
  private readonly pauses = new PauseState();

  constructor(opts: WallClockOptions = {}) {
    this.onTimerError = opts.onTimerError ?? printTimerError;
  }

  now(): number {
    return this.pauses.read(Date.now());
  }

  get paused(): boolean {
    return this.pauses.paused;
  }

  pause(): void {
    this.pauses.pause(Date.now());
  }

  resume(): void {
    this.pauses.resume(Date.now());
  }

  setTimer(delayMs: number, fn: () => void | Promise<void>, label = "timer"): TimerHandle {
    const dueAt = this.now() + checkDelay(delayMs);
    return timerUntil(() => dueAt - this.now(), fn, label, this.onTimerError, nodeWallTimer);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  hold(): Hold {
    return NO_HOLD;
  }
}

/** Holds only matter to the VirtualClock; real and scaled time move regardless. */
export const NO_HOLD: Hold = { release() {}, [Symbol.dispose]() {} };

/**
 * Validates a service delay: negative means "now" (as setTimeout does); NaN is a bug upstream and
 * fails loudly instead of firing at a surprising time; +Infinity is a timer that never fires.
 */
export function checkDelay(delayMs: number): number {
  if (Number.isNaN(delayMs)) throw new RangeError("timer delay is NaN");
  return Math.max(0, delayMs);
}

/**
 * A wall timer that fires `fn` once `remainingWallMs()` reaches zero. It re-checks on every wake-up
 * rather than trusting one setTimeout, for two reasons: setTimeout caps at 2^31-1 ms, and Node can
 * fire a timer up to a millisecond early against Date.now(), which a scaled clock multiplies. So a
 * callback always sees `clock.now() >= dueAt`, and service code can compare stored times with now()
 * (STYLE.md 7.4) without an off-by-a-tick wake-up finding nothing due.
 */
export function timerUntil(
  remainingWallMs: () => number,
  fn: () => void | Promise<void>,
  label: string,
  onError: TimerErrorHandler,
  setWall: WallTimerFn,
): TimerHandle {
  let pending: TimerHandle | undefined;
  let done = false;
  const arm = (remaining: number) => {
    pending = setWall(Math.min(Math.max(0, Math.ceil(remaining)), MAX_WALL_DELAY), wake);
  };
  const wake = () => {
    if (done) return;
    const remaining = remainingWallMs();
    if (remaining > 0) return arm(remaining);
    done = true;
    runTimerCallback(fn, label, onError);
  };
  // Always through setWall, even for a zero delay: a timer never runs inside setTimer.
  arm(remainingWallMs());
  return {
    cancel() {
      done = true;
      pending?.cancel();
    },
  };
}

/** Runs a callback detached from its caller, routing a throw or a rejection to `onError`. */
export function runTimerCallback(fn: () => void | Promise<void>, label: string, onError: TimerErrorHandler): void {
  try {
    // A `() => void` callback may still return a value (`() => list.push(x)`); only thenables count.
    const result: unknown = fn();
    if (isThenable(result)) result.then(undefined, (e: unknown) => onError(e, label));
  } catch (e) {
    onError(e, label);
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

/** Clock.sleep in terms of setTimer, shared by the clocks: one timer, cancelled on abort. */
export function sleepOn(clock: Clock, ms: number, signal?: AbortSignal, opts?: TimerOptions, label = "sleep"): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      timer.cancel();
      reject(signal!.reason);
    };
    const timer = clock.setTimer(
      ms,
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      label,
      opts,
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
