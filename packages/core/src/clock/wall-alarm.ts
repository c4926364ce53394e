import type { TimerHandle } from "./clock.ts";
import { stopwatch } from "./stopwatch.ts";

/**
 * A wall-clock deadline that is moved on every invocation and rarely reached: a function's
 * timeout, the memory watch, the freeze delay (issue 16: a timer created and cancelled per
 * invocation, three or four times over, showed in the warm invoke's profile). Setting or clearing
 * it arms no timer; one stopwatch timer stays pending at or before the deadline, and when it wakes
 * early (the deadline has moved later since) it re-arms for what is left, so the callback never
 * runs before its deadline. Wall time, as stopwatch.after: for real processes only.
 */
export class WallAlarm {
  private dueAt = Number.POSITIVE_INFINITY;
  private fn: (() => void) | undefined;
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private readonly wake = () => this.onWake();

  /** A callback is waiting for its deadline. */
  get armed(): boolean {
    return this.fn !== undefined;
  }

  /** Runs `fn` once `ms` wall milliseconds have passed, unless set again or cleared before. */
  set(ms: number, fn: () => void): void {
    const now = stopwatch.now();
    this.dueAt = now + ms;
    this.fn = fn;
    if (this.timerAt > this.dueAt) this.schedule(now, ms);
  }

  /** Forgets the callback; a pending timer wakes once to find nothing to do. */
  clear(): void {
    this.fn = undefined;
    this.dueAt = Number.POSITIVE_INFINITY;
  }

  /** clear() and cancels the pending timer too: for an owner that goes away (a retired environment). */
  stop(): void {
    this.clear();
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private schedule(now: number, ms: number): void {
    this.timer?.cancel();
    this.timerAt = now + ms;
    this.timer = stopwatch.after(ms, this.wake);
  }

  private onWake(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const fn = this.fn;
    if (fn === undefined) return;
    const now = stopwatch.now();
    // A timer may wake a fraction of a millisecond before the stopwatch says it is due.
    if (this.dueAt > now) return this.schedule(now, Math.max(1, Math.ceil(this.dueAt - now)));
    this.clear();
    fn();
  }
}
