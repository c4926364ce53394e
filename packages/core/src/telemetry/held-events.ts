import type { SequencedEvent } from "./event-hub.ts";

/**
 * The events the hub has batched for its clients and not yet sent to every client that takes
 * them, in seq order. A client on the hub's own cadence gets them at the next turn; one that asked
 * for fewer frames (`intervalMs`: the dashboard at a high rate) gets at its next frame all that
 * came since its last, so they are held that long: memory stays bounded by the longest interval
 * the hub allows (MAX_INTERVAL_MS in hub-subscription.ts) at the stream's rate.
 */
export class HeldEvents {
  private events: SequencedEvent[] = [];
  /** The `invocation.finished` events held that end an async attempt (never summarized). */
  private asyncFinishes = new Set<object>();

  get size(): number {
    return this.events.length;
  }

  /** The newest seq held; 0 when none is. */
  get lastSeq(): number {
    return this.events.length === 0 ? 0 : this.events[this.events.length - 1]!.seq;
  }

  push(e: SequencedEvent, endsAsyncAttempt: boolean): void {
    this.events.push(e);
    if (endsAsyncAttempt) this.asyncFinishes.add(e);
  }

  /** The events after `seq`, oldest first (every event held, for a client up to date at the last turn). */
  after(seq: number): SequencedEvent[] {
    const i = this.indexAfter(seq);
    return i === 0 ? this.events : this.events.slice(i);
  }

  /** Of the async attempts' finishes, those held: what foldRoutine must not sum. */
  get attemptFinishes(): Set<object> {
    return this.asyncFinishes;
  }

  /** Forgets the events up to `seq`, every client having them. */
  dropThrough(seq: number): void {
    const i = this.indexAfter(seq);
    if (i === 0) return;
    if (i === this.events.length) {
      this.events = [];
      this.asyncFinishes = new Set();
      return;
    }
    if (this.asyncFinishes.size > 0) for (let j = 0; j < i; j++) this.asyncFinishes.delete(this.events[j]!);
    this.events = this.events.slice(i);
  }

  /** Index of the first event with a seq above `seq` (binary search: seqs ascend). */
  private indexAfter(seq: number): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.events[mid]!.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
