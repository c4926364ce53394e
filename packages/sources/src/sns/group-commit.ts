/**
 * Group commit: writes asked for within one turn of the event loop are made in one transaction,
 * and each caller is answered only once that transaction has committed. A publish is still in
 * SQLite before its answer (DESIGN.md "State and durability"), but sixteen concurrent publishes
 * cost one commit instead of sixteen, and the commit is what a durable write costs most.
 */
export class GroupCommit<T> {
  private readonly write: (items: T[]) => void;
  private items: T[] = [];
  private waiting: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  /** `write` stores a batch in one transaction (or throws, failing every caller of the batch). */
  constructor(write: (items: T[]) => void) {
    this.write = write;
  }

  /** Resolves once `items` are committed. */
  add(items: T[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.items.push(...items);
      this.waiting.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // The next turn, after the requests already read in this one: not a delay, no Clock time.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const items = this.items;
    const waiting = this.waiting;
    this.items = [];
    this.waiting = [];
    this.scheduled = false;
    try {
      this.write(items);
    } catch (e) {
      for (const w of waiting) w.reject(e);
      return;
    }
    for (const w of waiting) w.resolve();
  }
}
