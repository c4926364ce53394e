/**
 * Runs tasks first in, first out, at most `concurrency` at a time: the async queue's pump. p-queue
 * 10 does the same (its queue is no longer O(n) per add), but measured on 200,000 no-op tasks at
 * concurrency 32 it costs about 40 µs a task against 4 µs here (10x), and `pnpm bench:async`'s
 * 100,000-event simulation ran ~20% slower against its timer floor: it does not hold, so this stays.
 *
 * Tasks may carry a key (the async queue's: the function): no key holds more than a share of the
 * slots (keyShare), so one key's slow or hung tasks leave room for the others' (fuzz19 F14: 40
 * sleeping events of one function held all 32 slots and an unrelated function's event waited
 * 25 s; on AWS each function's asynchronous events have their own queue). A task whose key is at
 * its share waits aside, and runs before that key's later tasks once its key has room again.
 */
export class BoundedRunner {
  private readonly concurrency: number;
  /** The concurrency allowed now, when it varies (at most `concurrency`). */
  private readonly allowed: (() => number) | undefined;
  private tasks: (() => Promise<void>)[] = [];
  private keys: string[] = [];
  private head = 0;
  private running = 0;
  /** Running tasks per key (keys with none are removed). */
  private readonly runningByKey = new Map<string, number>();
  /** Tasks set aside while their key was at its share, oldest first. */
  private readonly waiting = new Map<string, (() => Promise<void>)[]>();
  private waitingCount = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(concurrency: number, allowed?: () => number) {
    this.concurrency = concurrency;
    this.allowed = allowed;
  }

  add(task: () => Promise<void>, key = ""): void {
    this.tasks.push(task);
    this.keys.push(key);
    this.pump();
  }

  /** Tasks waiting plus tasks running. */
  get pending(): number {
    return this.tasks.length - this.head + this.waitingCount + this.running;
  }

  /** Resolves when nothing waits or runs. */
  onIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops the waiting tasks (running ones finish). */
  clear(): void {
    this.tasks = [];
    this.keys = [];
    this.head = 0;
    this.waiting.clear();
    this.waitingCount = 0;
    this.settleIfIdle();
  }

  private pump(): void {
    const concurrency = this.allowed?.() ?? this.concurrency;
    const share = keyShare(concurrency);
    while (this.running < concurrency) {
      // Tasks set aside are older than any still queued: one whose key has room goes first.
      if (this.waitingCount > 0 && this.startSetAside(share)) continue;
      if (this.head >= this.tasks.length) break;
      const task = this.tasks[this.head]!;
      const key = this.keys[this.head]!;
      this.tasks[this.head] = undefined as never;
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.tasks.length) {
        this.tasks = this.tasks.slice(this.head);
        this.keys = this.keys.slice(this.head);
        this.head = 0;
      }
      if ((this.runningByKey.get(key) ?? 0) >= share) {
        const aside = this.waiting.get(key);
        if (aside === undefined) this.waiting.set(key, [task]);
        else aside.push(task);
        this.waitingCount++;
        continue;
      }
      this.start(task, key);
    }
  }

  /** Starts the oldest task set aside whose key is under `share`; false when none is. */
  private startSetAside(share: number): boolean {
    for (const [key, aside] of this.waiting) {
      if ((this.runningByKey.get(key) ?? 0) >= share) continue;
      const task = aside.shift()!;
      if (aside.length === 0) this.waiting.delete(key);
      this.waitingCount--;
      this.start(task, key);
      return true;
    }
    return false;
  }

  private start(task: () => Promise<void>, key: string): void {
    this.running++;
    this.runningByKey.set(key, (this.runningByKey.get(key) ?? 0) + 1);
    // A task's failure is its own business (the queue's tasks catch what they expect).
    void task()
      .catch(() => {})
      .finally(() => {
        this.running--;
        const left = this.runningByKey.get(key)! - 1;
        if (left === 0) this.runningByKey.delete(key);
        else this.runningByKey.set(key, left);
        // Within the limit allowed now (it may have shrunk meanwhile, review20 R20-6).
        this.pump();
        this.settleIfIdle();
      });
  }

  private settleIfIdle(): void {
    if (this.pending !== 0) return;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}

/**
 * The slots one key may hold: three quarters of them (our choice), so that a quarter stays for the
 * other keys; all of one slot or two.
 */
export function keyShare(concurrency: number): number {
  return concurrency <= 2 ? concurrency : concurrency - Math.max(1, Math.floor(concurrency / 4));
}
