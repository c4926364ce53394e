import type { Clock, Hold, TimerHandle, TimerOptions } from "./clock.ts";
import { checkDelay, printTimerError, sleepOn, type TimerErrorHandler } from "./system-clock.ts";
import { VirtualHolds } from "./virtual-holds.ts";
import { formatSpan, iso, VirtualTimers, type VirtualTimer } from "./virtual-timers.ts";

export interface VirtualClockOptions {
  /** Auto-advance reports a failing timer callback here; the advance methods reject instead. */
  onTimerError?: TimerErrorHandler;
}

/**
 * How far runUntilIdle may move service time by default before it gives up: 6 hours, Lambda's
 * longest maximum event age (aws-facts: MaximumEventAgeInSeconds ≤ 21600), so the longest work
 * Lambda keeps retrying on its own (a throttled async event) still runs to its end, while a
 * recurring schedule fails without dragging pending work through days of service time.
 */
export const RUN_UNTIL_IDLE_MAX_ADVANCE_MS = 6 * 60 * 60 * 1000;

/**
 * Discrete-event service time (DESIGN.md `VirtualClock`, STYLE.md 7.4; compare Temporal's
 * time-skipping test server): time stands still until asked to move, then jumps straight to the
 * next timer, so two hours of retries replay in milliseconds.
 *
 * - Timers fire in (dueAt, insertion) order; each callback sees now() equal to its own due time,
 *   and a returned promise is awaited before the next timer fires.
 * - Between firings the clock lets async work settle (a setImmediate turn drains promise chains),
 *   and while any `hold()` is outstanding (a handler process running, a socket awaited) it waits
 *   for the holds to be released before jumping again. Real work must therefore take a hold for
 *   as long as it may still set timers that belong before the next jump.
 * - Control operations (advanceBy, advanceTo, runNext, runUntilIdle, auto-advance steps) run one
 *   at a time in call order. Do not await one from inside a timer callback: it would wait for
 *   itself.
 *
 * `scale` is +Infinity: virtual time has no fixed ratio to wall time; a service delay converted to
 * wall time (`ms / scale`) is 0, which is what skipping means.
 */
export class VirtualClock implements Clock {
  readonly scale: number = Number.POSITIVE_INFINITY;
  private current: number;
  private readonly timers = new VirtualTimers();
  /** Real work in progress: time does not jump while any is outstanding. */
  private readonly holds = new VirtualHolds(() => this.kick());
  private chain: Promise<unknown> = Promise.resolve();
  private auto: "off" | "due" | "all" = "off";
  private kickScheduled = false;
  /**
   * An auto-step is queued in `chain` and has not started. One is enough: it fires whatever is
   * due when it runs. Queuing one per kick let a long advance (every timer it fires kicks) pile up
   * an auto-step per timer behind itself: 150,000 pending promises after ten idle days, then as
   * many setImmediate turns to drain them (F3).
   */
  private autoQueued = false;
  private readonly onTimerError: TimerErrorHandler;

  constructor(startMs: number = Date.UTC(2026, 0, 1), opts: VirtualClockOptions = {}) {
    this.current = startMs;
    this.onTimerError = opts.onTimerError ?? printTimerError;
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, fn: () => void | Promise<void>, label = "timer", opts?: TimerOptions): TimerHandle {
    const dueAt = this.current + checkDelay(delayMs);
    // An infinite delay never fires; keeping it out of the queue stops runUntilIdle jumping to it.
    if (dueAt === Number.POSITIVE_INFINITY) return { cancel() {} };
    const handle = this.timers.add(dueAt, fn, label, opts?.unref === true);
    this.kick();
    return handle;
  }

  sleep(ms: number, signal?: AbortSignal, opts?: TimerOptions): Promise<void> {
    return sleepOn(this, ms, signal, opts);
  }

  hold(label = "hold"): Hold {
    return this.holds.take(label);
  }

  /**
   * Timers not yet fired, in firing order (for debugging, the dashboard and test failures);
   * housekeeping timers carry `unref: true`.
   */
  pendingTimers(): { label: string; dueAt: number; unref?: true }[] {
    return this.timers.sorted().map((t) => (t.unref ? { label: t.label, dueAt: t.dueAt, unref: true } : { label: t.label, dueAt: t.dueAt }));
  }

  /** Pending timers that count as work for runUntilIdle (all but the unref'd ones). */
  get pendingWork(): number {
    return this.timers.workSize;
  }

  /** Timers fired since construction (the advance and run-until-idle reports). */
  get firedTimers(): number {
    return this.timers.fired;
  }

  /** Due time of the earliest pending timer, if any. */
  nextDue(): number | undefined {
    return this.timers.peek()?.dueAt;
  }

  /** Labels of the holds currently blocking time jumps (why is my advanceBy not returning?). */
  activeHolds(): string[] {
    return this.holds.labels();
  }

  /**
   * Fires the earliest timer (after work settles and holds are released), jumping to its due
   * time, then lets the work it started settle. Resolves false when no timer is pending.
   */
  runNext(): Promise<boolean> {
    return this.exclusive(async () => {
      await this.settle();
      const timer = this.takeNext();
      if (timer === undefined) return false;
      await timer.fn();
      await immediate();
      return true;
    });
  }

  /**
   * Fires every timer due at or before `target` in order, including timers those callbacks create
   * inside the window, then sets the time to `target`. A target in the past leaves time unchanged.
   * When `signal` aborts (the HTTP client that asked has gone), the advance stops before the next
   * timer and rejects with the signal's reason: time stays at the last timer fired, never jumps to
   * `target`.
   */
  async advanceTo(target: number, signal?: AbortSignal): Promise<void> {
    if (Number.isNaN(target)) throw new RangeError("advanceTo target is NaN");
    return this.exclusive(() => this.advanceToUnlocked(target, signal));
  }

  /** advanceTo(now() + ms), where now() is read when earlier control operations have finished. */
  async advanceBy(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`advanceBy needs a non-negative number of ms, got ${ms}`);
    return this.exclusive(() => this.advanceToUnlocked(this.current + ms));
  }

  /**
   * Jumps from timer to timer until no work is pending (no timer other than unref'd ones) and no
   * hold is outstanding. Unref'd timers due on the way fire in order; those left after the last
   * piece of work stay pending, and time stops at that work.
   *
   * A runaway fails with the pending work's labels instead of spinning, in two ways: after
   * `maxTimers` firings (raise it for a workload that really fires more, a 100,000-invocation
   * simulation), and, before jumping, when the next work is due more than `maxAdvanceMs` after
   * the call's start. The second is what bounds the damage of a recurring timer (a schedule):
   * counting firings alone let a failing call drag service time days ahead, ageing every pending
   * async event past its maximum age; the bound stops it at a known distance, and time is left at
   * the last timer fired inside it, never moved to the bound itself. `limitNames` are how the
   * caller's own user sets the two limits, for the messages (an HTTP body's keys, a CLI's flags).
   * `signal` stops it as it stops advanceTo.
   */
  async runUntilIdle(opts: { maxTimers?: number; maxAdvanceMs?: number; limitNames?: { maxTimers: string; maxAdvance: string }; signal?: AbortSignal } = {}): Promise<void> {
    const names = opts.limitNames ?? { maxTimers: "{ maxTimers }", maxAdvance: "{ maxAdvanceMs }" };
    const max = opts.maxTimers ?? 10_000;
    const maxAdvance = opts.maxAdvanceMs ?? RUN_UNTIL_IDLE_MAX_ADVANCE_MS;
    if (!(maxAdvance >= 0)) throw new RangeError(`runUntilIdle needs a non-negative maxAdvanceMs, got ${maxAdvance}`);
    return this.exclusive(async () => {
      const horizon = this.current + maxAdvance;
      // Only work counts: idle polls and gauges firing on the way are bounded by maxAdvance.
      for (let fired = 0; ; ) {
        opts.signal?.throwIfAborted();
        await this.settle();
        opts.signal?.throwIfAborted();
        const work = this.timers.nextWork();
        if (work === undefined) return;
        if (fired >= max) {
          throw new Error(
            `VirtualClock.runUntilIdle fired ${max} timers and ${this.timers.workSize} are still pending ` +
              `(${this.timers.describe(true)}). A timer that re-arms itself forever? ` +
              `If the workload is really this long, pass ${names.maxTimers} higher.`,
          );
        }
        if (work.dueAt > horizon) {
          throw new Error(
            `VirtualClock.runUntilIdle stopped at ${iso(this.current)}: the next pending work is due after ` +
              `${iso(horizon)}, ${formatSpan(maxAdvance)} past where it started (${this.timers.describe(true)}). ` +
              `A timer that re-arms itself forever, such as a schedule? Advance the clock explicitly, or pass ${names.maxAdvance} higher.`,
          );
        }
        const timer = this.takeNext()!;
        if (!timer.unref) fired++;
        await timer.fn();
      }
    });
  }

  /**
   * For a live server on virtual time (`lambda-sim run`): whenever no hold is outstanding and
   * pending promise and I/O callbacks have run, jump to the next timer. A periodic timer (a
   * schedule) then makes virtual time race ahead while the server is idle; that is the point.
   * Timer errors go to `onTimerError`, and auto-advancing continues.
   */
  startAutoAdvance(): void {
    this.auto = "all";
    this.kick();
  }

  /**
   * For a live server on virtual time (`lambda-sim start --clock virtual`): timers already due
   * (zero-delay work such as an accepted Event invocation, a retry whose time has come after an
   * advance) fire by themselves, but time never moves unless advanced.
   */
  startRunningDue(): void {
    this.auto = "due";
    this.kick();
  }

  /** Stops auto-advancing; resolves when a step already under way has finished. */
  stopAutoAdvance(): Promise<void> {
    this.auto = "off";
    return this.chain.then(() => {});
  }

  private kick(): void {
    if (this.auto === "off" || this.kickScheduled) return;
    this.kickScheduled = true;
    setImmediate(() => {
      this.kickScheduled = false;
      if (this.auto === "off" || this.autoQueued || this.holds.size > 0 || !this.autoCanFire()) return;
      this.autoQueued = true;
      void this.exclusive(() => {
        this.autoQueued = false;
        return this.autoStep();
      }).then(() => this.kick());
    });
  }

  private async autoStep(): Promise<void> {
    await this.settle();
    if (this.auto === "off" || !this.autoCanFire()) return;
    let timer: VirtualTimer | undefined;
    try {
      timer = this.takeNext();
      if (timer !== undefined) await timer.fn();
    } catch (e) {
      // A runaway zero-delay timer would report forever; stop instead (takeNext threw, no timer).
      if (timer === undefined) this.auto = "off";
      this.onTimerError(e, timer?.label ?? "auto-advance");
    }
  }

  private autoCanFire(): boolean {
    const next = this.timers.peek();
    return next !== undefined && (this.auto === "all" || next.dueAt <= this.current);
  }

  private async advanceToUnlocked(target: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      await this.settle();
      signal?.throwIfAborted();
      const next = this.timers.peek();
      if (next === undefined || next.dueAt > target) break;
      await this.takeNext()!.fn();
    }
    this.current = Math.max(this.current, target);
  }

  /** Removes the earliest timer and moves time to its due time. */
  private takeNext(): VirtualTimer | undefined {
    const next = this.timers.take(this.current);
    if (next === undefined) return undefined;
    this.current = next.at;
    return next.timer;
  }

  /** Lets promise chains and pending I/O callbacks run, then waits until no hold is outstanding. */
  private async settle(): Promise<void> {
    for (;;) {
      await immediate();
      if (this.holds.size === 0) return;
      await this.holds.released();
    }
  }

  /** Serialises control operations; a failed one does not block the next. */
  private exclusive<T>(op: () => Promise<T>): Promise<T> {
    const result = this.chain.then(op);
    this.chain = result.catch(() => {});
    return result;
  }
}

function immediate(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
