import type { Hold, PausableClock, TimerHandle } from "./clock.ts";
import { PauseState } from "./pause-state.ts";
import {
  checkDelay,
  nodeWallTimer,
  NO_HOLD,
  printTimerError,
  sleepOn,
  timerUntil,
  type TimerErrorHandler,
  type WallTimerFn,
} from "./system-clock.ts";

export interface ScaledClockOptions {
  /**
   * Wall time in milliseconds; only differences are used. Default `performance.now()`, which is
   * monotonic, so an NTP step on the host never moves service time backwards.
   */
  wallNow?: () => number;
  /** Service time at construction, epoch ms. Default `Date.now()`: service time starts at "now". */
  startService?: number;
  /** Arms a wall timer. Default an unref'd setTimeout; tests inject a fake. */
  setWallTimer?: WallTimerFn;
  /** Called with a timer callback's error. Default: printed to stderr with the timer's label. */
  onTimerError?: TimerErrorHandler;
}

/**
 * Service time running `scale`× faster than wall time from construction (`--time-scale`, DESIGN.md
 * "Time"): at 60× a two-minute retry delay takes two wall seconds, and now() has moved two minutes.
 *
 *   now()            = startService + (wall - startWall) × scale, floored to whole milliseconds
 *   setTimer(d, fn)  fires after d / scale wall ms, when now() has reached the due time
 *
 * Handler execution is not affected: runtime drivers time it with the wall-clock `stopwatch`.
 */
export class ScaledClock implements PausableClock {
  readonly scale: number;
  private readonly wallNow: () => number;
  private readonly startWall: number;
  private readonly startService: number;
  private readonly setWallTimer: WallTimerFn;
  private readonly onTimerError: TimerErrorHandler;
  private readonly pauses = new PauseState();

  constructor(scale: number, opts: ScaledClockOptions = {}) {
    if (!(scale > 0) || !Number.isFinite(scale)) {
      throw new RangeError(`time scale must be a positive finite number, got ${scale}`);
    }
    this.scale = scale;
    this.wallNow = opts.wallNow ?? (() => performance.now());
    this.startWall = this.wallNow();
    this.startService = opts.startService ?? Date.now();
    this.setWallTimer = opts.setWallTimer ?? nodeWallTimer;
    this.onTimerError = opts.onTimerError ?? printTimerError;
  }

  now(): number {
    return this.pauses.read(this.unpaused());
  }

  get paused(): boolean {
    return this.pauses.paused;
  }

  pause(): void {
    this.pauses.pause(this.unpaused());
  }

  resume(): void {
    this.pauses.resume(this.unpaused());
  }

  private unpaused(): number {
    // Floored: service code stores now() in INTEGER columns and ISO strings; a scale such as 0.5
    // or a sub-millisecond wall reading must not leak fractions into them.
    return Math.floor(this.startService + (this.wallNow() - this.startWall) * this.scale);
  }

  setTimer(delayMs: number, fn: () => void | Promise<void>, label = "timer"): TimerHandle {
    const dueAt = this.now() + checkDelay(delayMs);
    return timerUntil(() => (dueAt - this.now()) / this.scale, fn, label, this.onTimerError, this.setWallTimer);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  hold(): Hold {
    return NO_HOLD;
  }
}
