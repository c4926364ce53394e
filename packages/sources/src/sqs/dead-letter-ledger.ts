/**
 * Which polled messages ever reached a function, so that a redrive can say whether a message went
 * to its dead-letter queue without the function ever running (issue 15: a 300 ms function with
 * reserved concurrency 1 behind a queue loses messages to the DLQ through throttles alone, aws-facts
 * §4 "SQS ESM"). An entry lives from a mapping's first poll of a message until the message is
 * deleted or moved (one that leaves another way is pushed out past MAX_MARKS).
 *
 * "Only throttled so far" is also kept with the message in SQLite (`persist`), written only when
 * it changes (a throttled batch, or the first run after one), so a restart does not forget that a
 * message never reached the function (newuser14 F20); a mapping's poll reads it back.
 */
export interface DeadLetterCounts {
  /** Messages moved to this queue's dead-letter queue since start. */
  moved: number;
  /** Of those, the ones whose every receive was a throttled batch. */
  neverReachedFunction: number;
  /** Of those, the ones a mapping stopped in a recursive loop (the function never ran with them either). */
  stoppedInLoop: number;
}

export class DeadLetterLedger {
  /** messageId → whether a function ever ran with it (false: only throttled batches so far). */
  private readonly reached = new Map<string, boolean>();
  /** Messages a mapping left out of its batch, stopped in a recursive loop (sqs-poller.ts). */
  private readonly stopped = new Set<string>();
  private readonly counts = new Map<string, DeadLetterCounts>();

  /**
   * Batches a mapping has taken these messages in and not yet settled: one may be running with a
   * message while its redelivery (its visibility timeout passed mid-run) is throttled in another
   * (newuser12 N2-1: such a message, run and then moved, was said never to have reached the function).
   */
  private readonly pending = new Map<string, number>();
  /** messageId → its row, for the messages whose mark is kept in SQLite. */
  private readonly rows = new Map<string, number>();
  private readonly persist: (seqs: number[], never: boolean) => void;

  /** `persist`: keeps messages' "only throttled so far" mark with them (QueueStore.setNeverReachedFunction), one transaction a batch. */
  constructor(persist: (seqs: number[], never: boolean) => void = () => {}) {
    this.persist = persist;
  }

  /**
   * A mapping took these messages in a batch, to be invoked. A message stored as never having
   * reached the function (before a restart) is known so again.
   */
  polled(messages: readonly { messageId: string; seq?: number; neverReachedFunction?: boolean }[]): void {
    for (const m of messages) {
      this.pending.set(m.messageId, (this.pending.get(m.messageId) ?? 0) + 1);
      if (m.seq !== undefined) this.rows.set(m.messageId, m.seq);
      if (m.neverReachedFunction === true && !this.reached.has(m.messageId)) this.reached.set(m.messageId, false);
    }
    forgetOldest(this.pending);
    forgetOldest(this.rows);
  }

  /** That batch settled (ran, failed or was throttled). */
  settled(ids: readonly string[]): void {
    for (const id of ids) {
      const n = (this.pending.get(id) ?? 1) - 1;
      if (n > 0) this.pending.set(id, n);
      else this.pending.delete(id);
    }
  }

  /** A mapping's batch was throttled: the function did not run with these messages (unless another batch is running with one). */
  throttled(ids: readonly string[]): void {
    const seqs: number[] = [];
    for (const id of ids) {
      if (this.reached.has(id) || this.pending.has(id)) continue;
      this.reached.set(id, false);
      const seq = this.rows.get(id);
      if (seq !== undefined) seqs.push(seq);
    }
    if (seqs.length > 0) this.persist(seqs, true);
    forgetOldest(this.reached);
  }

  /** A mapping's batch ran (whatever its outcome): a message stopped once and run since is no longer a stopped one (R21-3). */
  invoked(ids: readonly string[]): void {
    let seqs: number[] | undefined;
    for (const id of ids) {
      // Its stored mark goes only when there was one: a run writes nothing otherwise (the hot path).
      const seq = this.reached.get(id) === false ? this.rows.get(id) : undefined;
      if (seq !== undefined) (seqs ??= []).push(seq);
      this.reached.set(id, true);
      this.stopped.delete(id);
    }
    if (seqs !== undefined) this.persist(seqs, false);
    forgetOldest(this.reached);
  }

  /** A mapping left the message out of its batch: the 17th invocation of its chain (recursive loops). */
  stoppedInLoop(id: string): void {
    this.stopped.add(id);
    forgetOldest(this.stopped);
  }

  /** Whether a mapping stopped the message in a loop (asked once, as it is moved). */
  wasStopped(id: string): boolean {
    return this.stopped.delete(id);
  }

  /** The message left its queue (deleted): forget it. */
  forget(id: string): void {
    this.reached.delete(id);
    this.rows.delete(id);
    this.stopped.delete(id);
  }

  /**
   * The message was moved from `queue` to its DLQ. Returns whether a function ever ran with it:
   * undefined when no mapping polled it (a plain ReceiveMessage consumer).
   */
  moved(queue: string, id: string, stoppedInLoop = false, storedNeverReached = false): boolean | undefined {
    // A batch still running with it: the function has it. Else what this run saw, else what the
    // message's row kept from before a restart.
    const reached = this.pending.has(id) ? true : (this.reached.get(id) ?? (storedNeverReached ? false : undefined));
    this.reached.delete(id);
    this.rows.delete(id);
    const c = this.counts.get(queue) ?? { moved: 0, neverReachedFunction: 0, stoppedInLoop: 0 };
    c.moved++;
    // One reason each, as the event, console line and scenario report give it: a loop stop first (review22 R22-7).
    if (stoppedInLoop) c.stoppedInLoop++;
    else if (reached === false) c.neverReachedFunction++;
    this.counts.set(queue, c);
    return reached;
  }

  /** Per source queue, for `/_sim/state` and the dashboard. */
  byQueue(): Record<string, DeadLetterCounts> {
    return Object.fromEntries([...this.counts].map(([q, c]) => [q, { ...c }]));
  }
}

/**
 * Messages that leave their queue another way (retention, PurgeQueue, a plain consumer's
 * DeleteMessage) are not told to the ledger (review21 R21-3): past this many marks the oldest go,
 * far more than the messages mappings hold in flight at once.
 */
const MAX_MARKS = 200_000;

function forgetOldest(marks: Map<string, unknown> | Set<string>): void {
  if (marks.size <= MAX_MARKS) return;
  for (const key of marks.keys()) {
    marks.delete(key);
    if (marks.size <= MAX_MARKS) return;
  }
}
