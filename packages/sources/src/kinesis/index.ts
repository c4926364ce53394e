import { isAwsError, KeyedWaiters, loadMigrations, registerShortName, SimError, namesInTable, type Operation, type Source, type TimerHandle } from "@lambda-sim/core";
import { describeLimits } from "./describe-limits.ts";
import { registerKinesisProtocol } from "./kinesis-protocol.ts";
import { kinesisReaderFactory, SHARDS_KEY } from "./kinesis-reader.ts";
import { RecordOperations, retentionMs } from "./record-operations.ts";
import { RecordSweeper } from "./record-sweeper.ts";
import { sequenceNumber, shardId } from "./sequence-numbers.ts";
import { streamConfigSchema, type StreamConfig } from "./stream-config.ts";
import { StreamOperations } from "./stream-operations.ts";
import { StreamStore } from "./stream-store.ts";

/** Expired records are deleted this often (service time); reads skip them meanwhile. */
const TRIM_INTERVAL_MS = 60_000;

// `kinesis:NAME` in lambda-sim.yaml (event source mappings).
registerShortName("kinesis", (name, region, accountId) => `arn:aws:kinesis:${region}:${accountId}:stream/${name}`);

/**
 * The Kinesis source (DESIGN.md `Source`, aws-facts §8): durable streams in SQLite over AWS JSON
 * 1.1, and the shard reader behind core's stream event source mappings (`registerStreamReader`).
 */
export const kinesisSource: Source<StreamConfig> = {
  name: "kinesis",
  configKey: "streams",
  mappingKinds: { kinesis: "stream" },
  configSchema: streamConfigSchema,
  migrations: loadMigrations("kinesis", new URL("./migrations/", import.meta.url)),
  namesInState: (store) => ({ stream: namesInTable(store, "kinesis_streams") }),
  start(ctx, config) {
    const store = new StreamStore(ctx.store);
    // Mappings looking for new shards wait on these; a stream created or deleted wakes them.
    const shardChanges = new KeyedWaiters(ctx.clock, "kinesis.shards");
    const shardsChanged = <T>(result: T): T => {
      shardChanges.notify(SHARDS_KEY);
      return result;
    };
    const sweeper = new RecordSweeper(store, () => shardsChanged(undefined));
    const streams = new StreamOperations(store, ctx.clock, { region: ctx.region, accountId: ctx.accountId }, sweeper);
    // A delete a restart interrupted is finished (fuzz19 F15): in the background, or at once for
    // a stream the file declares, which is then made anew (rare: a DeleteStream just before a restart).
    for (const s of store.list()) {
      if (!s.deleting) continue;
      if (config?.[s.name] !== undefined) store.removeDeleted(s.name);
      else sweeper.deleteStream(s);
    }
    try {
      for (const [name, def] of Object.entries(config ?? {})) streams.declare(name, def);
    } catch (e) {
      sweeper.stop();
      if (isAwsError(e)) throw new SimError("ERR_CONFIG", `streams: ${e.message}`);
      throw e;
    }
    const waiters = new KeyedWaiters(ctx.clock, "kinesis.wait");
    const records = new RecordOperations(store, streams, ctx.clock, waiters);
    for (const [name, def] of Object.entries(config ?? {})) if (def.sim?.enforceShardLimits) records.limitedStreams.add(name);
    const ops: Record<string, Operation> = {
      CreateStream: (i) => shardsChanged(streams.createStream(i)),
      DescribeStream: (i) => streams.describeStream(i),
      DescribeStreamSummary: (i) => streams.describeStreamSummary(i),
      ListStreams: (i) => streams.listStreams(i),
      DescribeLimits: () => describeLimits(store, ctx.region),
      ListShards: (i) => streams.listShards(i),
      DeleteStream: (i) => shardsChanged(streams.deleteStream(i)),
      IncreaseStreamRetentionPeriod: (i) => streams.increaseStreamRetentionPeriod(i),
      DecreaseStreamRetentionPeriod: (i) => streams.decreaseStreamRetentionPeriod(i),
      AddTagsToStream: (i) => streams.addTagsToStream(i),
      RemoveTagsFromStream: (i) => streams.removeTagsFromStream(i),
      ListTagsForStream: (i) => streams.listTagsForStream(i),
      PutRecord: (i) => records.putRecord(i),
      PutRecords: (i) => records.putRecords(i),
      GetShardIterator: (i) => records.getShardIterator(i),
      GetRecords: (i) => records.getRecords(i),
    };
    registerKinesisProtocol(ctx, ops);
    // EventBridge rules and Scheduler schedules put records on a stream (a standard target on AWS):
    // one PutRecord of the event with the target's partition key (newuser13 N13-1).
    // A caller always names the key (EventBridge: the event id by default); a random one otherwise.
    const keys = ctx.rng.stream("kinesis-target-keys");
    ctx.registerTarget("kinesis", {
      deliver: async (arn, body, _attributes, options) => {
        records.putRecord({ StreamARN: arn, Data: Buffer.from(body).toString("base64"), PartitionKey: options?.partitionKey ?? keys.uuid() });
      },
    });
    // A look at a stream's retained records that moves no iterator (compare /_sim/queues/:name/messages).
    // Shards with their newest record's arrival; the mappings' batches carry iterator ages.
    ctx.addStateView("streams", () =>
      store.list().map((s) => ({ name: s.name, mode: s.mode, shards: s.shards.map((sh) => ({ shardId: shardId(sh.index), newestArrival: store.newest(s.name, sh.index)?.arrival_at })) })),
    );
    ctx.addSimRoute("/_sim/streams/:name/records", ({ name }) => {
      const s = streams.resolve({ StreamName: name });
      const since = ctx.clock.now() - retentionMs(s);
      return s.shards.flatMap((sh) =>
        store.read(s.name, sh.index, 0, since, 1000).map((r) => ({
          shardId: shardId(sh.index),
          sequenceNumber: sequenceNumber(r.seq, r.shard_index),
          partitionKey: r.partition_key,
          data: r.data.toString("base64"),
          approximateArrivalTimestamp: r.arrival_at,
        })),
      );
    });
    ctx.registerStreamReader("kinesis", kinesisReaderFactory(store, streams, waiters, ctx.clock, ctx.region, shardChanges));
    // Retention trimming on the Clock (aws-facts §8.1: 24 h by default).
    let trimTimer: TimerHandle;
    // Housekeeping (unref): trimming is not work run-until-idle waits for.
    const arm = () => {
      trimTimer = ctx.clock.setTimer(TRIM_INTERVAL_MS, trim, "kinesis.trim", { unref: true });
    };
    const trim = () => {
      const now = ctx.clock.now();
      // In chunks across turns (record-sweeper.ts): a clock advanced past a big stream's retention is one large delete.
      for (const s of store.list()) sweeper.trim(s, now - retentionMs(s));
      arm();
    };
    arm();
    return {
      stop: () => {
        trimTimer.cancel();
        sweeper.stop();
        waiters.wakeAll();
        shardChanges.wakeAll();
      },
    };
  },
};
