import type { Store } from "./store.ts";


interface Write {
  op: () => void;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: writes queued in one turn of the event loop share one SQLite transaction. On a
 * state directory a commit costs more than the rest of an Invoke request, so the async queue
 * answers its 202s after the shared commit instead of one transaction per event. Writes run in
 * the order queued; one failing statement rejects its own promise and does not undo the others.
 */
export class GroupCommit {
  private readonly store: Store;
  /** Built once: better-sqlite3 compiles a wrapper per db.transaction() call. */
  private readonly commit: (writes: Write[], failed: Map<Write, unknown>) => void;
  private writes: Write[] = [];
  private scheduled = false;

  constructor(store: Store) {
    this.store = store;
    this.commit = store.writer((writes: Write[], failed: Map<Write, unknown>) => {
      for (const w of writes) {
        try {
          w.op();
        } catch (e) {
          failed.set(w, e);
        }
      }
    });
  }

  /** Queues `op` for the next commit; resolves once it is committed, rejects if it failed. */
  write(op: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.writes.push({ op, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // After the current turn's I/O callbacks: every request already read joins this commit.
      setImmediate(() => this.flush());
    });
  }

  /** Commits what is queued now (also called before the store closes). */
  flush(): void {
    this.scheduled = false;
    const writes = this.writes;
    if (writes.length === 0) return;
    this.writes = [];
    const failed = new Map<Write, unknown>();
    try {
      if (!this.store.db.open) throw new Error("the state database is closed");
      this.commit(writes, failed);
    } catch (e) {
      for (const w of writes) failed.set(w, e);
    }
    for (const w of writes) {
      if (failed.has(w)) w.reject(failed.get(w));
      else w.resolve();
    }
  }
}
