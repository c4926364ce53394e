import type { Clock, KeyedWaiters, TimerHandle } from "@lambda-sim/core";
import type { QueueStore } from "./queue-store.ts";

/**
 * When a queue's next delayed or in-flight message becomes visible, as one timer per queue, for
 * the pollers waiting on it. A long poll returns a message as soon as it becomes visible (its
 * delay or visibility timeout runs out; aws-facts §7 WaitTimeSeconds), so that instant is work for
 * `run-until-idle`: the message will be delivered. The poll's own wait is not (an idle lane is
 * housekeeping), and neither is a message that is gone: a delete moves the timer to the queue's
 * next such message or cancels it. Without this, a lane waiting on a message another lane had in
 * flight kept a timer of its own that outlived the message's delete, and run-until-idle jumped to
 * it, up to a 20 s long poll past the end of the work.
 */
export class VisibilityWatch {
  private readonly store: QueueStore;
  private readonly clock: Clock;
  private readonly waiters: KeyedWaiters;
  private readonly armed = new Map<string, { at: number; timer: TimerHandle }>();

  constructor(store: QueueStore, clock: Clock, waiters: KeyedWaiters) {
    this.store = store;
    this.clock = clock;
    this.waiters = waiters;
  }

  /**
   * For a poller about to wait on `queue` with nothing to take: when the next message becomes
   * visible, if one will. Until then the queue's timer stands at that instant and wakes its
   * waiters there (KeyedWaiters.notify: one lane of each mapping, which passes the work on).
   */
  watch(queue: string): number | undefined {
    const now = this.clock.now();
    const next = this.store.nextVisibleAt(queue, now);
    const armed = this.armed.get(queue);
    if (armed?.at === next) return next;
    armed?.timer.cancel();
    if (next === undefined) {
      this.armed.delete(queue);
      return undefined;
    }
    const timer = this.clock.setTimer(next - now, () => this.due(queue), `sqs.visible:${queue}`);
    this.armed.set(queue, { at: next, timer });
    return next;
  }

  /**
   * Messages of `queue` were deleted or purged (or the queue itself), or a poller stopped: the
   * watched message may be gone, or nobody may be left waiting for it (the next to wait watches
   * again). Costs nothing while no timer is armed, as during a burst, when the lanes find messages
   * at each receive.
   */
  recheck(queue: string): void {
    const armed = this.armed.get(queue);
    if (armed === undefined) return;
    if (this.waiters.has(queue)) {
      this.watch(queue);
      return;
    }
    armed.timer.cancel();
    this.armed.delete(queue);
  }

  /** Shutdown: no timer left behind. */
  stop(): void {
    for (const { timer } of this.armed.values()) timer.cancel();
    this.armed.clear();
  }

  private due(queue: string): void {
    this.armed.delete(queue);
    this.waiters.notify(queue);
    // The lanes not woken still wait, on the message after this one if any.
    if (this.waiters.has(queue)) this.watch(queue);
  }
}
