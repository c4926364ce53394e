import type { StreamStore } from "./stream-store.ts";

/**
 * The Regions whose default shard quota is 20,000 per account; "for all other Regions, the default
 * shard quota is 1,000 or 6,000" (Kinesis Data Streams developer guide, "Quotas and limits").
 */
const LARGE_QUOTA_REGIONS = new Set(["us-east-1", "us-west-2", "eu-west-1"]);
const LARGE_SHARD_QUOTA = 20_000;
/** Which of 1,000 or 6,000 another Region has is not said: the lower one (chosen). */
const OTHER_SHARD_QUOTA = 1_000;
/** "By default, you can create up to 50 data streams with the on-demand capacity mode" (same page). */
const ON_DEMAND_STREAM_LIMIT = 50;

/**
 * DescribeLimits (T2), which Terraform's aws_kinesis_stream calls on every plan: the account's
 * shard quota and on-demand stream quota at AWS's defaults, and what the simulator's streams use
 * of them (every shard is open: resharding is not simulated). The quotas are reported, not enforced.
 */
export function describeLimits(store: StreamStore, region: string) {
  const streams = store.list();
  return {
    ShardLimit: LARGE_QUOTA_REGIONS.has(region) ? LARGE_SHARD_QUOTA : OTHER_SHARD_QUOTA,
    OpenShardCount: streams.reduce((n, s) => n + s.shards.length, 0),
    OnDemandStreamCount: streams.filter((s) => s.mode === "ON_DEMAND").length,
    OnDemandStreamCountLimit: ON_DEMAND_STREAM_LIMIT,
  };
}
