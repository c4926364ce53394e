import type { Clock, TimerHandle } from "@lambda-sim/core";

/**
 * Readers waiting for a shard's next record (the stream ESM between polls): woken by PutRecord(s)
 * on that shard, or by the Clock when their wait ends.
 */
export class ShardWaiters {
  private readonly clock: Clock;
  private readonly waiting = new Map<string, Set<() => void>>();

  constructor(clock: Clock) {
    this.clock = clock;
  }

  wait(key: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      let timer: TimerHandle | undefined;
      const set = this.waiting.get(key) ?? new Set();
      this.waiting.set(key, set);
      const wake = () => {
        timer?.cancel();
        set.delete(wake);
        signal?.removeEventListener("abort", wake);
        resolve();
      };
      set.add(wake);
      signal?.addEventListener("abort", wake, { once: true });
      timer = this.clock.setTimer(Math.max(0, ms), wake, `kinesis.wait:${key}`);
    });
  }

  notify(key: string): void {
    const set = this.waiting.get(key);
    if (set === undefined) return;
    for (const wake of [...set]) wake();
  }

  wakeAll(): void {
    for (const set of this.waiting.values()) for (const wake of [...set]) wake();
  }
}
