import type { Clock, KeyedWaiters } from "@lambda-sim/core";
import { parseExplicitHashKey, partitionKeyHash, shardForHash } from "./hash-routing.ts";
import { kinesisErrors } from "./kinesis-errors.ts";
import { parseSequenceNumber, sequenceNumber, shardId, shardIndexOf } from "./sequence-numbers.ts";
import { decodeIterator, encodeIterator, ITERATOR_LIFETIME_MS } from "./shard-iterators.ts";
import { ShardWriteLimits } from "./shard-write-limits.ts";
import type { StreamOperations } from "./stream-operations.ts";
import type { NewRecord, StreamState, StreamStore } from "./stream-store.ts";

type Input = Record<string, unknown>;

/** Limits (aws-facts §8.1, BC-KIN): a record's data + key ≤ 1 MiB; PutRecords ≤ 500 records, ≤ 10 MiB. */
export const MAX_RECORD_BYTES = 1024 * 1024;
export const MAX_PUT_RECORDS = 500;
export const MAX_PUT_RECORDS_BYTES = 10 * 1024 * 1024;
/** GetRecords: ≤ 10,000 records (the default Limit) and ≤ 10 MiB per call. */
export const MAX_GET_RECORDS = 10_000;
const MAX_GET_BYTES = 10 * 1024 * 1024;
/** Partition keys whose shard is remembered per stream; past this many the memory starts over. */
const ROUTE_CACHE_KEYS = 65_536;

export const retentionMs = (s: StreamState) => s.retentionHours * 3_600_000;
export const waitKey = (stream: string, shardIndex: number) => `${stream}/${shardIndex}`;

/**
 * The Kinesis data plane (aws-facts §8.1): PutRecord(s) route by the MD5 of the partition key (or
 * ExplicitHashKey) into the shards' hash key ranges and store the records before answering;
 * GetShardIterator and GetRecords read a shard in sequence order, within the retention period.
 */
export class RecordOperations {
  private readonly store: StreamStore;
  private readonly streams: StreamOperations;
  private readonly clock: Clock;
  private readonly waiters: KeyedWaiters;
  private readonly limits = new ShardWriteLimits();
  /**
   * Each partition key's shard per stream (a stream's hash key ranges never change here): producers
   * reuse their keys, and the MD5 and the 128-bit search were a quarter of PutRecords' own time.
   */
  private readonly routes = new WeakMap<StreamState, Map<string, number>>();
  /** Streams whose shards enforce AWS's write throughput (lambda-sim.yaml `sim.enforceShardLimits`). */
  readonly limitedStreams = new Set<string>();

  constructor(store: StreamStore, streams: StreamOperations, clock: Clock, waiters: KeyedWaiters) {
    this.store = store;
    this.streams = streams;
    this.clock = clock;
    this.waiters = waiters;
  }

  putRecord(input: Input) {
    const stream = this.streams.resolveActive(input);
    // Kinds, lengths and patterns (SequenceNumberForOrdering's too) were checked against the model.
    const record = this.route(stream, input, "");
    if (!this.admit(stream, record)) throw this.throttled(stream, record.shardIndex);
    // Our counter is shared and only grows, so the new number is above SequenceNumberForOrdering.
    const [counter] = this.store.append(stream.name, [record], this.clock.now());
    this.waiters.notify(waitKey(stream.name, record.shardIndex));
    return { ShardId: shardId(record.shardIndex), SequenceNumber: sequenceNumber(counter!, record.shardIndex), EncryptionType: "NONE" };
  }

  putRecords(input: Input) {
    const stream = this.streams.resolveActive(input);
    // 1-500 entries, none null, each with Data and a 1-256 character PartitionKey: the model's checks.
    const entries = input.Records as Input[];
    const records = entries.map((e, i) => this.route(stream, e, `records.${i + 1}.member.`));
    const bytes = records.reduce((n, r) => n + r.data.length + Buffer.byteLength(r.partitionKey), 0);
    if (bytes > MAX_PUT_RECORDS_BYTES) throw kinesisErrors.invalidArgument(`Records size exceeds ${MAX_PUT_RECORDS_BYTES / 1024 / 1024} MB limit`);
    // Entries over their shard's throughput fail alone; the response keeps the request's order.
    const admitted = records.map((r) => this.admit(stream, r));
    const counters = this.store.append(stream.name, records.filter((_, i) => admitted[i]), this.clock.now());
    for (const index of new Set(records.map((r) => r.shardIndex))) this.waiters.notify(waitKey(stream.name, index));
    let next = 0;
    const results = records.map((r, i) => {
      if (admitted[i]) return { SequenceNumber: sequenceNumber(counters[next++]!, r.shardIndex), ShardId: shardId(r.shardIndex) };
      const e = this.throttled(stream, r.shardIndex);
      return { ErrorCode: e.code, ErrorMessage: e.message };
    });
    return { FailedRecordCount: records.length - counters.length, Records: results, EncryptionType: "NONE" };
  }

  getShardIterator(input: Input) {
    const stream = this.streams.resolve(input);
    const index = typeof input.ShardId === "string" ? shardIndexOf(input.ShardId) : undefined;
    if (index === undefined || index >= stream.shards.length) throw kinesisErrors.shardNotFound(String(input.ShardId), stream.name, this.streams.accountId);
    const type = input.ShardIteratorType;
    const now = this.clock.now();
    let after: number;
    switch (type) {
      case "TRIM_HORIZON":
        after = 0;
        break;
      case "LATEST":
        after = this.store.lastCounter();
        break;
      case "AT_SEQUENCE_NUMBER":
      case "AFTER_SEQUENCE_NUMBER": {
        const parsed = typeof input.StartingSequenceNumber === "string" ? parseSequenceNumber(input.StartingSequenceNumber) : undefined;
        if (parsed === undefined || parsed.shardIndex !== index) {
          throw kinesisErrors.invalidArgument(`StartingSequenceNumber ${String(input.StartingSequenceNumber)} used in GetShardIterator on shard ${shardId(index)} in stream ${stream.name} under account ${this.streams.accountId} is invalid.`);
        }
        after = type === "AT_SEQUENCE_NUMBER" ? parsed.counter - 1 : parsed.counter;
        break;
      }
      case "AT_TIMESTAMP": {
        if (typeof input.Timestamp !== "number") throw kinesisErrors.invalidArgument("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.");
        const first = this.store.firstArrivedAtOrAfter(stream.name, index, Math.max(input.Timestamp * 1000, now - retentionMs(stream)));
        after = first === undefined ? this.store.lastCounter() : first - 1;
        break;
      }
      default:
        throw kinesisErrors.validation(`'${String(type)}'`, "shardIteratorType", "Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]");
    }
    return { ShardIterator: encodeIterator({ stream: stream.name, createdAt: stream.createdAt, shard: index, after, issuedAt: now }) };
  }

  getRecords(input: Input) {
    // 1-10,000 (the model's range).
    const limit = (input.Limit as number | undefined) ?? MAX_GET_RECORDS;
    const it = decodeIterator(input.ShardIterator);
    const now = this.clock.now();
    // Iterators expire five minutes after they are issued (aws-facts §8.1).
    if (now - it.issuedAt > ITERATOR_LIFETIME_MS) throw kinesisErrors.expiredIterator(it.issuedAt, now);
    const stream = this.streams.resolve({ StreamName: it.stream });
    if (stream.createdAt !== it.createdAt) throw kinesisErrors.streamNotFound(it.stream, this.streams.accountId);
    const rows = this.store.read(stream.name, it.shard, it.after, now - retentionMs(stream), limit);
    let bytes = 0;
    let n = 0;
    while (n < rows.length && (n === 0 || bytes + rows[n]!.data.length <= MAX_GET_BYTES)) bytes += rows[n++]!.data.length;
    const taken = rows.slice(0, n);
    const last = taken.at(-1);
    const newest = this.store.newest(stream.name, it.shard);
    const caughtUp = newest === undefined || last === undefined ? true : last.seq >= newest.seq;
    return {
      Records: taken.map((r) => ({
        SequenceNumber: sequenceNumber(r.seq, r.shard_index),
        ApproximateArrivalTimestamp: r.arrival_at / 1000,
        Data: r.data.toString("base64"),
        PartitionKey: r.partition_key,
      })),
      NextShardIterator: encodeIterator({ ...it, after: last?.seq ?? it.after, issuedAt: now }),
      MillisBehindLatest: caughtUp || last === undefined ? 0 : Math.max(0, now - last.arrival_at),
    };
  }

  private admit(stream: StreamState, r: NewRecord): boolean {
    return !this.limitedStreams.has(stream.name) || this.limits.admit(stream.name, r.shardIndex, r.data.length + Buffer.byteLength(r.partitionKey), this.clock.now());
  }

  private throttled(stream: StreamState, shardIndex: number) {
    return kinesisErrors.throughputExceeded(shardId(shardIndex), stream.name, this.streams.accountId);
  }

  /** Finds an entry's shard; data + key ≤ the stream's record size (BC-KIN PutRecord), a rule across members. */
  private route(stream: StreamState, e: Input, prefix: string): NewRecord {
    const key = e.PartitionKey as string;
    const data = Buffer.from(e.Data as string, "base64");
    if (data.length + Buffer.byteLength(key) > MAX_RECORD_BYTES) {
      throw kinesisErrors.validation("'java.nio.HeapByteBuffer'", `${prefix}data`, `Member must have length less than or equal to ${MAX_RECORD_BYTES}`);
    }
    if (e.ExplicitHashKey !== undefined) {
      const explicit = typeof e.ExplicitHashKey === "string" ? parseExplicitHashKey(e.ExplicitHashKey) : undefined;
      if (explicit === undefined) throw kinesisErrors.invalidArgument(`Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${String(e.ExplicitHashKey)}`);
      return { shardIndex: stream.shards[shardForHash(stream.shards, explicit)]!.index, partitionKey: key, data };
    }
    return { shardIndex: this.shardOfKey(stream, key), partitionKey: key, data };
  }

  private shardOfKey(stream: StreamState, key: string): number {
    let known = this.routes.get(stream);
    if (known === undefined) this.routes.set(stream, (known = new Map()));
    let index = known.get(key);
    if (index === undefined) {
      if (known.size >= ROUTE_CACHE_KEYS) known.clear();
      index = stream.shards[shardForHash(stream.shards, partitionKeyHash(key))]!.index;
      known.set(key, index);
    }
    return index;
  }
}
