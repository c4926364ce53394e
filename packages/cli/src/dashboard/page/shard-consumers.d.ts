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
  /**
   * The lanes held on a failing batch, each until a batch passes its last sequence number `until`
   * (outcome, iteratorAgeMs and time above are the longest held's). `lane`: ParallelizationFactor > 1;
   * `past`: a lane of the count before an update set one lane, held until that lane passes `until`.
   */
  holds?: { lane?: number; past?: true; outcome: string; iteratorAgeMs: number | undefined; time: number; since: number; until?: string }[];
  /** The lane shown as held, when the shard's lanes are named. */
  lane?: number;
  /** How many lanes the consumer runs, as its last event said (laneCountOf). */
  laneCount?: number;
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
export function nextShard(prev: ShardConsumerView | undefined, e: { type: string; mappingId: string; eventSourceArn: string; shardId?: string; lane?: number; laneCount?: number; functionName: string; time: number }): ShardConsumerView;
export function stalled(x: ShardConsumerView): boolean;
/** The lanes the consumer runs by an event: its laneCount; 1 without a lane; 0 several, number unknown (an older trace). */
export function laneCountOf(e: { lane?: number; laneCount?: number }): number;
/** Whether a batch or give-up ending at `last` passes a held batch ending at `until` (true without either). */
export function passesHeld(last: string | undefined, until: string | undefined): boolean;
/** Kinesis sequence numbers in order (decimal strings). */
export function compareSequenceNumbers(a: string, b: string): number;
