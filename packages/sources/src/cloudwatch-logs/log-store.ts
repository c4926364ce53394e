import type { Store } from "@lambda-sim/core";

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
 * hot path, so they are buffered and written in one transaction per turn of the event loop; every
 * read flushes first, so a reader always sees what was logged before it asked. Each group keeps at
 * most `maxEventsPerGroup` events, the oldest dropped first (retention bounded on disk).
 */
export class LogStore {
  private readonly store: Store;
  private readonly s;
  private readonly flushAll: (events: NewLogEvent[]) => void;
  private pending: NewLogEvent[] = [];
  private scheduled = false;
  private readonly maxEventsPerGroup: number;
  /** Events per group, counted once per group then kept up to date. */
  private readonly counts = new Map<string, number>();
  /** Streams known to exist (group NUL stream): their rows are not re-inserted for each event. */
  private readonly known = new Set<string>();

  constructor(store: Store, maxEventsPerGroup: number) {
    this.store = store;
    this.maxEventsPerGroup = maxEventsPerGroup;
    const db = store.db;
    this.s = {
      ensureGroup: db.prepare("INSERT OR IGNORE INTO logs_groups (name, created_at) VALUES (?, ?)"),
      ensureStream: db.prepare("INSERT OR IGNORE INTO logs_streams (grp, name, created_at) VALUES (?, ?, ?)"),
      touchStream: db.prepare(
        "UPDATE logs_streams SET first_event_at = COALESCE(first_event_at, @first), last_event_at = MAX(COALESCE(last_event_at, 0), @t), last_ingestion_at = @t WHERE grp = @grp AND name = @stream",
      ),
      insert: db.prepare("INSERT INTO logs_events (grp, stream, timestamp, ingested_at, message) VALUES (@group, @stream, @timestamp, @timestamp, @message)"),
      count: db.prepare("SELECT COUNT(*) AS n FROM logs_events WHERE grp = ?"),
      trim: db.prepare("DELETE FROM logs_events WHERE seq IN (SELECT seq FROM logs_events WHERE grp = ? ORDER BY seq LIMIT ?)"),
      groups: db.prepare(
        "SELECT g.name, g.created_at, COALESCE((SELECT SUM(LENGTH(message)) FROM logs_events e WHERE e.grp = g.name), 0) AS stored_bytes FROM logs_groups g WHERE g.name >= ? ORDER BY g.name",
      ),
      group: db.prepare("SELECT name, created_at, 0 AS stored_bytes FROM logs_groups WHERE name = ?"),
      streams: db.prepare(
        "SELECT s.*, COALESCE((SELECT SUM(LENGTH(message)) FROM logs_events e WHERE e.grp = s.grp AND e.stream = s.name), 0) AS stored_bytes FROM logs_streams s WHERE s.grp = ?",
      ),
      stream: db.prepare("SELECT *, 0 AS stored_bytes FROM logs_streams WHERE grp = ? AND name = ?"),
      deleteGroup: db.prepare("DELETE FROM logs_groups WHERE name = ?"),
      deleteGroupEvents: db.prepare("DELETE FROM logs_events WHERE grp = ?"),
    };
    this.flushAll = db.transaction((events: NewLogEvent[]) => {
      const touched = new Map<string, number>();
      const streams = new Map<string, { group: string; stream: string; first: number; last: number }>();
      for (const e of events) {
        const key = `${e.group}\u0000${e.stream}`;
        let s = streams.get(key);
        if (s === undefined) {
          if (!this.known.has(key)) {
            this.s.ensureGroup.run(e.group, e.timestamp);
            this.s.ensureStream.run(e.group, e.stream, e.timestamp);
            this.known.add(key);
          }
          streams.set(key, (s = { group: e.group, stream: e.stream, first: e.timestamp, last: e.timestamp }));
        }
        if (e.timestamp > s.last) s.last = e.timestamp;
        this.s.insert.run(e);
        touched.set(e.group, (touched.get(e.group) ?? 0) + 1);
      }
      for (const s of streams.values()) this.s.touchStream.run({ first: s.first, t: s.last, grp: s.group, stream: s.stream });
      for (const [group, added] of touched) {
        const n = (this.counts.get(group) ?? (this.s.count.get(group) as { n: number }).n - added) + added;
        const over = n - this.maxEventsPerGroup;
        if (over > 0) this.s.trim.run(group, over);
        this.counts.set(group, Math.min(n, this.maxEventsPerGroup));
      }
    });
  }

  append(event: NewLogEvent): void {
    this.pending.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    // One transaction per turn of the event loop, not one per line (not a timer: no time passes).
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    this.flushAll(events);
  }

  groups(fromName: string): LogGroupRow[] {
    this.flush();
    return this.s.groups.all(fromName) as LogGroupRow[];
  }

  group(name: string): LogGroupRow | undefined {
    this.flush();
    return this.s.group.get(name) as LogGroupRow | undefined;
  }

  streams(group: string): LogStreamRow[] {
    this.flush();
    return this.s.streams.all(group) as LogStreamRow[];
  }

  stream(group: string, name: string): LogStreamRow | undefined {
    this.flush();
    return this.s.stream.get(group, name) as LogStreamRow | undefined;
  }

  /** Events of a group (or of some of its streams), in seq order or its reverse, at most `limit`. */
  events(group: string, streams: string[] | undefined, range: EventRange, limit: number, descending = false): LogEventRow[] {
    this.flush();
    const where = ["grp = ?"];
    const args: unknown[] = [group];
    if (streams !== undefined) {
      where.push(`stream IN (${streams.map(() => "?").join(", ")})`);
      args.push(...streams);
    }
    if (range.startTime !== undefined) (where.push("timestamp >= ?"), args.push(range.startTime));
    if (range.endTime !== undefined) (where.push("timestamp <= ?"), args.push(range.endTime));
    if (range.afterSeq !== undefined) (where.push("seq > ?"), args.push(range.afterSeq));
    if (range.beforeSeq !== undefined) (where.push("seq < ?"), args.push(range.beforeSeq));
    const sql = `SELECT * FROM logs_events WHERE ${where.join(" AND ")} ORDER BY seq ${descending ? "DESC" : "ASC"} LIMIT ?`;
    return this.store.db.prepare(sql).all(...args, limit) as LogEventRow[];
  }

  deleteGroup(name: string): boolean {
    this.flush();
    return this.store.transaction(() => {
      this.s.deleteGroupEvents.run(name);
      this.counts.delete(name);
      for (const k of this.known) if (k.startsWith(`${name}\u0000`)) this.known.delete(k);
      return this.s.deleteGroup.run(name).changes > 0;
    });
  }
}
