import { BatchInsert, stopwatch, type Store } from "@lambda-sim/core";

/** Our choice: 64 MiB of messages per log group (the `logs.maxBytesPerGroup` default). */
export const DEFAULT_MAX_BYTES_PER_GROUP = 64 * 1024 * 1024;

export interface LogEventRow {
  seq: number;
  grp: string;
  stream: string;
  timestamp: number;
  ingested_at: number;
  message: string;
}

export interface LogGroupRow {
  name: string;
  created_at: number;
  stored_bytes: number;
  /** What CreateLogGroup and PutRetentionPolicy set (log-group-settings.ts); NULL: never expire. */
  retention_in_days: number | null;
  kms_key_id: string | null;
  log_group_class: string;
  deletion_protection: number;
  /** JSON object of the group's tags. */
  tags: string;
}

export interface LogStreamRow {
  grp: string;
  name: string;
  created_at: number;
  first_event_at: number | null;
  last_event_at: number | null;
  last_ingestion_at: number | null;
  stored_bytes: number;
}

/**
 * Pending events written at once, whatever the event loop does: it bounds memory under a flood and
 * the time one transaction holds the event loop (1,000 events held it some 5 ms while invocations
 * waited, the tail of the 8-caller latency; 256 keep the commits as rare as a few dozen a second).
 */
const FLUSH_EVENTS = 256;
/**
 * ... and pending bytes: events are up to 256 KB each (a long line), so 256 of them could hold 64
 * MB; a function flooding its output is written out a mebibyte at a time (our choice).
 */
const FLUSH_BYTES = 1024 * 1024;
/**
 * Wall ms pending events wait for their transaction. One commit per invocation cost the invoke
 * hot path about 0.35 ms (bench/invoke); CloudWatch Logs itself shows events seconds after they
 * are logged, and every read here flushes first, so no reader sees the delay.
 */
const FLUSH_MS = 100;

export interface NewLogEvent {
  group: string;
  stream: string;
  timestamp: number;
  message: string;
}

/** Events a read may walk: the time window and where a token left off. */
export interface EventRange {
  startTime?: number;
  endTime?: number;
  /** Exclusive bounds on seq. */
  afterSeq?: number;
  beforeSeq?: number;
}

/**
 * The CloudWatch Logs tables. Writes arrive one function.log chunk at a time on the invocation's
 * hot path, so they are buffered and written in one transaction every FLUSH_MS; every
 * read flushes first, so a reader always sees what was logged before it asked. Each group keeps at
 * most `maxEventsPerGroup` events and `maxBytesPerGroup` of messages (characters: a bound, not a
 * byte count), the oldest dropped first (retention bounded on disk; a large cap is enforced in steps
 * of a tenth of it, so a group may briefly hold up to 10% more).
 */
export class LogStore {
  private readonly store: Store;
  private readonly s;
  private readonly flushAll: (events: NewLogEvent[]) => void;
  private pending: NewLogEvent[] = [];
  private pendingBytes = 0;
  private timer: { cancel(): void } | undefined;
  private readonly maxEventsPerGroup: number;
  private readonly maxBytesPerGroup: number;
  /** Events per group id, counted once per group then kept up to date. */
  private readonly counts = new Map<number, number>();
  /** Message characters per group id, likewise. */
  private readonly sizes = new Map<number, number>();
  /** Row ids of the streams written to, by group and stream name. */
  private readonly known = new Map<string, Map<string, { groupId: number; streamId: number }>>();

  /** Service time (the Clock), for retention. */
  private readonly now: () => number;

  constructor(store: Store, maxEventsPerGroup: number, maxBytesPerGroup = DEFAULT_MAX_BYTES_PER_GROUP, now: () => number = () => 0) {
    this.store = store;
    this.now = now;
    this.maxEventsPerGroup = maxEventsPerGroup;
    this.maxBytesPerGroup = maxBytesPerGroup;
    const db = store.db;
    const streamBytes = "COALESCE((SELECT SUM(LENGTH(message)) FROM logs_events e WHERE e.stream_id = s.id), 0)";
    this.s = {
      groupId: db.prepare("SELECT id FROM logs_groups WHERE name = ?").pluck(),
      insertGroup: db.prepare("INSERT INTO logs_groups (name, created_at) VALUES (?, ?)"),
      streamId: db.prepare("SELECT id FROM logs_streams WHERE group_id = ? AND name = ?").pluck(),
      insertStream: db.prepare("INSERT INTO logs_streams (group_id, name, created_at) VALUES (?, ?, ?)"),
      touchStream: db.prepare(
        "UPDATE logs_streams SET first_event_at = COALESCE(first_event_at, @first), last_event_at = MAX(COALESCE(last_event_at, 0), @last), last_ingestion_at = @last WHERE id = @id",
      ),
      count: db.prepare("SELECT COUNT(*) FROM logs_events WHERE group_id = ?").pluck(),
      size: db.prepare("SELECT COALESCE(SUM(LENGTH(message)), 0) FROM logs_events WHERE group_id = ?").pluck(),
      // The newest event of the oldest run of events holding `over` characters: it and all before it go.
      sizeCut: db.prepare(
        "SELECT seq, n, run FROM (SELECT seq, ROW_NUMBER() OVER (ORDER BY seq) AS n, SUM(LENGTH(message)) OVER (ORDER BY seq) AS run FROM logs_events WHERE group_id = @g) WHERE run >= @over ORDER BY seq LIMIT 1",
      ),
      trimTo: db.prepare("DELETE FROM logs_events WHERE group_id = @g AND seq <= @seq"),
      // The oldest `n` events of a group: a range of its index, deleted in one statement.
      trim: db.prepare("DELETE FROM logs_events WHERE group_id = @g AND seq <= (SELECT seq FROM logs_events WHERE group_id = @g ORDER BY seq LIMIT 1 OFFSET @n - 1)"),
      groups: db.prepare(
        "SELECT g.*, COALESCE((SELECT SUM(LENGTH(message)) FROM logs_events e WHERE e.group_id = g.id), 0) AS stored_bytes FROM logs_groups g WHERE g.name >= ? ORDER BY g.name",
      ),
      group: db.prepare("SELECT *, 0 AS stored_bytes FROM logs_groups WHERE name = ?"),
      retained: db.prepare("SELECT id, retention_in_days FROM logs_groups WHERE retention_in_days IS NOT NULL"),
      expire: db.prepare("DELETE FROM logs_events WHERE group_id = ? AND timestamp < ?"),
      streams: db.prepare(`SELECT s.*, g.name AS grp, ${streamBytes} AS stored_bytes FROM logs_streams s JOIN logs_groups g ON g.id = s.group_id WHERE g.name = ?`),
      stream: db.prepare("SELECT s.*, g.name AS grp, 0 AS stored_bytes FROM logs_streams s JOIN logs_groups g ON g.id = s.group_id WHERE g.name = ? AND s.name = ?"),
      deleteGroupEvents: db.prepare("DELETE FROM logs_events WHERE group_id = ?"),
      deleteGroupStreams: db.prepare("DELETE FROM logs_streams WHERE group_id = ?"),
      deleteGroup: db.prepare("DELETE FROM logs_groups WHERE id = ?"),
    };
    const insert = new BatchInsert(db, "logs_events", ["group_id", "stream_id", "timestamp", "message"], 64);
    this.flushAll = store.writer((events: NewLogEvent[]) => {
      const touched = new Map<number, number>();
      const grown = new Map<number, number>();
      const streams = new Map<number, { first: number; last: number }>();
      const ids = events.map((e) => this.ids(e));
      for (const [i, e] of events.entries()) {
        const { groupId, streamId } = ids[i]!;
        const s = streams.get(streamId);
        if (s === undefined) streams.set(streamId, { first: e.timestamp, last: e.timestamp });
        else if (e.timestamp > s.last) s.last = e.timestamp;
        touched.set(groupId, (touched.get(groupId) ?? 0) + 1);
        grown.set(groupId, (grown.get(groupId) ?? 0) + e.message.length);
      }
      insert.run(events.length, (i, into) => into.push(ids[i]!.groupId, ids[i]!.streamId, events[i]!.timestamp, events[i]!.message));
      for (const [id, s] of streams) this.s.touchStream.run({ id, first: s.first, last: s.last });
      for (const [groupId, added] of touched) {
        const n = (this.counts.get(groupId) ?? (this.s.count.get(groupId) as number) - added) + added;
        // Trimmed in steps of a tenth of the cap (at least 100 events): one range delete per step.
        const over = n - this.maxEventsPerGroup;
        if (over >= Math.max(100, Math.ceil(this.maxEventsPerGroup / 10)) || (over > 0 && this.maxEventsPerGroup < 1000)) {
          this.s.trim.run({ g: groupId, n: over });
          this.counts.set(groupId, this.maxEventsPerGroup);
        } else this.counts.set(groupId, n);
        this.trimBytes(groupId, grown.get(groupId)!);
      }
    });
  }

  /** The byte cap, as the event cap: in steps of a tenth of it. Runs inside the flush's transaction. */
  private trimBytes(groupId: number, added: number): void {
    const size = (this.sizes.get(groupId) ?? (this.s.size.get(groupId) as number) - added) + added;
    // Counted before this flush's trim by events: what that removed is found again below.
    const over = size - this.maxBytesPerGroup;
    if (over < Math.ceil(this.maxBytesPerGroup / 10)) {
      this.sizes.set(groupId, size);
      return;
    }
    const exact = this.s.size.get(groupId) as number;
    const excess = exact - this.maxBytesPerGroup;
    if (excess <= 0) {
      this.sizes.set(groupId, exact);
      return;
    }
    const cut = this.s.sizeCut.get({ g: groupId, over: excess }) as { seq: number; n: number; run: number } | undefined;
    if (cut === undefined) return void this.sizes.set(groupId, exact);
    this.s.trimTo.run({ g: groupId, seq: cut.seq });
    this.sizes.set(groupId, exact - cut.run);
    const count = this.counts.get(groupId);
    if (count !== undefined) this.counts.set(groupId, Math.max(0, count - cut.n));
  }

  /** The group's and stream's row ids, created on their first event (as Lambda's first log line does). */
  private ids(e: NewLogEvent): { groupId: number; streamId: number } {
    let streams = this.known.get(e.group);
    const known = streams?.get(e.stream);
    if (known !== undefined) return known;
    let groupId = this.s.groupId.get(e.group) as number | undefined;
    if (groupId === undefined) groupId = Number(this.s.insertGroup.run(e.group, e.timestamp).lastInsertRowid);
    let streamId = this.s.streamId.get(groupId, e.stream) as number | undefined;
    if (streamId === undefined) streamId = Number(this.s.insertStream.run(groupId, e.stream, e.timestamp).lastInsertRowid);
    const ids = { groupId, streamId };
    if (streams === undefined) this.known.set(e.group, (streams = new Map()));
    streams.set(e.stream, ids);
    return ids;
  }

  append(event: NewLogEvent): void {
    this.pending.push(event);
    // UTF-16 units: a bound, not a count of bytes.
    this.pendingBytes += event.message.length;
    if (this.pending.length >= FLUSH_EVENTS || this.pendingBytes >= FLUSH_BYTES) this.flush();
    else if (this.timer === undefined) this.timer = stopwatch.after(FLUSH_MS, () => this.flush());
  }

  flush(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.flushAll(events);
  }

  /**
   * Before every read: what was logged is written, and what its group's retention no longer keeps
   * is gone. AWS deletes expired events "up to 72 hours" after they expire (PutRetentionPolicy);
   * here they go at the first read past their expiry, on service time (chosen: the earliest AWS allows).
   */
  private read(): void {
    this.flush();
    const groups = this.s.retained.all() as { id: number; retention_in_days: number }[];
    if (groups.length === 0) return;
    const now = this.now();
    this.store.transaction(() => {
      for (const g of groups) {
        if (this.s.expire.run(g.id, now - g.retention_in_days * 86_400_000).changes === 0) continue;
        // Counted again at the next flush.
        this.counts.delete(g.id);
        this.sizes.delete(g.id);
      }
    });
  }

  groups(fromName: string): LogGroupRow[] {
    this.read();
    return this.s.groups.all(fromName) as LogGroupRow[];
  }

  group(name: string): LogGroupRow | undefined {
    this.read();
    return this.s.group.get(name) as LogGroupRow | undefined;
  }

  streams(group: string): LogStreamRow[] {
    this.read();
    return this.s.streams.all(group) as LogStreamRow[];
  }

  stream(group: string, name: string): LogStreamRow | undefined {
    this.read();
    return this.s.stream.get(group, name) as LogStreamRow | undefined;
  }

  /** Events of a group (or of some of its streams), in seq order or its reverse, at most `limit`. */
  events(group: string, streams: string[] | undefined, range: EventRange, limit: number, descending = false): LogEventRow[] {
    this.read();
    const groupId = this.s.groupId.get(group) as number | undefined;
    if (groupId === undefined) return [];
    const where = ["e.group_id = ?"];
    const args: unknown[] = [groupId];
    if (streams !== undefined) {
      where.push(`e.stream_id IN (SELECT id FROM logs_streams WHERE group_id = ? AND name IN (${streams.map(() => "?").join(", ")}))`);
      args.push(groupId, ...streams);
    }
    if (range.startTime !== undefined) (where.push("e.timestamp >= ?"), args.push(range.startTime));
    if (range.endTime !== undefined) (where.push("e.timestamp <= ?"), args.push(range.endTime));
    if (range.afterSeq !== undefined) (where.push("e.seq > ?"), args.push(range.afterSeq));
    if (range.beforeSeq !== undefined) (where.push("e.seq < ?"), args.push(range.beforeSeq));
    const sql =
      "SELECT e.seq, ? AS grp, s.name AS stream, e.timestamp, e.timestamp AS ingested_at, e.message FROM logs_events e JOIN logs_streams s ON s.id = e.stream_id " +
      `WHERE ${where.join(" AND ")} ORDER BY e.seq ${descending ? "DESC" : "ASC"} LIMIT ?`;
    return this.store.db.prepare(sql).all(group, ...args, limit) as LogEventRow[];
  }

  deleteGroup(name: string): boolean {
    this.flush();
    const groupId = this.s.groupId.get(name) as number | undefined;
    if (groupId === undefined) return false;
    this.store.transaction(() => {
      this.s.deleteGroupEvents.run(groupId);
      this.s.deleteGroupStreams.run(groupId);
      this.s.deleteGroup.run(groupId);
    });
    this.counts.delete(groupId);
    this.sizes.delete(groupId);
    this.known.delete(name);
    return true;
  }
}
