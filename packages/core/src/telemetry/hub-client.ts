import type { HubSink, SequencedEvent } from "./event-hub.ts";
import { EVERYTHING, type CompiledSubscription } from "./hub-subscription.ts";

/**
 * One client of the EventHub (a dashboard page, a `lambda-sim tail`): where it is in the stream,
 * what it asked for, and the events it takes that came since its last frame. Those are matched
 * once, as they come, so a frame does not sift the events other clients take (the page's frames
 * come every 500 ms at a high rate, tail's every 50): with both attached, the hub's work for them
 * fell by about a quarter, with the texts kept on the events (hub-subscription.ts; bench/hub.ts).
 */
export class HubClient {
  /** The last seq this client has (in its snapshot or an events frame). */
  seq = 0;
  /** Events not sent since it became slow. */
  dropped = 0;
  subscription: CompiledSubscription = EVERYTHING;
  /** The seq of the last views frame it was sent: a summary counts no invocation on both sides of it. */
  viewsSeq = 0;
  /** When it was last sent an events frame (stopwatch ms): the subscription's intervalMs runs from it. */
  framedAt = 0;
  /**
   * Oldest first, matched by the subscription whose key is `pendingKey`. Held for the
   * subscription's intervalMs at most: memory stays bounded by the longest interval the hub allows
   * (MAX_INTERVAL_MS in hub-subscription.ts) at the stream's rate.
   */
  private pending: SequencedEvent[] = [];
  private pendingKey = EVERYTHING.key;

  readonly sink: HubSink;

  constructor(sink: HubSink) {
    this.sink = sink;
  }

  /** Holds `e` for the client's next frame if it takes it; whether it does. */
  offer(e: SequencedEvent): boolean {
    if (!this.subscription.matches(e)) return false;
    this.pending.push(e);
    return true;
  }

  /** Whether events wait for its next frame. */
  get waiting(): boolean {
    return this.pending.length > 0;
  }

  /**
   * Its waiting events, taken: it has everything up to `seq`, the hub's last. Those matched by an
   * earlier subscription than its current one are matched again (it subscribed since: from its
   * next frame on, what it asked for).
   */
  take(seq: number): SequencedEvent[] {
    const taken = this.pendingKey === this.subscription.key ? this.pending : this.pending.filter((e) => this.subscription.matches(e));
    this.startAt(seq);
    return taken;
  }

  /** It has everything up to `seq` (a snapshot it was sent): nothing waits. */
  startAt(seq: number): void {
    this.pending = [];
    this.pendingKey = this.subscription.key;
    this.seq = seq;
  }
}
