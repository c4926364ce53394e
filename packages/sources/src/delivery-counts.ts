/** What became of the deliveries to one subscriber or target, since the simulator started. */
export interface DeliveryCountsView {
  delivered: number;
  /** Attempts that failed, retried or not. */
  failed: number;
  /** Deliveries whose last attempt failed and that wait for their next one now. */
  retrying: number;
  deadLettered: number;
  dropped: number;
}

/**
 * Per-subscriber delivery counts of the fan-out sources (SNS subscriptions, EventBridge rule
 * targets), for their dashboard views. The source notes each delivery outcome at the point where
 * it emits the matching telemetry event, in the same synchronous step, so a snapshot's counts
 * reflect exactly the events up to its `seq`: the page counts only the events after it.
 */
export class DeliveryCounts {
  private readonly byKey = new Map<string, DeliveryCountsView>();
  /** Deliveries waiting for a retry (`key\nid`): each leaves on its next outcome. */
  private readonly waiting = new Set<string>();

  delivered(key: string, id: string): void {
    this.of(key).delivered++;
    this.settle(key, id);
  }

  /** A failed attempt: retried (`retrying`), or the last one, then dead-lettered or dropped. */
  failed(key: string, id: string, outcome: { retrying: boolean; deadLettered?: boolean }): void {
    const c = this.of(key);
    c.failed++;
    if (outcome.retrying) {
      const waiting = `${key}\n${id}`;
      if (!this.waiting.has(waiting)) c.retrying++;
      this.waiting.add(waiting);
      return;
    }
    this.settle(key, id);
    if (outcome.deadLettered) c.deadLettered++;
    else c.dropped++;
  }

  view(key: string): DeliveryCountsView {
    return { ...(this.byKey.get(key) ?? ZERO) };
  }

  private settle(key: string, id: string): void {
    // Every delivery settles here: no key string built while nothing waits for a retry.
    if (this.waiting.size === 0) return;
    if (this.waiting.delete(`${key}\n${id}`)) this.of(key).retrying--;
  }

  private of(key: string): DeliveryCountsView {
    let c = this.byKey.get(key);
    if (c === undefined) {
      c = { ...ZERO };
      this.byKey.set(key, c);
    }
    return c;
  }
}

const ZERO: DeliveryCountsView = { delivered: 0, failed: 0, retrying: 0, deadLettered: 0, dropped: 0 };
