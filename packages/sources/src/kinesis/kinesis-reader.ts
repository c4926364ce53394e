import type { Clock, KeyedWaiters, StreamReader, StreamReaderFactory, StreamReaderTarget, StreamRecord } from "@lambda-sim/core";
import { lambdaErrors, parseFilterData } from "@lambda-sim/core";
import { retentionMs, waitKey } from "./record-operations.ts";
import { parseSequenceNumber, sequenceNumber, shardId, shardIndexOf } from "./sequence-numbers.ts";
import type { StreamOperations } from "./stream-operations.ts";
import type { RecordRow, StreamState, StreamStore } from "./stream-store.ts";

/**
 * The Kinesis side of a stream event source mapping: shard listing and in-order reads straight
 * from the store (as Lambda's pollers call GetRecords), and the event record exactly as aws-facts
 * §8.2 shows it (eventID `shardId:sequenceNumber`, base64 data, arrival time in seconds).
 */
export function kinesisReaderFactory(store: StreamStore, streams: StreamOperations, waiters: KeyedWaiters, clock: Clock, region: string): StreamReaderFactory {
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
      // The event's constant tail, serialised once per mapping.
      const tail = `"invokeIdentityArn":${JSON.stringify(target.roleArn)},"awsRegion":${JSON.stringify(region)},"eventSourceARN":${JSON.stringify(target.sourceArn)}}`;
      const toRecord = (r: RecordRow): StreamRecord => {
        const seq = sequenceNumber(r.seq, r.shard_index);
        const id = shardId(r.shard_index);
        const data = r.data.toString("base64");
        // The event's JSON written straight from the row (the consumer reads ahead ~one batch per
        // shard, so this runs for every record): the same bytes as JSON.stringify(event) below.
        const eventJson = `{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":${JSON.stringify(r.partition_key)},"sequenceNumber":"${seq}","data":"${data}","approximateArrivalTimestamp":${r.arrival_at / 1000}},"eventSource":"aws:kinesis","eventVersion":"1.0","eventID":"${id}:${seq}","eventName":"aws:kinesis:record",${tail}`;
        let event: Record<string, unknown> | undefined;
        return {
          shardId: id,
          sequenceNumber: seq,
          partitionKey: r.partition_key,
          arrivalMs: r.arrival_at,
          eventBytes: data.length + r.partition_key.length,
          eventJson,
          // The record in AWS's key order (aws-facts §8.2); built only when asked (tumbling windows, tests).
          get event() {
            return (event ??= {
              kinesis: { kinesisSchemaVersion: "1.0", partitionKey: r.partition_key, sequenceNumber: seq, data, approximateArrivalTimestamp: r.arrival_at / 1000 },
              eventSource: "aws:kinesis",
              eventVersion: "1.0",
              eventID: `${id}:${seq}`,
              eventName: "aws:kinesis:record",
              invokeIdentityArn: target.roleArn,
              awsRegion: region,
              eventSourceARN: target.sourceArn,
            });
          },
          // Filters see the record's fields with `data` parsed as JSON when it is JSON (aws-facts §8.2).
          filterView: () => {
            let data: unknown = r.data.toString("utf8");
            try {
              data = parseFilterData(data as string);
            } catch {
              // not JSON: patterns on data's fields do not match
            }
            return { partitionKey: r.partition_key, sequenceNumber: seq, approximateArrivalTimestamp: r.arrival_at / 1000, kinesisSchemaVersion: "1.0", data };
          },
        };
      };
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
          return store.read(s.name, index(id), from, clock.now() - retentionMs(s), limit).map(toRecord);
        },
        wait: async (id, ms, signal) => void (await waiters.wait(waitKey(stream().name, index(id)), ms, signal)),
        retentionMs: () => retentionMs(stream()),
      };
    },
  };
}
