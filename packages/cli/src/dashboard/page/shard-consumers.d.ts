/** A stream shard as its consumer's batches left it (shard-consumers.js): what the dashboard shows of a shard between batches. */
export interface ShardConsumerView {
  mappingId: string;
  eventSourceArn: string;
  shardId: string;
  functionName: string;
  /** AWS's IteratorAge of the last batch when it was sent, and when that batch ended (service time). */
  iteratorAgeMs: number | undefined;
  time: number;
  /** `failed`, `partial`, `throttled`: held on that batch and retried; `succeeded`; `given-up`: moved on past it. */
  outcome: string;
  /** ParallelizationFactor > 1: the lanes held on a failing batch (outcome, iteratorAgeMs and time above are the longest held's). */
  heldLanes?: Record<number, { outcome: string; iteratorAgeMs: number | undefined; time: number; since: number }>;
  /** The lane shown as held, when the shard's lanes are named. */
  lane?: number;
  /** The latest arrival among the records it sent. */
  readToMs?: number;
  /** When a batch last failed (a function error, or records it reported failed). */
  lastFailureAt?: number;
  /** Batches given up since the start, their records, those delivered to OnFailure, and the last one. */
  givenUp?: {
    batches: number;
    records: number;
    sent: number;
    last: { time: number; size: number; condition: string; destination?: string; error?: string };
  };
}
export function nextShard(prev: ShardConsumerView | undefined, e: { type: string; mappingId: string; eventSourceArn: string; shardId?: string; lane?: number; functionName: string; time: number }): ShardConsumerView;
export function stalled(x: ShardConsumerView): boolean;
