import { describe, expect, it } from "vitest";
import { KeyedWaiters, loadMigrations, Store, VirtualClock } from "@lambda-sim/core";
import { kinesisReaderFactory } from "./kinesis-reader.ts";
import { RecordOperations } from "./record-operations.ts";
import { RecordSweeper } from "./record-sweeper.ts";
import { StreamOperations } from "./stream-operations.ts";
import { StreamStore } from "./stream-store.ts";

const ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
const SHARD = "shardId-000000000000";

function setup() {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const store = new StreamStore(Store.open(undefined, loadMigrations("kinesis", new URL("./migrations/", import.meta.url))));
  const streams = new StreamOperations(store, clock, { region: "us-east-1", accountId: "000000000000" }, new RecordSweeper(store, () => {}));
  const waiters = new KeyedWaiters(clock, "kinesis.wait");
  const records = new RecordOperations(store, streams, clock, waiters);
  streams.createStream({ StreamName: "s", ShardCount: 1 });
  const put = (d: string) => records.putRecord({ StreamName: "s", PartitionKey: "k", Data: Buffer.from(d).toString("base64") }).SequenceNumber;
  const factory = kinesisReaderFactory(store, streams, waiters, clock, "us-east-1");
  const reader = factory.create({ sourceArn: ARN, roleArn: "arn:aws:iam::000000000000:role/r" });
  const data = (after: string | undefined) => reader.read(SHARD, after, 100).map((r) => Buffer.from((r.event.kinesis as { data: string }).data, "base64").toString());
  return { clock, put, records, streams, factory, reader, data };
}

describe("the Kinesis shard reader (stream ESM side)", () => {
  it("reads a shard in order after a checkpoint", () => {
    const { put, reader, data } = setup();
    const a = put("a");
    put("b");
    put("c");
    expect(reader.shards()).toEqual([SHARD]);
    expect(data(undefined)).toEqual(["a", "b", "c"]);
    expect(data(a)).toEqual(["b", "c"]);
    expect(reader.read(SHARD, a, 1).map((r) => r.eventBytes > 0)).toEqual([true]);
  });

  it("writes each record's event JSON as JSON.stringify of its event would, whatever the partition key", async () => {
    const { clock, records, reader } = setup();
    for (const key of ["plain", 'quote " and \\ backslash', "line\nbreak", "ünïcødé ✓", "\u0001"]) {
      records.putRecord({ StreamName: "s", PartitionKey: key, Data: Buffer.from(key).toString("base64") });
      await clock.advanceBy(1.5);
    }
    const read = reader.read(SHARD, undefined, 100);
    expect(read).toHaveLength(5);
    for (const r of read) {
      expect(r.eventJson).toBe(JSON.stringify(r.event));
      expect(JSON.parse(r.eventJson!).kinesis.partitionKey).toBe(r.partitionKey);
    }
  });

  it("numbers each record as PutRecord and PutRecords answered, on every shard", () => {
    const { records, streams, factory } = setup();
    streams.createStream({ StreamName: "wide", ShardCount: 3 });
    const reader = factory.create({ sourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/wide", roleArn: "arn:aws:iam::000000000000:role/r" });
    const entry = (i: number) => ({ PartitionKey: `key-${i % 40}`, Data: Buffer.from(String(i)).toString("base64") });
    const answers = [
      ...Array.from({ length: 12 }, (_, i) => records.putRecord({ StreamName: "wide", ...entry(i) })),
      // 300 entries: stored by several multi-row statements.
      ...(records.putRecords({ StreamName: "wide", Records: Array.from({ length: 300 }, (_, i) => entry(i)) }).Records as { SequenceNumber: string; ShardId: string }[]),
      records.putRecord({ StreamName: "wide", ...entry(7) }),
    ];
    for (const shard of reader.shards()) {
      const read = reader.read(shard, undefined, 1000);
      expect(read.map((r) => r.sequenceNumber)).toEqual(answers.filter((a) => a.ShardId === shard).map((a) => a.SequenceNumber));
      for (const r of read) {
        expect(JSON.parse(r.eventJson!)).toMatchObject({ kinesis: { sequenceNumber: r.sequenceNumber }, eventID: `${shard}:${r.sequenceNumber}` });
        expect(r.eventJson).toBe(JSON.stringify(r.event));
      }
    }
  });

  it("starts at TRIM_HORIZON, LATEST (after what is there) or AT_TIMESTAMP", async () => {
    const { clock, put, reader, data } = setup();
    put("old");
    await clock.advanceBy(10_000);
    const t = clock.now();
    put("new");
    expect(data(reader.startAt(SHARD, "TRIM_HORIZON"))).toEqual(["old", "new"]);
    const latest = reader.startAt(SHARD, "LATEST");
    expect(data(latest)).toEqual([]);
    put("next");
    expect(data(latest)).toEqual(["next"]);
    expect(data(reader.startAt(SHARD, "AT_TIMESTAMP", t))).toEqual(["new", "next"]);
  });

  it("skips records past the retention period, and refuses a mapping to a missing stream", async () => {
    const { clock, put, reader, data, factory } = setup();
    put("expires");
    await clock.advanceBy(24 * 3_600_000 + 1);
    put("kept");
    expect(data(undefined)).toEqual(["kept"]);
    expect(reader.retentionMs()).toBe(24 * 3_600_000);
    expect(() => factory.validate("arn:aws:kinesis:us-east-1:000000000000:stream/nope")).toThrow("Stream not found");
  });
});
