import type { TimerHandle } from "./clock.ts";
import { before, TimerHeap } from "./timer-heap.ts";

export interface VirtualTimer {
  dueAt: number;
  seq: number;
  removed?: boolean;
  fn: () => void | Promise<void>;
  label: string;
  /** Housekeeping (TimerOptions.unref): not pending work for runUntilIdle. */
  unref: boolean;
}

/**
 * Timers fired at one virtual instant before the clock gives up: a callback that re-arms itself
 * with a zero delay would otherwise spin advanceBy forever without time moving.
 */
const SAME_INSTANT_LIMIT = 100_000;

/**
 * The VirtualClock's pending timers, fired in (dueAt, insertion) order across two heaps, as
 * Temporal numbers its timer commands: work and unref'd housekeeping are kept apart so
 * runUntilIdle finds the next work in O(1). Taking a timer moves time to its due time; a runaway
 * that fires SAME_INSTANT_LIMIT timers without time moving throws, naming what is pending.
 */
export class VirtualTimers {
  private readonly work = new TimerHeap<VirtualTimer>();
  private readonly housekeeping = new TimerHeap<VirtualTimer>();
  private seq = 0;
  private instant = Number.NaN;
  private firedAtInstant = 0;
  /** Timers taken since construction. */
  fired = 0;

  /** Adds a timer due at `dueAt` (finite); its handle cancels it in O(1). */
  add(dueAt: number, fn: () => void | Promise<void>, label: string, unref: boolean): TimerHandle {
    const timer: VirtualTimer = { dueAt, seq: this.seq++, fn, label, unref };
    const heap = unref ? this.housekeeping : this.work;
    heap.push(timer);
    return { cancel: () => heap.remove(timer) };
  }

  /** Pending timers that count as work (all but the unref'd ones). */
  get workSize(): number {
    return this.work.size;
  }

  /** The earliest pending work timer (unref'd ones left out). */
  nextWork(): VirtualTimer | undefined {
    return this.work.peek();
  }

  /** The earliest pending timer of either heap. */
  peek(): VirtualTimer | undefined {
    const w = this.work.peek();
    const h = this.housekeeping.peek();
    if (w === undefined || h === undefined) return w ?? h;
    return before(h, w) ? h : w;
  }

  /** Removes the earliest timer; `at` is the time it fires at (its due time, or now if later). */
  take(now: number): { timer: VirtualTimer; at: number } | undefined {
    const timer = this.peek();
    if (timer === undefined) return undefined;
    const at = Math.max(now, timer.dueAt);
    if (at !== this.instant) {
      this.instant = at;
      this.firedAtInstant = 0;
    }
    if (++this.firedAtInstant > SAME_INSTANT_LIMIT) {
      throw new Error(
        `VirtualClock fired ${SAME_INSTANT_LIMIT} timers at ${iso(at)} without time moving ` +
          `(${this.describe()}): a timer that re-arms itself with a zero delay?`,
      );
    }
    (timer.unref ? this.housekeeping : this.work).pop();
    this.fired++;
    return { timer, at };
  }

  /** Every pending timer in firing order (views and error messages, not the hot path). */
  sorted(): VirtualTimer[] {
    return [...this.work.sorted(), ...this.housekeeping.sorted()].sort((a, b) => (before(a, b) ? -1 : 1));
  }

  /** "label ×count" for the first few distinct labels, with the next due time; `work`: unref'd timers left out. */
  describe(work = false): string {
    const counts = new Map<string, number>();
    const pending = work ? this.work.sorted() : this.sorted();
    for (const t of pending) counts.set(t.label, (counts.get(t.label) ?? 0) + 1);
    const shown = [...counts].slice(0, 10).map(([label, n]) => (n > 1 ? `${label} ×${n}` : label));
    if (counts.size > 10) shown.push(`… ${counts.size - 10} more labels`);
    const next = pending[0];
    return next === undefined ? "none" : `${shown.join(", ")}; next due ${iso(next.dueAt)}`;
  }
}

/** A service time in an error message: ISO 8601, or the number when it is no date. */
export function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

/** "6h", "90m", "45s": a span as a person reads it in an error message. */
export function formatSpan(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}
