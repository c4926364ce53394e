import { KeyedWaiters, type Clock, type TimerHandle } from "@lambda-sim/core";
import type { QueueStore } from "./queue-store.ts";

/** What the watch reports: a queue's backlog went past a threshold, or fell back under one. */
export interface BacklogChange {
  queue: string;
  /** Messages in the queue now: visible + in flight + delayed (every message not deleted). */
  messages: number;
  /** ApproximateNumberOfMessagesVisible, -NotVisible and -Delayed now. */
  visible: number;
  inflight: number;
  delayed: number;
  /** The highest threshold the backlog is at or past now (0: under the first); `previous` the one reported before. */
  threshold: number;
  previous: number;
  /** The threshold above the backlog now (undefined: past the last). */
  next?: number;
  /** ApproximateAgeOfOldestMessage now, in ms (undefined: the queue is empty). */
  oldestAgeMs?: number;
}

/**
 * Our choice (no AWS behaviour: SQS only publishes the gauges): a line when a queue holds 10, 100,
 * 1,000, 10,000 messages, and one each time it falls back under one of them. Configurable
 * (`sqs: { backlogThresholds: [...] }`); an empty list turns the lines off.
 */
export const DEFAULT_BACKLOG_THRESHOLDS: readonly number[] = [10, 100, 1000, 10_000];

/** Our choice: how long (service time) after a message arrives the backlog is counted, and how soon again after it crossed a threshold. */
export const BACKLOG_CHECK_MS = 1000;
/**
 * Our choice: while a backlog stays at one level (a DLQ nobody reads), each re-count waits twice as
 * long as the last, up to this: a day of `clock advance` past a full DLQ costs a few thousand counts,
 * not 86,400, and a drain is still told within half a minute.
 */
export const BACKLOG_RECHECK_MAX_MS = 30_000;

/**
 * "The queue filling" as an event (newuser14 F23): `tail` printed batches, throttles and DLQ moves,
 * nothing as messages piled up. The count is every message not deleted, not only the visible
 * ones: behind a throttled function a mapping's lanes hold the backlog in flight, and the visible
 * count stays low while the queue fills. A queue that receives messages is counted BACKLOG_CHECK_MS later
 * (not on every send: a send stays one INSERT), and again while its backlog is past a threshold
 * (BACKLOG_RECHECK_MAX_MS), so the crossing back under the first is seen as consumers drain it. Counts
 * use the same queries as GetQueueAttributes and the AWS/SQS gauges. The checks are housekeeping
 * timers (unref): they never keep a virtual clock's run-until-idle going.
 */
export class QueueBacklogWatch {
  private readonly reported = new Map<string, number>();
  private readonly timers = new Map<string, TimerHandle>();
  /** Each past-threshold queue's wait before its next re-count (BACKLOG_RECHECK_MAX_MS). */
  private readonly intervals = new Map<string, number>();
  private readonly store: QueueStore;
  private readonly clock: Clock;
  private readonly thresholds: readonly number[];
  private readonly emit: (change: BacklogChange) => void;
  private stopped = false;

  constructor(store: QueueStore, clock: Clock, emit: (change: BacklogChange) => void, thresholds: readonly number[] = DEFAULT_BACKLOG_THRESHOLDS) {
    this.store = store;
    this.clock = clock;
    this.emit = emit;
    this.thresholds = [...thresholds].sort((a, b) => a - b);
  }

  /** Messages may have become visible in `queue` (a send, a redrive, a visibility timeout ending): count it soon. */
  poke(queue: string, afterMs = BACKLOG_CHECK_MS): void {
    if (this.stopped || this.thresholds.length === 0 || this.timers.has(queue)) return;
    this.timers.set(queue, this.clock.setTimer(afterMs, () => this.check(queue), `sqs.backlog:${queue}`, { unref: true }));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  private check(queue: string): void {
    this.timers.delete(queue);
    if (this.stopped) return;
    if (this.store.getQueue(queue) === undefined) return void (this.reported.delete(queue), this.intervals.delete(queue));
    const now = this.clock.now();
    const counts = this.store.counts(queue, now);
    const messages = counts.visible + counts.inflight + counts.delayed;
    const threshold = this.levelOf(messages);
    const previous = this.reported.get(queue) ?? 0;
    if (threshold !== previous) {
      this.reported.set(queue, threshold);
      const oldest = this.store.oldestSentAt(queue);
      const next = this.thresholds.find((t) => t > messages);
      this.emit({ queue, messages, ...counts, threshold, previous, ...(next === undefined ? {} : { next }), ...(oldest === undefined ? {} : { oldestAgeMs: Math.max(0, now - oldest) }) });
    }
    // Past a threshold: looked at again, to see it drain (or grow past the next), sooner after a change.
    const interval = threshold !== previous ? BACKLOG_CHECK_MS : Math.min(2 * (this.intervals.get(queue) ?? BACKLOG_CHECK_MS), BACKLOG_RECHECK_MAX_MS);
    if (threshold > 0) {
      this.intervals.set(queue, interval);
      this.poke(queue, interval);
    } else this.intervals.delete(queue);
  }

  private levelOf(messages: number): number {
    let level = 0;
    for (const t of this.thresholds) if (messages >= t) level = t;
    return level;
  }
}

/**
 * The SQS long-poll waiters, also telling the backlog watch: every place messages become
 * receivable (a send, a redrive, a visibility timeout or delay ending) already notifies them.
 */
export class NotifyingWaiters extends KeyedWaiters {
  onNotify: (queue: string) => void = () => {};

  override notify(key: string): void {
    super.notify(key);
    this.onNotify(key);
  }
}
