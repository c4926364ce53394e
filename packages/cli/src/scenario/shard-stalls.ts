import { binaryOrder, type TelemetryEvent } from "@lambda-sim/core";

type BatchEvent = Extract<TelemetryEvent, { type: "mapping.batch" }>;
type GivenUpEvent = Extract<TelemetryEvent, { type: "mapping.batch-given-up" }>;

/** A run of failed attempts on one shard's batch: how it began, how many, how it ended. */
interface Hold {
  from: number;
  to: number;
  attempts: number;
  /** `succeeded`, `4 record(s) given up (RecordAgeExceeded)`; undefined: still held at the end. */
  ended?: string;
}

interface ShardState {
  stream: string;
  shardId: string;
  current?: Hold;
  longest?: Hold;
  maxIteratorAgeMs: number;
  givenUpRecords: number;
}

/**
 * The story of a stream's shards in a scenario run (newuser13 N13-4: "one bad record stalled a
 * shard for an hour" could not be read off the report): how long each shard was held by a failing
 * batch and how it ended, which batches were retries, and the greatest iterator age its batches had (AWS's
 * IteratorAge: the age of a batch's last record when it was sent), from `mapping.batch` and
 * `mapping.batch-given-up`.
 */
export class ShardStalls {
  private readonly shards = new Map<string, ShardState>();

  /** A stream batch's outcome; true when it was a retry (the shard's batch before it failed). */
  batch(e: BatchEvent, stream: string): boolean {
    if (e.shardId === undefined) return false;
    const s = this.shard(stream, e.shardId);
    if (e.iteratorAgeMs !== undefined) s.maxIteratorAgeMs = Math.max(s.maxIteratorAgeMs, e.iteratorAgeMs);
    // A throttled batch never ran: it neither holds the shard nor releases it.
    if (e.outcome === "throttled") return false;
    const retry = s.current !== undefined;
    // A partial answer (ReportBatchItemFailures) leaves its failed records to retry: the shard is held as by a failure (review23 M4).
    if (e.outcome === "failed" || e.outcome === "partial") {
      s.current ??= { from: e.time, to: e.time, attempts: 0 };
      s.current.attempts++;
      s.current.to = e.time;
    } else if (s.current !== undefined) {
      this.release(s, e.time, "succeeded");
    }
    return retry;
  }

  givenUp(e: GivenUpEvent, stream: string): void {
    const s = this.shard(stream, e.shardId);
    s.givenUpRecords += e.size;
    if (s.current !== undefined) this.release(s, e.time, `${e.size} record(s) given up (${e.condition})`);
  }

  /** Whether any batch of the stream was sent. */
  sawBatches(stream: string): boolean {
    for (const s of this.shards.values()) if (s.stream === stream) return true;
    return false;
  }

  /** The greatest iterator age of a stream's batches, any shard, ms. */
  maxIteratorAgeMs(stream: string): number {
    let max = 0;
    for (const s of this.shards.values()) if (s.stream === stream) max = Math.max(max, s.maxIteratorAgeMs);
    return max;
  }

  /**
   * One line per shard a failing batch held (its longest hold), in stream and shard order: `clicks
   * shardId-000000000001: held 1 h 59 min from +00:00:00 to the end, 125 failed attempt(s); iterator age up to 1 h 59 min`.
   */
  lines(start: number, end: number, span: (ms: number) => string, at: (ms: number) => string, name: (stream: string) => string): string[] {
    const held = [...this.shards.values()].filter((s) => s.longest !== undefined || s.current !== undefined);
    return held
      .sort((a, b) => binaryOrder(`${name(a.stream)} ${a.shardId}`, `${name(b.stream)} ${b.shardId}`))
      .map((s) => {
        const open = s.current === undefined ? undefined : { ...s.current, to: end };
        const h = open !== undefined && (s.longest === undefined || open.to - open.from >= s.longest.to - s.longest.from) ? open : s.longest!;
        const until = h.ended === undefined ? "to the end" : `until ${h.ended} at +${at(h.to - start)}`;
        const given = s.givenUpRecords > 0 ? `; ${s.givenUpRecords} record(s) given up in all` : "";
        return `${name(s.stream)} ${s.shardId}: held ${span(h.to - h.from)} from +${at(h.from - start)} ${until}, ${h.attempts} failed attempt(s)${given}; iterator age up to ${span(s.maxIteratorAgeMs)}`;
      });
  }

  private release(s: ShardState, time: number, how: string): void {
    const h = { ...s.current!, to: time, ended: how };
    if (s.longest === undefined || h.to - h.from >= s.longest.to - s.longest.from) s.longest = h;
    s.current = undefined;
  }

  private shard(stream: string, shardId: string): ShardState {
    const key = `${stream} ${shardId}`;
    let s = this.shards.get(key);
    if (s === undefined) this.shards.set(key, (s = { stream, shardId, maxIteratorAgeMs: 0, givenUpRecords: 0 }));
    return s;
  }
}
