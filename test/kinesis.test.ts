import { afterEach, describe, expect, it } from "vitest";
import {
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  IncreaseStreamRetentionPeriodCommand,
  InvalidArgumentException,
  KinesisClient,
  ListShardsCommand,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  AddTagsToStreamCommand,
  PutRecordCommand,
  PutRecordsCommand,
  ProvisionedThroughputExceededException,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilStreamExists,
} from "@aws-sdk/client-kinesis";
import { kinesisSource } from "@lambda-sim/sources";
import { type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { VirtualClock } from "@lambda-sim/core";

let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();
let kinesis: KinesisClient;

afterEach(() => {
  kinesis?.destroy();
});

async function start(opts: Parameters<typeof sims.start>[0] = {}) {
  t = await sims.start({ sources: [kinesisSource], ...opts });
  // Default-configured: the JS SDK's Kinesis client speaks HTTP/2 without TLS (h2c) to this port.
  kinesis = new KinesisClient(t.clientConfig);
}

const text = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString("utf8");

describe("Kinesis data streams over AWS JSON 1.1 (default KinesisClient: h2c)", () => {
  it("creates, describes, lists, tags and deletes streams", async () => {
    await start();
    await kinesis.send(new CreateStreamCommand({ StreamName: "clicks", ShardCount: 2 }));
    await waitUntilStreamExists({ client: kinesis, maxWaitTime: 20 }, { StreamName: "clicks" });
    const d = (await kinesis.send(new DescribeStreamCommand({ StreamName: "clicks" }))).StreamDescription!;
    expect(d.StreamARN).toBe("arn:aws:kinesis:us-east-1:000000000000:stream/clicks");
    expect(d.StreamStatus).toBe("ACTIVE");
    // By ARN, but not another account's (newuser12 N1-2).
    expect((await kinesis.send(new DescribeStreamCommand({ StreamARN: d.StreamARN }))).StreamDescription!.StreamName).toBe("clicks");
    const elsewhere = await kinesis.send(new DescribeStreamCommand({ StreamARN: "arn:aws:kinesis:us-east-1:123456789012:stream/clicks" })).catch((e: Error) => e);
    expect((elsewhere as Error).name).toBe("ResourceNotFoundException");
    expect((elsewhere as Error).message).toBe("Stream clicks under account 123456789012 not found.");
    expect(d.RetentionPeriodHours).toBe(24);
    expect(d.Shards!.map((s) => [s.ShardId, s.HashKeyRange!.StartingHashKey, s.HashKeyRange!.EndingHashKey])).toEqual([
      ["shardId-000000000000", "0", "170141183460469231731687303715884105727"],
      ["shardId-000000000001", "170141183460469231731687303715884105728", "340282366920938463463374607431768211455"],
    ]);
    const again = await kinesis.send(new CreateStreamCommand({ StreamName: "clicks", ShardCount: 1 })).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ResourceInUseException);
    await kinesis.send(new CreateStreamCommand({ StreamName: "auto", StreamModeDetails: { StreamMode: "ON_DEMAND" } }));
    const summary = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "auto" }))).StreamDescriptionSummary!;
    expect(summary).toMatchObject({ OpenShardCount: 4, StreamModeDetails: { StreamMode: "ON_DEMAND" } });
    expect((await kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual(["auto", "clicks"]);
    const firstPage = await kinesis.send(new ListStreamsCommand({ Limit: 1 }));
    expect([firstPage.StreamNames, firstPage.HasMoreStreams]).toEqual([["auto"], true]);
    expect((await kinesis.send(new ListStreamsCommand({ Limit: 1, NextToken: firstPage.NextToken }))).StreamNames).toEqual(["clicks"]);
    const page = await kinesis.send(new ListShardsCommand({ StreamName: "auto", MaxResults: 3 }));
    expect(page.Shards).toHaveLength(3);
    const rest = await kinesis.send(new ListShardsCommand({ NextToken: page.NextToken }));
    expect(rest.Shards!.map((s) => s.ShardId)).toEqual(["shardId-000000000003"]);
    await kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: "clicks", RetentionPeriodHours: 48 }));
    const shorter = await kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: "clicks", RetentionPeriodHours: 30 })).catch((e: unknown) => e);
    expect(shorter).toBeInstanceOf(InvalidArgumentException);
    await kinesis.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: "clicks", RetentionPeriodHours: 24 }));
    await kinesis.send(new AddTagsToStreamCommand({ StreamName: "clicks", Tags: { team: "web" } }));
    expect((await kinesis.send(new ListTagsForStreamCommand({ StreamName: "clicks" }))).Tags).toEqual([{ Key: "team", Value: "web" }]);
    await kinesis.send(new DeleteStreamCommand({ StreamName: "clicks" }));
    const gone = await kinesis.send(new DescribeStreamCommand({ StreamName: "clicks" })).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    expect((gone as Error).message).toBe("Stream clicks under account 000000000000 not found.");
  });

  it("routes by the MD5 of the partition key, numbers records in order per shard, and reads them back", async () => {
    await start();
    await kinesis.send(new CreateStreamCommand({ StreamName: "s", ShardCount: 2 }));
    // md5("a") = 0cc175b9... < 2^127 → shard 0; md5("b") = 92eb5ffe... ≥ 2^127 → shard 1.
    const a = await kinesis.send(new PutRecordCommand({ StreamName: "s", PartitionKey: "a", Data: Buffer.from("first") }));
    const b = await kinesis.send(new PutRecordCommand({ StreamName: "s", PartitionKey: "b", Data: Buffer.from("other") }));
    const a2 = await kinesis.send(new PutRecordCommand({ StreamName: "s", PartitionKey: "a", Data: Buffer.from("second"), SequenceNumberForOrdering: a.SequenceNumber }));
    const explicit = await kinesis.send(new PutRecordCommand({ StreamName: "s", PartitionKey: "a", ExplicitHashKey: "340282366920938463463374607431768211455", Data: Buffer.from("x") }));
    expect([a.ShardId, b.ShardId, a2.ShardId, explicit.ShardId]).toEqual(["shardId-000000000000", "shardId-000000000001", "shardId-000000000000", "shardId-000000000001"]);
    expect(BigInt(a2.SequenceNumber!) > BigInt(a.SequenceNumber!)).toBe(true);
    expect(a.SequenceNumber).toMatch(/^\d{56}$/);
    const put = await kinesis.send(
      new PutRecordsCommand({ StreamName: "s", Records: Array.from({ length: 20 }, (_, i) => ({ PartitionKey: "a", Data: Buffer.from(`batch-${i}`) })) }),
    );
    expect(put.FailedRecordCount).toBe(0);
    expect(put.Records!.every((r) => r.ShardId === "shardId-000000000000")).toBe(true);
    const it0 = (await kinesis.send(new GetShardIteratorCommand({ StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    const first = await kinesis.send(new GetRecordsCommand({ ShardIterator: it0, Limit: 5 }));
    expect(first.Records!.map((r) => text(r.Data))).toEqual(["first", "second", "batch-0", "batch-1", "batch-2"]);
    expect(first.Records![0]!.PartitionKey).toBe("a");
    expect(first.Records![0]!.ApproximateArrivalTimestamp).toBeInstanceOf(Date);
    expect(first.MillisBehindLatest).toBeGreaterThanOrEqual(0);
    const next = await kinesis.send(new GetRecordsCommand({ ShardIterator: first.NextShardIterator }));
    expect(next.Records).toHaveLength(17);
    expect(next.MillisBehindLatest).toBe(0);
    const after = (
      await kinesis.send(new GetShardIteratorCommand({ StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: a.SequenceNumber }))
    ).ShardIterator;
    expect(text((await kinesis.send(new GetRecordsCommand({ ShardIterator: after, Limit: 1 }))).Records![0]!.Data)).toBe("second");
    const at = (await kinesis.send(new GetShardIteratorCommand({ StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: a2.SequenceNumber }))).ShardIterator;
    expect(text((await kinesis.send(new GetRecordsCommand({ ShardIterator: at, Limit: 1 }))).Records![0]!.Data)).toBe("second");
    const peek = (await (await fetch(`${t!.endpoint}/_sim/streams/s/records`)).json()) as { shardId: string; data: string }[];
    expect(peek).toHaveLength(24);
    expect(peek.filter((r) => r.shardId === "shardId-000000000001").map((r) => Buffer.from(r.data, "base64").toString())).toEqual(["other", "x"]);
    const latest = (await kinesis.send(new GetShardIteratorCommand({ StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "LATEST" }))).ShardIterator;
    expect((await kinesis.send(new GetRecordsCommand({ ShardIterator: latest }))).Records).toEqual([]);
    await kinesis.send(new PutRecordCommand({ StreamName: "s", PartitionKey: "a", Data: Buffer.from("new") }));
    expect((await kinesis.send(new GetRecordsCommand({ ShardIterator: latest }))).Records!.map((r) => text(r.Data))).toEqual(["new"]);
  });

  it("refuses what AWS refuses", async () => {
    await start();
    await kinesis.send(new CreateStreamCommand({ StreamName: "s", ShardCount: 1 }));
    const tooMany = await kinesis.send(new PutRecordsCommand({ StreamName: "s", Records: Array.from({ length: 501 }, () => ({ PartitionKey: "k", Data: Buffer.from("x") })) })).catch((e: unknown) => e);
    expect((tooMany as Error).name).toBe("ValidationException");
    expect((tooMany as Error).message).toContain("Member must have length less than or equal to 500");
    const tooBig = await kinesis.send(new PutRecordCommand({ StreamName: "s", PartitionKey: "k", Data: Buffer.alloc(1024 * 1024) })).catch((e: unknown) => e);
    expect((tooBig as Error).message).toContain("Member must have length less than or equal to 1048576");
    const badKey = await kinesis.send(new PutRecordCommand({ StreamName: "s", PartitionKey: "k", ExplicitHashKey: "340282366920938463463374607431768211456", Data: Buffer.from("x") })).catch((e: unknown) => e);
    expect(badKey).toBeInstanceOf(InvalidArgumentException);
    const noShard = await kinesis.send(new GetShardIteratorCommand({ StreamName: "s", ShardId: "shardId-000000000009", ShardIteratorType: "LATEST" })).catch((e: unknown) => e);
    expect(noShard).toBeInstanceOf(ResourceNotFoundException);
    const missing = await kinesis.send(new PutRecordCommand({ StreamName: "nope", PartitionKey: "k", Data: Buffer.from("x") })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it("with sim.enforceShardLimits, throttles a shard past 1,000 records a second: PutRecords fails those entries alone", async () => {
    const clock = new VirtualClock(Date.parse("2026-01-01T00:00:00Z"));
    await start({ clock, sourceConfig: { streams: { limited: { shardCount: 1, sim: { enforceShardLimits: true } } } } });
    const batch = () => kinesis.send(new PutRecordsCommand({ StreamName: "limited", Records: Array.from({ length: 400 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from("x") })) }));
    expect((await batch()).FailedRecordCount).toBe(0);
    expect((await batch()).FailedRecordCount).toBe(0);
    const third = await batch();
    expect(third.FailedRecordCount).toBe(200);
    expect(third.Records![200]).toEqual({ ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded for shard shardId-000000000000 in stream limited under account 000000000000." });
    expect(third.Records![199]!.SequenceNumber).toBeDefined();
    // (The SDK retries throttles after real delays; once is enough here.)
    const once = new KinesisClient({ ...t!.clientConfig, maxAttempts: 1 });
    const one = await once.send(new PutRecordCommand({ StreamName: "limited", PartitionKey: "k", Data: Buffer.from("x") })).catch((e: unknown) => e);
    once.destroy();
    expect(one).toBeInstanceOf(ProvisionedThroughputExceededException);
    await clock.advanceBy(1_000);
    expect((await batch()).FailedRecordCount).toBe(0);
  });

  it("expires iterators after 5 minutes and trims records past the retention period, on the Clock", async () => {
    const clock = new VirtualClock(Date.parse("2026-01-01T00:00:00Z"));
    await start({ clock });
    await kinesis.send(new CreateStreamCommand({ StreamName: "s", ShardCount: 1 }));
    await kinesis.send(new PutRecordCommand({ StreamName: "s", PartitionKey: "k", Data: Buffer.from("old") }));
    const it0 = (await kinesis.send(new GetShardIteratorCommand({ StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    await clock.advanceBy(5 * 60_000 + 1);
    const expired = await kinesis.send(new GetRecordsCommand({ ShardIterator: it0 })).catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(ExpiredIteratorException);
    await clock.advanceBy(24 * 3_600_000);
    await kinesis.send(new PutRecordCommand({ StreamName: "s", PartitionKey: "k", Data: Buffer.from("young") }));
    const it1 = (await kinesis.send(new GetShardIteratorCommand({ StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    expect((await kinesis.send(new GetRecordsCommand({ ShardIterator: it1 }))).Records!.map((r) => text(r.Data))).toEqual(["young"]);
    expect(t!.sim.store.db.prepare("SELECT COUNT(*) FROM kinesis_records").pluck().get()).toBe(1);
  });

  it("answers the Java SDK's CBOR with a clear error", async () => {
    await start();
    const res = await fetch(`${t!.endpoint}/`, { method: "POST", headers: { "content-type": "application/x-amz-cbor-1.1", "x-amz-target": "Kinesis_20131202.ListStreams" }, body: new Uint8Array([0xa0]) });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { message: string }).message).toContain("aws.cborEnabled=false");
  });
});
