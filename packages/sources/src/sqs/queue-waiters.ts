import type { Clock, TimerHandle } from "@lambda-sim/core";

/**
 * Long polls waiting on a queue (ReceiveMessage WaitTimeSeconds): woken by a send, a visibility
 * change or a redrive on that queue, or by the Clock when their wait ends (so the VirtualClock and
 * --time-scale apply to long polling too).
 */
export class QueueWaiters {
  private readonly clock: Clock;
  private readonly waiting = new Map<string, Set<() => void>>();

  constructor(clock: Clock) {
    this.clock = clock;
  }

  wait(queue: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let timer: TimerHandle | undefined;
      const set = this.waiting.get(queue) ?? new Set();
      this.waiting.set(queue, set);
      const wake = () => {
        timer?.cancel();
        set.delete(wake);
        signal?.removeEventListener("abort", wake);
        resolve();
      };
      set.add(wake);
      signal?.addEventListener("abort", wake, { once: true });
      timer = this.clock.setTimer(Math.max(0, ms), wake, `sqs.long-poll:${queue}`);
    });
  }

  notify(queue: string): void {
    const set = this.waiting.get(queue);
    if (set === undefined) return;
    for (const wake of [...set]) wake();
  }

  /** Wakes every waiter (shutdown). */
  wakeAll(): void {
    for (const set of this.waiting.values()) for (const wake of [...set]) wake();
  }
}
