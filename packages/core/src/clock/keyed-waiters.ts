import type { Clock, TimerHandle } from "./clock.ts";

/**
 * Callers waiting on a named thing (a queue's long polls, a shard's readers): woken by `notify`
 * when it changes, or by the Clock when their wait ends, so the VirtualClock and --time-scale apply
 * to every wait. Sources share this rather than each keeping a map of wake-ups.
 */
export class KeyedWaiters {
  private readonly clock: Clock;
  private readonly label: string;
  private readonly waiting = new Map<string, Set<() => void>>();

  /** `label` names the timers (`sqs.long-poll` → `sqs.long-poll:<key>`). */
  constructor(clock: Clock, label: string) {
    this.clock = clock;
    this.label = label;
  }

  /** Resolves after `ms` of service time, on `notify(key)`, or when `signal` aborts. */
  wait(key: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      let timer: TimerHandle | undefined;
      const set = this.waiting.get(key) ?? new Set();
      this.waiting.set(key, set);
      const wake = () => {
        timer?.cancel();
        set.delete(wake);
        if (set.size === 0 && this.waiting.get(key) === set) this.waiting.delete(key);
        signal?.removeEventListener("abort", wake);
        resolve();
      };
      set.add(wake);
      signal?.addEventListener("abort", wake, { once: true });
      timer = this.clock.setTimer(Math.max(0, ms), wake, `${this.label}:${key}`);
    });
  }

  notify(key: string): void {
    const set = this.waiting.get(key);
    if (set === undefined) return;
    for (const wake of [...set]) wake();
  }

  /** Wakes every waiter (shutdown). */
  wakeAll(): void {
    for (const set of [...this.waiting.values()]) for (const wake of [...set]) wake();
  }
}
