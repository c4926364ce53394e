/** A shard takes 1,000 records and 1 MiB per second (aws-facts §8.1, BC-KIN CreateStream). */
export const SHARD_RECORDS_PER_SECOND = 1_000;
export const SHARD_BYTES_PER_SECOND = 1024 * 1024;

/**
 * Per-shard write throughput, opt in per stream (`sim: { enforceShardLimits: true }` in
 * lambda-sim.yaml): over a second of service time, a shard admits 1,000 records and 1 MiB; beyond
 * that PutRecord fails with ProvisionedThroughputExceededException and PutRecords reports the
 * entry as failed (aws-facts §8.1). Off by default, so local load tests are not capped at AWS's
 * per-shard rate.
 */
export class ShardWriteLimits {
  private readonly used = new Map<string, { second: number; records: number; bytes: number }>();

  /** Counts the record against its shard's current second; false when the shard is over its limit. */
  admit(stream: string, shardIndex: number, bytes: number, now: number): boolean {
    const key = `${stream}/${shardIndex}`;
    const second = Math.floor(now / 1000);
    let u = this.used.get(key);
    if (u === undefined || u.second !== second) {
      u = { second, records: 0, bytes: 0 };
      this.used.set(key, u);
    }
    if (u.records + 1 > SHARD_RECORDS_PER_SECOND || u.bytes + bytes > SHARD_BYTES_PER_SECOND) return false;
    u.records++;
    u.bytes += bytes;
    return true;
  }
}
