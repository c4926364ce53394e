import type { ParsedFilters } from "./filter-criteria.ts";

/** One batch read from a source, ready to become a function's event. */
export interface PolledBatch {
  /** The invocation payload (the source's event shape, e.g. `{"Records":[...]}`). */
  payload: Buffer;
  /** Ids the function may name in `batchItemFailures` (a queue's message ids), in delivery order. */
  itemIds: string[];
  /**
   * Whether the source had more records waiting than this batch took (SQS: a full receive that saw
   * another visible message). Undefined: the source cannot tell, and a full batch stands for it.
   */
  backlog?: boolean;
  /**
   * The messages' X-Ray trace headers (AWSTraceHeader), when every one has one: the invocation
   * carries one of them on, whose Lineage stops a function that sends back to its own queue
   * (recursive-loop.ts). Undefined when a message has none: a fresh chain.
   */
  traceHeaders?: string[];
  /**
   * Service time until which a throttled invocation of this batch is tried again (SQS: its messages
   * stay in flight until then, and an attempt started by then ends within their visibility
   * timeout). Undefined: a throttled batch is handed back at once.
   */
  retryThrottledUntil?: number;
  /**
   * Which attempt at its records this is, counted from 1, for faults' `attempt` scope (SQS: the
   * lowest ApproximateReceiveCount of its messages). Undefined: the source does not count.
   */
  attempt?: number;
}

/** What happened to a batch, for the poller to settle it with its source. */
export type BatchOutcome =
  | { kind: "succeeded" }
  | { kind: "failed" }
  | { kind: "partial"; failedIds: string[] }
  | { kind: "throttled" };

/**
 * A source's side of an event source mapping (STYLE.md 7.3): it reads batches and settles them;
 * core owns the mapping's lifecycle, its lanes, scaling and the function invocation.
 */
export interface Poller {
  /** Reads up to `maxRecords`, waiting on the Clock up to the batching window; undefined if none came. */
  poll(maxRecords: number, batchWindowMs: number, signal: AbortSignal): Promise<PolledBatch | undefined>;
  settle(batch: PolledBatch, outcome: BatchOutcome): void;
}

export interface PollerTarget {
  sourceArn: string;
  functionTimeoutSeconds: number;
  batchSize: number;
  batchWindowSeconds: number;
  /** The mapping's FilterCriteria; records that match none are dropped by the source (aws-facts §6). */
  filters?: ParsedFilters;
  /**
   * Whether a record with this X-Ray trace header is the 17th invocation of the mapping's function
   * in its chain (recursive-loop.ts; the stop is reported): the source leaves such a record out of
   * the batch, to come back after its visibility timeout and reach its dead-letter queue, while the
   * records batched with it run (newuser10 N2-6: a stopped batch took them down with it, and a
   * batch run under a fresh record's trace let the loop go on).
   */
  stopsLoop?: (traceHeader: string, recordId: string) => boolean;
}

/** A polled source's own rules for mappings on it (AWS's, per source and sometimes per ARN). */
export interface PollerLimits {
  /** BatchSize when the request names none. */
  defaultBatchSize: number;
  /** The largest BatchSize AWS accepts for this source ARN. */
  maxBatchSize: number;
  /** A BatchSize above this needs MaximumBatchingWindowInSeconds of at least 1 (undefined: no such rule). */
  windowRequiredAbove?: number;
}

/** How a polled source's mapping scales its concurrent batches: the source's rule, not core's. */
export interface PollerScaling {
  /** Concurrent batches to start with. */
  initial: number;
  /** Batches added per minute while more keep coming. */
  perMinute: number;
  /** The most at once (and the default of ScalingConfig.MaximumConcurrency). */
  ceiling: number;
}

export interface PollerFactory {
  /** How AWS's messages name this kind of source ("An event source mapping with <kind> arn ..."). */
  readonly kind: string;
  /** How its mappings scale their concurrent batches. */
  readonly scaling: PollerScaling;
  /** The batch size default and limits of a mapping on `sourceArn`. */
  limits(sourceArn: string): PollerLimits;
  /** Validates a new or updated mapping against the source (throws AwsError), e.g. the queue exists. */
  validate(target: PollerTarget): void;
  create(target: PollerTarget): Poller;
}
