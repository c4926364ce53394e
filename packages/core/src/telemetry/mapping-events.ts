/**
 * The event source mappings' part of the telemetry schema (events.ts): every batch a mapping hands
 * to its function with its outcome, a stream batch given up, and every change of a mapping's lanes.
 */
export type MappingEvent =
  // SQS pollers and stream shard consumers: every batch handed to the function with its outcome.
  | {
      type: "mapping.batch";
      mappingId: string;
      functionName: string;
      eventSourceArn: string;
      size: number;
      outcome: "succeeded" | "failed" | "partial" | "throttled";
      /** Records the function reported failed (ReportBatchItemFailures), for `partial`. */
      failed?: number;
      /** The invocation that ran the batch (absent when none ran: throttled): the dashboard puts the mapping's view on its row. */
      requestId?: string;
      /** Concurrent batches of the mapping (SQS). */
      lanes?: number;
      /** Stream mappings: the shard, and the age of the batch's last record when it was sent (AWS's IteratorAge). */
      shardId?: string;
      iteratorAgeMs?: number;
      /**
       * Stream mappings with ParallelizationFactor > 1: the shard's lane (partition-key hash slot,
       * from 0) the batch ran in. Each lane holds on its own failing batch while the others go on.
       */
      lane?: number;
      /**
       * With `lane`: how many lanes the shard runs (ParallelizationFactor). A lane's number means
       * its keys' hash modulo this count, so when it changes (an update) the old numbers name other keys.
       */
      laneCount?: number;
      /** Stream mappings: the batch's last sequence number, so a watcher can tell when a failed batch is wholly behind the checkpoint. */
      lastSequenceNumber?: string;
      /** Stream mappings: when the batch's last record arrived in the shard (its ApproximateArrivalTimestamp), so a watcher can tell a shard read to its end. */
      lastArrivalMs?: number;
      /** The mapping's MetricsConfig asks for EventCount metrics (CloudWatch publishes them). */
      eventCountMetrics?: boolean;
      /** `failed` though the function succeeded: why its answer was refused (a tumbling window's missing `state`). */
      reason?: string;
    }
  // Stream mappings: a batch given up (retries exhausted, records too old) and its records sent to
  // the mapping's OnFailure destination, or discarded without one; the shard then moves on.
  | {
      type: "mapping.batch-given-up";
      mappingId: string;
      functionName: string;
      eventSourceArn: string;
      shardId: string;
      /** The lane (ParallelizationFactor > 1) whose batch it was, and how many the shard runs, as on `mapping.batch`. */
      lane?: number;
      laneCount?: number;
      /** The last sequence number given up (absent for a tumbling window with no record to name). */
      lastSequenceNumber?: string;
      /** The records given up. */
      size: number;
      condition: "RetryAttemptsExhausted" | "RecordAgeExceeded";
      /** The OnFailure destination's ARN the invocation record went to; absent: the records were discarded. */
      destination?: string;
      /** The delivery to the destination failed: the records are lost all the same. */
      error?: string;
      /** A tumbling window's final invocation given up (`size`: the window's records), not a batch. */
      finalInvokeForWindow?: { start: number; end: number };
    }
  | {
      type: "mapping.scaled";
      mappingId: string;
      functionName: string;
      eventSourceArn: string;
      lanes: number;
      /** up: a backlog added lanes; down: an empty poll let one go; backoff: a throttled lane waits backoffMs. */
      change: "up" | "down" | "backoff";
      backoffMs?: number;
    };
