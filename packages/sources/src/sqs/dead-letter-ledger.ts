/**
 * Which polled messages ever reached a function, so that a redrive can say whether a message went
 * to its dead-letter queue without the function ever running (issue 15: a 300 ms function with
 * reserved concurrency 1 behind a queue loses messages to the DLQ through throttles alone, aws-facts
 * §4 "SQS ESM"). An entry lives from a mapping's first poll of a message until the message is
 * deleted or moved, so the map holds at most the messages in flight.
 */
export interface DeadLetterCounts {
  /** Messages moved to this queue's dead-letter queue since start. */
  moved: number;
  /** Of those, the ones whose every receive was a throttled batch. */
  neverReachedFunction: number;
}

export class DeadLetterLedger {
  /** messageId → whether a function ever ran with it (false: only throttled batches so far). */
  private readonly reached = new Map<string, boolean>();
  /** Messages a mapping left out of its batch, stopped in a recursive loop (sqs-poller.ts). */
  private readonly stopped = new Set<string>();
  private readonly counts = new Map<string, DeadLetterCounts>();

  /** A mapping's batch was throttled: the function did not run with these messages. */
  throttled(ids: readonly string[]): void {
    for (const id of ids) if (!this.reached.has(id)) this.reached.set(id, false);
  }

  /** A mapping's batch ran (whatever its outcome). */
  invoked(ids: readonly string[]): void {
    for (const id of ids) this.reached.set(id, true);
  }

  /** A mapping left the message out of its batch: the 17th invocation of its chain (recursive loops). */
  stoppedInLoop(id: string): void {
    this.stopped.add(id);
  }

  /** Whether a mapping stopped the message in a loop (asked once, as it is moved). */
  wasStopped(id: string): boolean {
    return this.stopped.delete(id);
  }

  /** The message left its queue (deleted): forget it. */
  forget(id: string): void {
    this.reached.delete(id);
    this.stopped.delete(id);
  }

  /**
   * The message was moved from `queue` to its DLQ. Returns whether a function ever ran with it:
   * undefined when no mapping polled it (a plain ReceiveMessage consumer).
   */
  moved(queue: string, id: string): boolean | undefined {
    const reached = this.reached.get(id);
    this.reached.delete(id);
    const c = this.counts.get(queue) ?? { moved: 0, neverReachedFunction: 0 };
    c.moved++;
    if (reached === false) c.neverReachedFunction++;
    this.counts.set(queue, c);
    return reached;
  }

  /** Per source queue, for `/_sim/state` and the dashboard. */
  byQueue(): Record<string, DeadLetterCounts> {
    return Object.fromEntries([...this.counts].map(([q, c]) => [q, { ...c }]));
  }
}
