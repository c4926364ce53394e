import type { StreamRecord } from "@lambda-sim/core";
import { parseFilterData } from "@lambda-sim/core";
import { sequenceNumber, shardId } from "./sequence-numbers.ts";

/** A row as the reader selects it (raw, no object per row): seq, shard_index, partition_key, data, arrival_at. */
export type RecordTuple = [seq: number, shardIndex: number, partitionKey: string, data: Buffer, arrivalAt: number];

/** What every record of one mapping's shard shares: its id and the event's tail. */
export interface ShardEventParts {
  shardId: string;
  /** The event's constant end: invokeIdentityArn, awsRegion, eventSourceARN, closing brace. */
  tail: string;
  roleArn: string;
  region: string;
  sourceArn: string;
}

export function shardEventParts(shardIndex: number, roleArn: string, region: string, sourceArn: string): ShardEventParts {
  return {
    shardId: shardId(shardIndex),
    tail: `"invokeIdentityArn":${JSON.stringify(roleArn)},"awsRegion":${JSON.stringify(region)},"eventSourceARN":${JSON.stringify(sourceArn)}}`,
    roleArn,
    region,
    sourceArn,
  };
}

/**
 * One Kinesis record as a stream mapping hands it to the function (aws-facts §8.2: eventID
 * `shardId:sequenceNumber`, base64 data, arrival time in seconds). The consumer reads every
 * record of a busy shard, so this is one object with its event JSON written straight from the
 * row; the event object and the filter's view are built only when asked (tumbling windows,
 * FilterCriteria, tests).
 */
export class KinesisEventRecord implements StreamRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly arrivalMs: number;
  readonly eventBytes: number;
  readonly eventJson: string;
  private readonly raw: Buffer;
  private readonly data: string;
  private readonly parts: ShardEventParts;
  private built: Record<string, unknown> | undefined;

  constructor(row: RecordTuple, parts: ShardEventParts) {
    const seq = sequenceNumber(row[0], row[1]);
    const key = row[2];
    const data = row[3].toString("base64");
    this.shardId = parts.shardId;
    this.sequenceNumber = seq;
    this.partitionKey = key;
    this.arrivalMs = row[4];
    this.eventBytes = data.length + key.length;
    this.raw = row[3];
    this.data = data;
    this.parts = parts;
    // The same bytes as JSON.stringify(this.event).
    this.eventJson = `{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":${JSON.stringify(key)},"sequenceNumber":"${seq}","data":"${data}","approximateArrivalTimestamp":${row[4] / 1000}},"eventSource":"aws:kinesis","eventVersion":"1.0","eventID":"${parts.shardId}:${seq}","eventName":"aws:kinesis:record",${parts.tail}`;
  }

  /** The record in AWS's key order (aws-facts §8.2). */
  get event(): Record<string, unknown> {
    const p = this.parts;
    return (this.built ??= {
      kinesis: { kinesisSchemaVersion: "1.0", partitionKey: this.partitionKey, sequenceNumber: this.sequenceNumber, data: this.data, approximateArrivalTimestamp: this.arrivalMs / 1000 },
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventID: `${p.shardId}:${this.sequenceNumber}`,
      eventName: "aws:kinesis:record",
      invokeIdentityArn: p.roleArn,
      awsRegion: p.region,
      eventSourceARN: p.sourceArn,
    });
  }

  /** Filters see the record's fields with `data` parsed as JSON when it is JSON (aws-facts §8.2). */
  filterView(): Record<string, unknown> {
    let data: unknown = this.raw.toString("utf8");
    try {
      data = parseFilterData(data as string);
    } catch {
      // not JSON: patterns on data's fields do not match
    }
    return { partitionKey: this.partitionKey, sequenceNumber: this.sequenceNumber, approximateArrivalTimestamp: this.arrivalMs / 1000, kinesisSchemaVersion: "1.0", data };
  }
}
