import type { TelemetryEvent } from "@lambda-sim/core";

type MappingBatch = Extract<TelemetryEvent, { type: "mapping.batch" }>;

/**
 * The EventCount metrics of an event source mapping (AWS/Lambda, dimension
 * `EventSourceMappingUUID`; published only when its MetricsConfig lists EventCount, as on AWS)
 * for one batch, as [metric, count] pairs:
 * - PolledEventCount: the records the mapping read, throttled batches included;
 * - InvokedEventCount: the records the function was invoked with;
 * - FailedInvokeEventCount: the records of an invocation that failed, or that the function
 *   reported failed (ReportBatchItemFailures). Our choice, AWS's text being silent on it: a
 *   throttled (429) batch counts here too, since its invoke failed and its messages go back to the
 *   queue; that is where a throttled mapping shows beside the function's Throttles;
 * - DeletedEventCount (SQS): the messages deleted after the function succeeded with them.
 */
export function mappingEventCounts(e: MappingBatch): [string, number][] {
  const stream = e.shardId !== undefined;
  const failed = e.outcome === "failed" || e.outcome === "throttled" ? e.size : e.outcome === "partial" ? (e.failed ?? 0) : 0;
  const out: [string, number][] = [
    ["PolledEventCount", e.size],
    ["InvokedEventCount", e.outcome === "throttled" ? 0 : e.size],
    ["FailedInvokeEventCount", failed],
  ];
  if (!stream) out.push(["DeletedEventCount", e.outcome === "succeeded" ? e.size : e.outcome === "partial" ? e.size - (e.failed ?? 0) : 0]);
  return out;
}
