import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateStreamCommand, DescribeLimitsCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { kinesisSource } from "@lambda-sim/sources";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import { HAS_BOTO3, runBoto3 } from "./support/boto3-script.ts";

/**
 * Kinesis DescribeLimits (T2), which Terraform's aws_kinesis_stream calls on every plan: AWS's
 * default quotas (Kinesis developer guide, "Quotas and limits") and what the streams use of them.
 */
let t: TestSimulator;
let kinesis: KinesisClient;

beforeAll(async () => {
  t = await startTestSimulator({ sources: [kinesisSource], sourceConfig: { streams: { clicks: { shardCount: 3 } } } });
  kinesis = new KinesisClient(t.clientConfig);
});

afterAll(async () => {
  kinesis?.destroy();
  await t?.close();
});

describe("Kinesis DescribeLimits", () => {
  it("answers the account's shard and on-demand quotas and the open shards and on-demand streams", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "od", StreamModeDetails: { StreamMode: "ON_DEMAND" } }));
    const limits = await kinesis.send(new DescribeLimitsCommand({}));
    // 3 provisioned shards + the 4 of an on-demand stream.
    expect(limits).toMatchObject({ ShardLimit: 20_000, OpenShardCount: 7, OnDemandStreamCount: 1, OnDemandStreamCountLimit: 50 });
  });

  it.skipIf(!HAS_BOTO3)("answers boto3 too (skipped without boto3)", async () => {
    const r = await runBoto3(t.endpoint, [
      "import os, json, boto3",
      "k = boto3.client('kinesis', endpoint_url=os.environ['ENDPOINT'])",
      "l = k.describe_limits(); l.pop('ResponseMetadata')",
      "print(json.dumps(l, sort_keys=True))",
    ]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ OnDemandStreamCount: 1, OnDemandStreamCountLimit: 50, OpenShardCount: 7, ShardLimit: 20000 });
  });
});
