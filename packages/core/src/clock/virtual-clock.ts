import type { Clock, Hold, TimerHandle } from "./clock.ts";
import { sleepOn } from "./system-clock.ts";

interface VirtualTimer {
  dueAt: number;
  seq: number;
  fn: () => void | Promise<void>;
  label: string;
  cancelled: boolean;
}

/**
 * Discrete-event service time (DESIGN.md `VirtualClock`, like Temporal's time-skipping server):
 * time stands still until asked to move, then jumps straight to the next timer. Timers run in
 * due-time order, ties in insertion order. While real work holds the clock (a handler process
 * running), it does not jump: two hours of retries replay in milliseconds, but never past a
 * handler that has not finished.
 */
export class VirtualClock implements Clock {
  /** Virtual time has no fixed ratio to wall time. */
  readonly scale: number = Number.POSITIVE_INFINITY;
  private current: number;
  private seq = 0;
  private timers: VirtualTimer[] = [];
  private holds = 0;
  private released: (() => void)[] = [];
  private auto = false;

  constructor(startMs: number = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, fn: () => void | Promise<void>, label = "timer"): TimerHandle {
    const timer: VirtualTimer = { dueAt: this.current + Math.max(0, delayMs), seq: this.seq++, fn, label, cancelled: false };
    // Binary insertion keeps (dueAt, seq) order; seq only grows, so ties land after their peers.
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timers[mid]!.dueAt <= timer.dueAt) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, timer);
    if (this.auto) this.kick();
    return {
      cancel: () => {
        timer.cancelled = true;
        const i = this.timers.indexOf(timer);
        if (i >= 0) this.timers.splice(i, 1);
      },
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  hold(label = "hold"): Hold {
    void label;
    this.holds++;
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      this.holds--;
      if (this.holds === 0) {
        for (const r of this.released.splice(0)) r();
        if (this.auto) this.kick();
      }
    };
    return { release, [Symbol.dispose]: release };
  }

  /** Timers not yet run, earliest first (for debugging and test failures). */
  pendingTimers(): { label: string; dueAt: number }[] {
    return this.timers.map((t) => ({ label: t.label, dueAt: t.dueAt }));
  }

  /** Runs the earliest timer (after real work settles). Returns false when there is none. */
  async runNext(): Promise<boolean> {
    await this.settle();
    const timer = this.timers.shift();
    if (timer === undefined) return false;
    this.current = Math.max(this.current, timer.dueAt);
    await timer.fn();
    return true;
  }

  /** Runs every timer due up to `target` in order, then sets the time to `target`. */
  async advanceTo(target: number): Promise<void> {
    for (;;) {
      await this.settle();
      const next = this.timers[0];
      if (next === undefined || next.dueAt > target) break;
      await this.runNext();
    }
    this.current = Math.max(this.current, target);
  }

  advanceBy(ms: number): Promise<void> {
    return this.advanceTo(this.current + ms);
  }

  /** Jumps from timer to timer until none is left; a runaway periodic timer fails loudly. */
  async runUntilIdle(opts: { maxTimers?: number } = {}): Promise<void> {
    const max = opts.maxTimers ?? 10_000;
    for (let n = 0; ; n++) {
      if (n >= max) {
        const labels = [...new Set(this.timers.slice(0, 10).map((t) => t.label))].join(", ");
        throw new Error(`VirtualClock.runUntilIdle ran ${max} timers and timers remain (${labels}): a timer that reschedules itself forever?`);
      }
      if (!(await this.runNext())) return;
    }
  }

  /** For a live server on virtual time: jump to the next timer whenever nothing real is running. */
  startAutoAdvance(): void {
    this.auto = true;
    this.kick();
  }

  stopAutoAdvance(): void {
    this.auto = false;
  }

  private kicking = false;

  private kick(): void {
    if (this.kicking) return;
    this.kicking = true;
    setImmediate(() => {
      this.kicking = false;
      if (!this.auto || this.holds > 0 || this.timers.length === 0) return;
      void this.runNext().then(() => this.auto && this.kick());
    });
  }

  /** Lets promise chains and I/O callbacks run, then waits until no hold is outstanding. */
  private async settle(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    while (this.holds > 0) {
      await new Promise<void>((r) => this.released.push(r));
      await new Promise<void>((r) => setImmediate(r));
    }
  }
}
