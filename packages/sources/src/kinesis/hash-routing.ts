import { hash } from "node:crypto";

/** The hash key space of a stream: 0 … 2^128 − 1 (aws-facts §8.1). */
export const MAX_HASH_KEY = (1n << 128n) - 1n;

export interface HashKeyRange {
  start: bigint;
  end: bigint;
}

/** New streams split the key space evenly (aws-facts §8.1); the last shard ends at 2^128 − 1. */
export function evenHashKeyRanges(shardCount: number): HashKeyRange[] {
  const space = MAX_HASH_KEY + 1n;
  const n = BigInt(shardCount);
  return Array.from({ length: shardCount }, (_, i) => ({
    start: (space * BigInt(i)) / n,
    end: i === shardCount - 1 ? MAX_HASH_KEY : (space * BigInt(i + 1)) / n - 1n,
  }));
}

/** MD5 of the partition key (UTF-8) read as a 128-bit unsigned big-endian integer (aws-facts §8.1). */
export function partitionKeyHash(partitionKey: string): bigint {
  // One-shot hash: no Hash object per record on the PutRecords path.
  const d = hash("md5", partitionKey, "buffer");
  return (d.readBigUInt64BE(0) << 64n) | d.readBigUInt64BE(8);
}

/** ExplicitHashKey: a decimal string of at most 39 digits within the key space, else undefined. */
export function parseExplicitHashKey(text: string): bigint | undefined {
  if (!/^(0|[1-9]\d{0,38})$/.test(text)) return undefined;
  const key = BigInt(text);
  return key > MAX_HASH_KEY ? undefined : key;
}

/** The index of the range holding `hash` (ranges sorted, contiguous). */
export function shardForHash(ranges: readonly HashKeyRange[], hash: bigint): number {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (hash > ranges[mid]!.end) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
