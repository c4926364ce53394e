/**
 * A stream source's side of a stream event source mapping (Kinesis now, DynamoDB Streams later):
 * it lists shards and reads their records in order; core's StreamWorker owns batching,
 * checkpoints, retries, bisection and the invocation (STYLE.md 7.3).
 */
export interface StreamRecord {
  shardId: string;
  /** Opaque to core: a checkpoint is the sequence number of the last record done. */
  sequenceNumber: string;
  partitionKey: string;
  /** Epoch ms (ApproximateArrivalTimestamp). */
  arrivalMs: number;
  /** The record as the function's event carries it, in AWS's key order. */
  event: Record<string, unknown>;
  /**
   * `event` serialised: by the reader straight from its row (Kinesis), else once by the consumer's
   * read-ahead (while the previous batch runs).
   */
  eventJson?: string;
  /** About how many bytes the record adds to the event (its base64 data), for the 6 MB cap. */
  eventBytes: number;
  /** What FilterCriteria patterns are matched against (Kinesis: the record with `data` decoded). */
  filterView(): Record<string, unknown>;
}

export type StartingPosition = "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP";

export interface StreamReader {
  /** The shards to consume, in order; throws when the stream is gone. */
  shards(): string[];
  /**
   * The checkpoint a new consumer starts from: the sequence number after which it reads, or
   * undefined for the oldest record kept.
   */
  startAt(shardId: string, position: StartingPosition, timestampMs?: number): string | undefined;
  /** Up to `limit` records after the checkpoint `after`, oldest first. */
  read(shardId: string, after: string | undefined, limit: number): StreamRecord[];
  /** Resolves when the shard gets a record, after `ms` of service time, or on abort. */
  wait(shardId: string, ms: number, signal: AbortSignal): Promise<void>;
  /**
   * Resolves when the stream's shards may have changed (a stream created or deleted), after `ms`
   * of service time, or on abort. Without it, the worker looks for new shards every 10 s.
   */
  waitForShards?(ms: number, signal: AbortSignal): Promise<void>;
  /** Records older than this are gone from the stream (its retention period). */
  retentionMs(): number;
}

export interface StreamReaderTarget {
  sourceArn: string;
  /** The function's execution role (the event's `invokeIdentityArn`). */
  roleArn: string;
}

export interface StreamReaderFactory {
  /** How AWS's messages name this kind of source ("An event source mapping with <kind> arn ..."). */
  readonly kind: string;
  /** The OnFailure record's key for the batch description (Kinesis: "KinesisBatchInfo"). */
  readonly batchInfoKey: string;
  /** Throws an AwsError when a mapping cannot use this source (e.g. the stream does not exist). */
  validate(sourceArn: string): void;
  create(target: StreamReaderTarget): StreamReader;
}
