import { BatchInsert, type Store, binaryOrder } from "@lambda-sim/core";
import { evenHashKeyRanges, type HashKeyRange } from "./hash-routing.ts";
import type { RecordTuple } from "./kinesis-event-record.ts";

export interface ShardState extends HashKeyRange {
  index: number;
  startingCounter: number;
}

export interface StreamState {
  name: string;
  mode: "PROVISIONED" | "ON_DEMAND";
  retentionHours: number;
  tags: Record<string, string>;
  createdAt: number;
  shards: ShardState[];
  /** DeleteStream was called: its records are being deleted (record-sweeper.ts), then the stream goes. */
  deleting: boolean;
}

export interface RecordRow {
  seq: number;
  shard_index: number;
  partition_key: string;
  data: Buffer;
  arrival_at: number;
}

export interface NewRecord {
  shardIndex: number;
  partitionKey: string;
  data: Buffer;
}

/**
 * The SQL of the Kinesis source (STYLE.md 7.9: callers never write SQL) and the streams kept in
 * memory beside their rows, so PutRecord routes without reading the stream back.
 */
export class StreamStore {
  private readonly store: Store;
  private readonly streams = new Map<string, StreamState>();
  private readonly sql;
  private readonly appendAll: (stream: string, records: readonly NewRecord[], now: number) => number[];

  constructor(store: Store) {
    this.store = store;
    const db = store.db;
    this.sql = {
      insertStream: db.prepare("INSERT INTO kinesis_streams (name, mode, retention_hours, tags, created_at) VALUES (?, ?, ?, ?, ?)"),
      insertShard: db.prepare("INSERT INTO kinesis_shards (stream, shard_index, starting_hash, ending_hash, starting_seq) VALUES (?, ?, ?, ?, ?)"),
      updateStream: db.prepare("UPDATE kinesis_streams SET retention_hours = ?, tags = ? WHERE name = ?"),
      deleteStream: db.prepare("DELETE FROM kinesis_streams WHERE name = ?"),
      markDeleting: db.prepare("UPDATE kinesis_streams SET deleting = 1 WHERE name = ?"),
      deleteRecords: db.prepare("DELETE FROM kinesis_records WHERE stream = ?"),
      // One chunk of a stream's records (the oldest of each shard first, by the shard index).
      deleteSome: db.prepare("DELETE FROM kinesis_records WHERE seq IN (SELECT seq FROM kinesis_records WHERE stream = ? LIMIT ?)"),
      lastCounter: db.prepare("SELECT COALESCE(MAX(seq), 0) FROM kinesis_records").pluck(),
      read: db.prepare("SELECT seq, shard_index, partition_key, data, arrival_at FROM kinesis_records WHERE stream = ? AND shard_index = ? AND seq > ? AND arrival_at >= ? ORDER BY seq LIMIT ?"),
      // Rows as arrays: the mapping's reader reads every record of a busy shard (no object per row).
      readTuples: db.prepare("SELECT seq, shard_index, partition_key, data, arrival_at FROM kinesis_records WHERE stream = ? AND shard_index = ? AND seq > ? AND arrival_at >= ? ORDER BY seq LIMIT ?").raw(),
      newest: db.prepare("SELECT seq, arrival_at FROM kinesis_records WHERE stream = ? AND shard_index = ? ORDER BY seq DESC LIMIT 1"),
      firstAt: db.prepare("SELECT seq FROM kinesis_records WHERE stream = ? AND shard_index = ? AND seq > ? AND arrival_at >= ? ORDER BY seq LIMIT 1").pluck(),
      // One chunk of a shard's expired records: they are its lowest counters (arrivals follow
      // service time, which never goes back), so the index finds them first.
      trimSome: db.prepare("DELETE FROM kinesis_records WHERE seq IN (SELECT seq FROM kinesis_records WHERE stream = ? AND shard_index = ? AND arrival_at < ? ORDER BY seq LIMIT ?)"),
      // The same order's first record: when it has not expired, none has, and trimSome's scan,
      // which found nothing only after reading every row of the shard, is skipped. A separate
      // read on purpose: the DELETE carrying the test itself (LIMIT 0 when the first record has
      // not expired; as a WHERE term SQLite still scans) took 30 µs for a trim that finds
      // nothing against this read's 10 µs, as a DELETE opens a write even when it deletes none.
      oldestArrival: db.prepare("SELECT arrival_at FROM kinesis_records WHERE stream = ? AND shard_index = ? ORDER BY seq LIMIT 1").pluck(),
    };
    // The records' counters are their rowids (AUTOINCREMENT).
    const insert = new BatchInsert(db, "kinesis_records", ["stream", "shard_index", "partition_key", "data", "arrival_at"]);
    this.appendAll = store.writer((stream: string, records: readonly NewRecord[], now: number) =>
      insert.run(records.length, (i, into) => {
        const r = records[i]!;
        into.push(stream, r.shardIndex, r.partitionKey, r.data, now);
      }),
    );
    const rows = db.prepare("SELECT name, mode, retention_hours, tags, created_at, deleting FROM kinesis_streams").all() as { name: string; mode: StreamState["mode"]; retention_hours: number; tags: string; created_at: number; deleting: number }[];
    const shardRows = db.prepare("SELECT stream, shard_index, starting_hash, ending_hash, starting_seq FROM kinesis_shards ORDER BY stream, shard_index").all() as {
      stream: string;
      shard_index: number;
      starting_hash: string;
      ending_hash: string;
      starting_seq: number;
    }[];
    for (const r of rows) this.streams.set(r.name, { name: r.name, mode: r.mode, retentionHours: r.retention_hours, tags: JSON.parse(r.tags), createdAt: r.created_at, shards: [], deleting: r.deleting === 1 });
    for (const s of shardRows) {
      this.streams.get(s.stream)?.shards.push({ index: s.shard_index, start: BigInt(s.starting_hash), end: BigInt(s.ending_hash), startingCounter: s.starting_seq });
    }
  }

  get(name: string): StreamState | undefined {
    return this.streams.get(name);
  }

  list(): StreamState[] {
    return [...this.streams.values()].sort((a, b) => binaryOrder(a.name, b.name));
  }

  create(name: string, mode: StreamState["mode"], shardCount: number, retentionHours: number, tags: Record<string, string>, now: number): StreamState {
    return this.store.transaction(() => {
      const counter = this.sql.lastCounter.get() as number;
      const stream: StreamState = { name, mode, retentionHours, tags, createdAt: now, shards: evenHashKeyRanges(shardCount).map((r, index) => ({ ...r, index, startingCounter: counter })), deleting: false };
      // Records of an earlier stream of the same name are gone with it.
      this.sql.deleteRecords.run(name);
      this.sql.insertStream.run(name, mode, retentionHours, JSON.stringify(tags), now);
      for (const s of stream.shards) this.sql.insertShard.run(name, s.index, s.start.toString(), s.end.toString(), s.startingCounter);
      this.streams.set(name, stream);
      return stream;
    });
  }

  update(stream: StreamState): void {
    this.sql.updateStream.run(stream.retentionHours, JSON.stringify(stream.tags), stream.name);
  }

  /** DeleteStream: the stream is DELETING (durably) until removeDeleted(); its records go meanwhile. */
  markDeleting(stream: StreamState): void {
    this.sql.markDeleting.run(stream.name);
    stream.deleting = true;
  }

  /** Deletes up to `limit` of the stream's records; returns how many went. */
  deleteSomeRecords(name: string, limit: number): number {
    return this.sql.deleteSome.run(name, limit).changes;
  }

  /**
   * The stream's last records and the stream itself, in one transaction: called once a chunk
   * came back short, so what is left (records put meanwhile) is at most a chunk.
   */
  removeDeleted(name: string): void {
    this.store.transaction(() => {
      this.sql.deleteRecords.run(name);
      this.sql.deleteStream.run(name);
    });
    this.streams.delete(name);
  }

  /** Inserts records in one transaction (durable before the caller answers); returns their counters. */
  append(stream: string, records: readonly NewRecord[], now: number): number[] {
    return this.appendAll(stream, records, now);
  }

  /** Up to `limit` retained records of a shard after counter `after`. */
  read(stream: string, shardIndex: number, after: number, retainedSince: number, limit: number): RecordRow[] {
    return this.sql.read.all(stream, shardIndex, after, retainedSince, limit) as RecordRow[];
  }

  /** `read` with each row as a RecordTuple. */
  readTuples(stream: string, shardIndex: number, after: number, retainedSince: number, limit: number): RecordTuple[] {
    return this.sql.readTuples.all(stream, shardIndex, after, retainedSince, limit) as RecordTuple[];
  }

  newest(stream: string, shardIndex: number): { seq: number; arrival_at: number } | undefined {
    return this.sql.newest.get(stream, shardIndex) as { seq: number; arrival_at: number } | undefined;
  }

  /** The counter of the first retained record at or after `since` (epoch ms), if any. */
  firstArrivedAtOrAfter(stream: string, shardIndex: number, since: number): number | undefined {
    return this.sql.firstAt.get(stream, shardIndex, 0, since) as number | undefined;
  }

  /** The highest counter handed out so far (LATEST points after it). */
  lastCounter(): number {
    return this.sql.lastCounter.get() as number;
  }

  /** Deletes up to `limit` of a shard's records that arrived before `before`; returns how many went. */
  trimSome(stream: string, shardIndex: number, before: number, limit: number): number {
    // Each minute's trim of a shard of 6,000 records read them all (1 ms); a clock advanced by a
    // day runs 1,440 trims per shard.
    const oldest = this.sql.oldestArrival.get(stream, shardIndex) as number | undefined;
    if (oldest === undefined || oldest >= before) return 0;
    return this.sql.trimSome.run(stream, shardIndex, before, limit).changes;
  }
}
