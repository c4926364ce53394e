/** What the heap orders: due time, then insertion order. */
export interface HeapTimer {
  dueAt: number;
  seq: number;
  /** Set by remove(); the entry is dropped when it reaches the top. */
  removed?: boolean;
}

/** Firing order: `a` fires before `b`. */
export const before = (a: HeapTimer, b: HeapTimer) => a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.seq < b.seq);

/**
 * The VirtualClock's pending timers: a binary min-heap on (dueAt, seq), O(log n) to add and to
 * take the earliest. A sorted array costs O(n) per insertion and per shift, which made a day of
 * 100,000 invocations (400,000 timers) quadratic. Removal is lazy: a cancelled timer is marked
 * and skipped when it surfaces, so cancel is O(1).
 */
export class TimerHeap<T extends HeapTimer> {
  private readonly heap: T[] = [];
  private live = 0;

  get size(): number {
    return this.live;
  }

  push(t: T): void {
    const h = this.heap;
    this.live++;
    // Sift up by moving parents down into the hole: no swaps, no allocation.
    let i = h.length;
    h.push(t);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (!before(t, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = t;
  }

  /** The earliest live timer, without removing it. */
  peek(): T | undefined {
    this.dropRemoved();
    return this.heap[0];
  }

  /** Removes and returns the earliest live timer. */
  pop(): T | undefined {
    this.dropRemoved();
    const top = this.heap[0];
    if (top === undefined) return undefined;
    this.take();
    this.live--;
    // A fired timer's cancel() must be a no-op, not a second decrement.
    top.removed = true;
    return top;
  }

  remove(t: T): void {
    if (t.removed) return;
    t.removed = true;
    this.live--;
  }

  /** Live timers in firing order (a sorted copy: for views and error messages, not the hot path). */
  sorted(): T[] {
    return this.heap.filter((t) => !t.removed).sort((a, b) => (before(a, b) ? -1 : 1));
  }

  private dropRemoved(): void {
    while (this.heap[0]?.removed) this.take();
  }

  private take(): void {
    const h = this.heap;
    const last = h.pop()!;
    const n = h.length;
    if (n === 0) return;
    // Sift the last entry down from the root, moving smaller children up into the hole.
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(h[r]!, h[l]!) ? r : l;
      const child = h[c]!;
      if (!before(child, last)) break;
      h[i] = child;
      i = c;
    }
    h[i] = last;
  }
}
