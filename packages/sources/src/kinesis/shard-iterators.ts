import { kinesisErrors } from "./kinesis-errors.ts";

/** Shard iterators expire 5 minutes after they are issued (aws-facts §8.1). */
export const ITERATOR_LIFETIME_MS = 5 * 60_000;

/** What an iterator points at: the records of one shard after a counter, as of `issuedAt`. */
export interface IteratorState {
  stream: string;
  /** The stream's creation time: an iterator of a deleted and recreated stream is refused. */
  createdAt: number;
  shard: number;
  after: number;
  issuedAt: number;
}

/** Opaque to clients, like AWS's (base64); ours carries its state instead of a server-side row. */
export function encodeIterator(s: IteratorState): string {
  return Buffer.from(JSON.stringify([s.stream, s.createdAt, s.shard, s.after, s.issuedAt])).toString("base64");
}

export function decodeIterator(text: unknown): IteratorState {
  if (typeof text !== "string" || text.length === 0) throw kinesisErrors.validation("null", "shardIterator", "Member must not be null");
  try {
    const [stream, createdAt, shard, after, issuedAt] = JSON.parse(Buffer.from(text, "base64").toString("utf8")) as [string, number, number, number, number];
    if (typeof stream === "string" && [createdAt, shard, after, issuedAt].every((n) => typeof n === "number")) return { stream, createdAt, shard, after, issuedAt };
  } catch {
    // fall through
  }
  throw kinesisErrors.invalidArgument("Invalid ShardIterator.");
}
