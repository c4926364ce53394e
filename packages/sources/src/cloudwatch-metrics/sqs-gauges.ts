import type { Clock, Store, TimerHandle } from "@lambda-sim/core";
import type { QueueActivity } from "../sqs/queue-activity.ts";
import { QueueStore } from "../sqs/queue-store.ts";
import type { MetricStore } from "./metric-store.ts";

const MINUTE = 60_000;
/**
 * How long after its last access an empty queue still has its gauges published (SQS developer
 * guide, "Monitoring Amazon SQS queues using CloudWatch": active for up to six hours if it
 * contains any messages or if any action accesses it; see QueueActivity).
 */
export const SQS_ACTIVE_MS = 6 * 60 * 60 * 1000;

export interface SqsGauges {
  stop(): void;
  /** Samples now (the minute keeps its latest sample): a read sees the current backlog. */
  sample(): void;
}

/**
 * SQS's queue gauges (AWS/SQS, dimension QueueName), sampled once a minute of service time at the
 * minute's start (and again when metrics are read, the minute keeping its latest sample), as SQS
 * publishes them to CloudWatch ("Available CloudWatch metrics for Amazon SQS"):
 * ApproximateNumberOfMessagesVisible, -NotVisible, -Delayed (Count) and
 * ApproximateAgeOfOldestMessage (Seconds, 0 for an empty queue). Read straight from the queue
 * tables; nothing runs when the SQS source is not part of the simulator.
 *
 * Only active queues are sampled, as SQS publishes only theirs: one that holds messages, or that an
 * action accessed within SQS_ACTIVE_MS. An idle queue's metrics stop six hours after its last
 * call, and a long idle advance of the virtual clock no longer fills the metric store with zeros.
 * (AWS adds that metrics can lag up to 15 minutes when a queue wakes; not simulated: they resume
 * at the next minute.)
 */
export function startSqsGauges(store: Store, clock: Clock, metrics: MetricStore, activityOf: () => QueueActivity): SqsGauges | undefined {
  if (store.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqs_queues'").get() === undefined) return undefined;
  const queues = new QueueStore(store);
  let timer: TimerHandle | undefined;
  let stopped = false;
  const sample = () => {
    const now = clock.now();
    const activity = activityOf();
    const names = new Set<string>();
    for (const q of queues.listQueues()) {
      names.add(q.name);
      let accessed = activity.lastAccessed(q.name);
      // First seen (declared in lambda-sim.yaml, or the simulator restarted): accessed now.
      if (accessed === undefined) activity.touch(q.name, (accessed = now));
      const c = queues.counts(q.name, now);
      if (now - accessed > SQS_ACTIVE_MS && c.visible + c.inflight + c.delayed === 0) continue;
      const oldest = queues.oldestSentAt(q.name);
      const dims = [{ Name: "QueueName", Value: q.name }];
      metrics.setGauge("AWS/SQS", "ApproximateNumberOfMessagesVisible", dims, c.visible, "Count");
      metrics.setGauge("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", dims, c.inflight, "Count");
      metrics.setGauge("AWS/SQS", "ApproximateNumberOfMessagesDelayed", dims, c.delayed, "Count");
      metrics.setGauge("AWS/SQS", "ApproximateAgeOfOldestMessage", dims, oldest === undefined ? 0 : Math.max(0, Math.floor((now - oldest) / 1000)), "Seconds");
    }
    activity.keepOnly(names);
  };
  const arm = () => {
    if (stopped) return;
    const now = clock.now();
    timer = clock.setTimer(MINUTE - (now % MINUTE), () => {
      sample();
      arm();
      // Housekeeping: sampling never keeps run-until-idle going (it fires on the way to work).
    }, "cloudwatch.sqs-metrics", { unref: true });
  };
  arm();
  return {
    stop: () => {
      stopped = true;
      timer?.cancel();
    },
    sample,
  };
}
