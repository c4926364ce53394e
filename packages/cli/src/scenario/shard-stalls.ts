import { binaryOrder, type TelemetryEvent } from "@lambda-sim/core";

type BatchEvent = Extract<TelemetryEvent, { type: "mapping.batch" }>;
type GivenUpEvent = Extract<TelemetryEvent, { type: "mapping.batch-given-up" }>;

/** A run of failed attempts on one lane's batch: how it began, how many, how it ended. */
interface Hold {
  from: number;
  to: number;
  attempts: number;
  /** The failed batch's last sequence number: the lane is held until a batch or a give-up passes it. */
  until?: string;
  /** Records given up while held (a bisected half, an expired prefix), and why. */
  givenUp: number;
  conditions: string[];
  /** `succeeded`, `4 record(s) given up (RecordAgeExceeded)`; undefined: still held at the end. */
  ended?: string;
}

/** One lane of a shard (ParallelizationFactor > 1: a partition-key hash slot; else the shard itself). */
interface LaneState {
  lane?: number;
  current?: Hold;
  longest?: Hold;
}

interface ShardState {
  stream: string;
  shardId: string;
  lanes: Map<number, LaneState>;
  maxIteratorAgeMs: number;
  givenUpRecords: number;
}

/**
 * The story of a stream's shards in a scenario run (newuser13 N13-4: "one bad record stalled a
 * shard for an hour" could not be read off the report): how long each shard was held by a failing
 * batch and how it ended, which batches were retries, and the greatest iterator age its batches had (AWS's
 * IteratorAge: the age of a batch's last record when it was sent), from `mapping.batch` and
 * `mapping.batch-given-up`.
 *
 * Holds are kept per lane: with ParallelizationFactor > 1 each partition-key lane of a shard runs
 * its batches in order and holds on its own failing batch while the other lanes go on (aws-facts
 * §8.2), so a healthy lane's success says nothing of the stuck one (review M5). A hold lasts until
 * the failed batch is wholly behind the checkpoint: a bisected batch's first half succeeding, or an
 * expired prefix given up, leaves the rest of it (the poison) still holding the lane (review L6).
 */
export class ShardStalls {
  private readonly shards = new Map<string, ShardState>();

  /** A stream batch's outcome; true when it was a retry (its lane's batch before it failed). */
  batch(e: BatchEvent, stream: string): boolean {
    if (e.shardId === undefined) return false;
    const s = this.shard(stream, e.shardId);
    if (e.iteratorAgeMs !== undefined) s.maxIteratorAgeMs = Math.max(s.maxIteratorAgeMs, e.iteratorAgeMs);
    // A throttled batch never ran: it neither holds the lane nor releases it.
    if (e.outcome === "throttled") return false;
    const l = this.lane(s, e.lane);
    const retry = l.current !== undefined;
    // A partial answer (ReportBatchItemFailures) leaves its failed records to retry: the lane is held as by a failure (review23 M4).
    if (e.outcome === "failed" || e.outcome === "partial") {
      l.current ??= { from: e.time, to: e.time, attempts: 0, givenUp: 0, conditions: [] };
      l.current.attempts++;
      l.current.to = e.time;
      if (e.lastSequenceNumber !== undefined && (l.current.until === undefined || compareSequenceNumbers(e.lastSequenceNumber, l.current.until) > 0)) l.current.until = e.lastSequenceNumber;
    } else {
      // A batch without a lane: the consumer runs one lane (an update set ParallelizationFactor to
      // 1), which reads every record in order, so the lanes held before it are passed as it is.
      for (const held of e.lane === undefined ? s.lanes.values() : [l]) {
        const h = held.current;
        if (h !== undefined && passes(e.lastSequenceNumber, h)) this.release(held, e.time, h.givenUp > 0 ? `succeeded after ${h.givenUp} record(s) given up (${h.conditions.join(", ")})` : "succeeded");
      }
    }
    return retry;
  }

  givenUp(e: GivenUpEvent, stream: string): void {
    const s = this.shard(stream, e.shardId);
    s.givenUpRecords += e.size;
    const l = this.lane(s, e.lane);
    // Without a lane, as for a batch: whichever lanes were held before.
    for (const held of e.lane === undefined ? s.lanes.values() : [l]) {
      const h = held.current;
      if (h === undefined || (held !== l && !passes(e.lastSequenceNumber, h))) continue;
      h.givenUp += e.size;
      if (!h.conditions.includes(e.condition)) h.conditions.push(e.condition);
      if (passes(e.lastSequenceNumber, h)) this.release(held, e.time, `${h.givenUp} record(s) given up (${h.conditions.join(", ")})`);
    }
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
   * One line per shard a failing batch held (the longest hold of its worst lane, named when the
   * shard has lanes), in stream and shard order: `clicks shardId-000000000001 lane 2: held 1 h 59
   * min from +00:00:00 to the end, 125 failed attempt(s); iterator age up to 1 h 59 min`.
   */
  lines(start: number, end: number, span: (ms: number) => string, at: (ms: number) => string, name: (stream: string) => string): string[] {
    const out: { key: string; line: string }[] = [];
    for (const s of this.shards.values()) {
      const held = [...s.lanes.values()]
        .map((l) => ({ l, h: worstHold(l, end) }))
        .filter((x): x is { l: LaneState; h: Hold } => x.h !== undefined)
        .sort((a, b) => b.h.to - b.h.from - (a.h.to - a.h.from) || (a.l.lane ?? 0) - (b.l.lane ?? 0));
      if (held.length === 0) continue;
      const { l, h } = held[0]!;
      const lane = l.lane === undefined ? "" : ` lane ${l.lane}`;
      const until = h.ended === undefined ? "to the end" : `until ${h.ended} at +${at(h.to - start)}`;
      const others = held.length > 1 ? `; ${held.length} lanes held (${held.map((x) => x.l.lane ?? 0).sort((a, b) => a - b).join(", ")})` : "";
      const given = s.givenUpRecords > 0 ? `; ${s.givenUpRecords} record(s) given up in all` : "";
      out.push({
        key: `${name(s.stream)} ${s.shardId}`,
        line: `${name(s.stream)} ${s.shardId}${lane}: held ${span(h.to - h.from)} from +${at(h.from - start)} ${until}, ${h.attempts} failed attempt(s)${others}${given}; iterator age up to ${span(s.maxIteratorAgeMs)}`,
      });
    }
    return out.sort((a, b) => binaryOrder(a.key, b.key)).map((x) => x.line);
  }

  private release(l: LaneState, time: number, how: string): void {
    const h = { ...l.current!, to: time, ended: how };
    if (l.longest === undefined || h.to - h.from >= l.longest.to - l.longest.from) l.longest = h;
    l.current = undefined;
  }

  private shard(stream: string, shardId: string): ShardState {
    const key = `${stream} ${shardId}`;
    let s = this.shards.get(key);
    if (s === undefined) this.shards.set(key, (s = { stream, shardId, lanes: new Map(), maxIteratorAgeMs: 0, givenUpRecords: 0 }));
    return s;
  }

  private lane(s: ShardState, lane: number | undefined): LaneState {
    let l = s.lanes.get(lane ?? 0);
    if (l === undefined) s.lanes.set(lane ?? 0, (l = { lane }));
    return l;
  }
}

/** A lane's longest hold, the one still open at `end` included. */
function worstHold(l: LaneState, end: number): Hold | undefined {
  const open = l.current === undefined ? undefined : { ...l.current, to: end };
  if (open === undefined) return l.longest;
  return l.longest === undefined || open.to - open.from >= l.longest.to - l.longest.from ? open : l.longest;
}

/**
 * Whether a batch (or a give-up) ending at `last` takes the held batch wholly behind the
 * checkpoint. Events without sequence numbers (a trace recorded before they were added) release
 * the hold, as they always did.
 */
function passes(last: string | undefined, h: Hold): boolean {
  return last === undefined || h.until === undefined || compareSequenceNumbers(last, h.until) >= 0;
}

/** Sequence numbers are decimal strings that grow within a shard (aws-facts §8.1): the longer is the greater. */
function compareSequenceNumbers(a: string, b: string): number {
  const digits = /^\d+$/;
  if (digits.test(a) && digits.test(b)) {
    const x = a.replace(/^0+(?=\d)/, "");
    const y = b.replace(/^0+(?=\d)/, "");
    if (x.length !== y.length) return x.length - y.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
