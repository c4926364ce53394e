import type { Clock, Store, TimerHandle } from "@lambda-sim/core";
import { QueueStore } from "../sqs/queue-store.ts";
import type { MetricStore } from "./metric-store.ts";

const MINUTE = 60_000;

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
 */
export function startSqsGauges(store: Store, clock: Clock, metrics: MetricStore): SqsGauges | undefined {
  if (store.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqs_queues'").get() === undefined) return undefined;
  const queues = new QueueStore(store);
  let timer: TimerHandle | undefined;
  let stopped = false;
  const sample = () => {
    const now = clock.now();
    for (const q of queues.listQueues()) {
      const c = queues.counts(q.name, now);
      const oldest = queues.oldestSentAt(q.name);
      const dims = [{ Name: "QueueName", Value: q.name }];
      metrics.setGauge("AWS/SQS", "ApproximateNumberOfMessagesVisible", dims, c.visible, "Count");
      metrics.setGauge("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", dims, c.inflight, "Count");
      metrics.setGauge("AWS/SQS", "ApproximateNumberOfMessagesDelayed", dims, c.delayed, "Count");
      metrics.setGauge("AWS/SQS", "ApproximateAgeOfOldestMessage", dims, oldest === undefined ? 0 : Math.max(0, Math.floor((now - oldest) / 1000)), "Seconds");
    }
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
