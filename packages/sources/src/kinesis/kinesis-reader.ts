import type { Clock, KeyedWaiters, StreamReader, StreamReaderFactory, StreamReaderTarget } from "@lambda-sim/core";
import { lambdaErrors } from "@lambda-sim/core";
import { KinesisEventRecord, shardEventParts, type ShardEventParts } from "./kinesis-event-record.ts";
import { retentionMs, waitKey } from "./record-operations.ts";
import { parseSequenceNumber, sequenceNumber, shardId, shardIndexOf } from "./sequence-numbers.ts";
import type { StreamOperations } from "./stream-operations.ts";
import type { StreamState, StreamStore } from "./stream-store.ts";

/** The one key of the shard-change waiters: any stream created or deleted wakes every mapping's look. */
export const SHARDS_KEY = "streams";

/**
 * The Kinesis side of a stream event source mapping: shard listing and in-order reads straight
 * from the store (as Lambda's pollers call GetRecords), and the event record exactly as aws-facts
 * §8.2 shows it (eventID `shardId:sequenceNumber`, base64 data, arrival time in seconds).
 */
export function kinesisReaderFactory(store: StreamStore, streams: StreamOperations, waiters: KeyedWaiters, clock: Clock, region: string, shardChanges?: KeyedWaiters): StreamReaderFactory {
  return {
    kind: "Kinesis",
    batchInfoKey: "KinesisBatchInfo",
    validate(sourceArn) {
      if (streams.byArn(sourceArn) === undefined) throw lambdaErrors.invalidParameterValue(`Stream not found: ${sourceArn}`);
    },
    create(target: StreamReaderTarget): StreamReader {
      const stream = (): StreamState => {
        const s = streams.byArn(target.sourceArn);
        if (s === undefined) throw new Error(`the stream ${target.sourceArn} does not exist`);
        return s;
      };
      const index = (id: string) => shardIndexOf(id) ?? -1;
      // What the records of a shard share, built once per shard.
      const shardParts = new Map<number, ShardEventParts>();
      const partsOf = (i: number) => shardParts.get(i) ?? shardParts.set(i, shardEventParts(i, target.roleArn, region, target.sourceArn)).get(i)!;
      return {
        shards: () => stream().shards.map((s) => shardId(s.index)),
        startAt(id, position, timestampMs) {
          const s = stream();
          if (position === "TRIM_HORIZON") return undefined;
          if (position === "AT_TIMESTAMP") {
            const first = store.firstArrivedAtOrAfter(s.name, index(id), Math.max(timestampMs ?? 0, clock.now() - retentionMs(s)));
            if (first !== undefined) return first <= 1 ? undefined : sequenceNumber(first - 1, index(id));
          }
          return sequenceNumber(store.lastCounter(), index(id));
        },
        read(id, after, limit) {
          const s = stream();
          const from = after === undefined ? 0 : (parseSequenceNumber(after)?.counter ?? 0);
          const i = index(id);
          const parts = partsOf(i);
          return store.readTuples(s.name, i, from, clock.now() - retentionMs(s), limit).map((row) => new KinesisEventRecord(row, parts));
        },
        // A mapping's idle poll of its shard: housekeeping (unref); a put wakes it.
        wait: async (id, ms, signal) => void (await waiters.wait(waitKey(stream().name, index(id)), ms, signal, { unref: true })),
        retentionMs: () => retentionMs(stream()),
        // Shards change only when a stream is created or deleted (no resharding here), which wakes it.
        ...(shardChanges === undefined ? {} : { waitForShards: async (ms: number, signal: AbortSignal) => void (await shardChanges.wait(SHARDS_KEY, ms, signal, { unref: true })) }),
      };
    },
  };
}
