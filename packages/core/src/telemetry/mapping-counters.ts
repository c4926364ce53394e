import type { TelemetryEvent } from "./events.ts";

/** What an event source mapping did with the records it read, since the simulator started. */
export interface MappingEventCounts {
  /** Records read from the source (PolledEventCount). */
  polled: number;
  /** Records the function was invoked with (InvokedEventCount). */
  invoked: number;
  /**
   * Records of batches the function was never invoked with because it was throttled (429): SQS
   * messages go back to the queue at their visibility timeout, each receive counting towards
   * maxReceiveCount; stream records are retried. GetEventSourceMapping says nothing of them on AWS.
   */
  throttled: number;
  /** Records of invocations that failed, or that the function reported failed (ReportBatchItemFailures). */
  failed: number;
  /** Batches handed over, and the last one's outcome. */
  batches: number;
  /** Of them, batches that failed, that the function reported in part failed, and that were throttled (the dashboard's columns). */
  failedBatches: number;
  partialBatches: number;
  throttledBatches: number;
  lastOutcome?: string;
  /** The last batch's records (the dashboard's "last size", for a page opened after it). */
  lastSize?: number;
}

/**
 * Per-mapping counts from `mapping.batch` events, for `GET /_sim/state` and the dashboard's
 * snapshot: where a person looks for the messages a throttled mapping returned to its queue
 * (issue 15), beside CloudWatch's EventCount metrics (opt-in on AWS: MetricsConfig).
 */
export class MappingCounters {
  private readonly byId = new Map<string, MappingEventCounts>();

  note(e: TelemetryEvent): void {
    if (e.type !== "mapping.batch") return;
    let c = this.byId.get(e.mappingId);
    if (c === undefined) {
      c = none();
      this.byId.set(e.mappingId, c);
    }
    c.batches++;
    c.polled += e.size;
    c.lastOutcome = e.outcome;
    c.lastSize = e.size;
    if (e.outcome === "throttled") {
      c.throttled += e.size;
      c.throttledBatches++;
    } else c.invoked += e.size;
    if (e.outcome === "failed") {
      c.failed += e.size;
      c.failedBatches++;
    }
    if (e.outcome === "partial") {
      c.failed += e.failed ?? 0;
      c.partialBatches++;
    }
  }

  get(mappingId: string): MappingEventCounts {
    return this.byId.get(mappingId) ?? none();
  }
}

function none(): MappingEventCounts {
  return { polled: 0, invoked: 0, throttled: 0, failed: 0, batches: 0, failedBatches: 0, partialBatches: 0, throttledBatches: 0 };
}
