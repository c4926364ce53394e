import { loadMigrations, type Source } from "@lambda-sim/core";
import { z } from "zod";
import { EventsMetrics } from "./events-metrics.ts";
import { LambdaMetrics } from "./lambda-metrics.ts";
import { metricOperations } from "./metric-operations.ts";
import { MetricStore } from "./metric-store.ts";
import { registerMetricsProtocols } from "./metrics-protocol.ts";
import { QUEUE_ACTIVITY, QueueActivity } from "../sqs/queue-activity.ts";
import { startSqsGauges } from "./sqs-gauges.ts";

/**
 * `metrics:` in lambda-sim.yaml: how long one-minute data is kept (AWS: 15 days at one-minute
 * resolution, then rolled up; here it is dropped, which keeps the table bounded).
 */
export const metricsConfigSchema = z.object({ retentionDays: z.number().min(1).max(455).default(15) }).strict();
export type MetricsConfig = z.infer<typeof metricsConfigSchema>;

/**
 * CloudWatch metrics for Lambda and its sources (issue 15): AWS/Lambda from the telemetry stream,
 * AWS/Events rule matches (events-metrics.ts), AWS/SQS queue gauges sampled each minute, read through GetMetricStatistics, GetMetricData and
 * ListMetrics on both of CloudWatch's protocols, on service time.
 */
export const cloudwatchMetricsSource: Source<MetricsConfig> = {
  name: "metrics",
  configKey: "metrics",
  configSchema: metricsConfigSchema,
  migrations: loadMigrations("metrics", new URL("./migrations/", import.meta.url)),
  start(ctx, config) {
    const store = new MetricStore(ctx.store, ctx.clock, ctx.rng.stream("cloudwatch-metrics"), config?.retentionDays ?? 15);
    const lambda = new LambdaMetrics(store);
    const events = new EventsMetrics(store);
    const unsubscribe = ctx.telemetry.subscribe((e) => {
      lambda.onEvent(e);
      events.onEvent(e);
    });
    // The SQS source's record of queue access (shared when it runs, whichever starts first); else this start's own.
    const ownActivity = new QueueActivity();
    const sqs = startSqsGauges(ctx.store, ctx.clock, store, () => (ctx.shared(QUEUE_ACTIVITY) as QueueActivity | undefined) ?? ownActivity);
    registerMetricsProtocols(ctx, metricOperations(store, ctx.clock, () => sqs?.sample()));
    return {
      stop: () => {
        unsubscribe();
        sqs?.stop();
        store.flush();
      },
    };
  },
};
