import { binaryOrder, type TelemetryEvent } from "@lambda-sim/core";
import { compareSequenceNumbers, laneCountOf, passesHeld } from "../dashboard/page/shard-consumers.js";

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
  /** How many lanes the shard ran when this one was (known, > 1). */
  of?: number;
  current?: Hold;
  longest?: Hold;
}

interface ShardState {
  stream: string;
  shardId: string;
  /** The lanes of the lane count the shard runs now (`count`: laneCountOf), and those of earlier counts. */
  lanes: Map<number, LaneState>;
  count?: number;
  past: LaneState[];
  /** The known counts > 1 it ran: when several, a lane is named with its count (`lane 3 of 4`). */
  counts: Set<number>;
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
 * The dashboard's shard consumers (shard-consumers.js) hold a lane by the same rule (review37 #12).
 * An update that changes the lane count (ParallelizationFactor) deals the keys to lanes anew: the
 * holds end there, unless the shard now runs one lane, whose batches pass them in order (review37 #7).
 */
export class ShardStalls {
  private readonly shards = new Map<string, ShardState>();

  /** A stream batch's outcome; true when it was a retry (its lane's batch before it failed). */
  batch(e: BatchEvent, stream: string): boolean {
    if (e.shardId === undefined) return false;
    const s = this.shard(stream, e.shardId);
    if (e.iteratorAgeMs !== undefined) s.maxIteratorAgeMs = Math.max(s.maxIteratorAgeMs, e.iteratorAgeMs);
    this.regroup(s, e);
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
      // A batch without a lane: the consumer runs one lane, which reads every record in order, so
      // the lanes held before an update set ParallelizationFactor to 1 are passed as it is.
      for (const held of e.lane === undefined ? [l, ...s.past] : [l]) {
        const h = held.current;
        if (h !== undefined && passesHeld(e.lastSequenceNumber, h.until)) this.release(held, e.time, h.givenUp > 0 ? `succeeded after ${h.givenUp} record(s) given up (${h.conditions.join(", ")})` : "succeeded");
      }
    }
    return retry;
  }

  givenUp(e: GivenUpEvent, stream: string): void {
    const s = this.shard(stream, e.shardId);
    s.givenUpRecords += e.size;
    this.regroup(s, e);
    const l = this.lane(s, e.lane);
    // Without a lane, as for a batch: the lanes held before the shard ran one.
    for (const held of e.lane === undefined ? [l, ...s.past] : [l]) {
      const h = held.current;
      if (h === undefined || (held !== l && !passesHeld(e.lastSequenceNumber, h.until))) continue;
      h.givenUp += e.size;
      if (!h.conditions.includes(e.condition)) h.conditions.push(e.condition);
      if (passesHeld(e.lastSequenceNumber, h.until)) this.release(held, e.time, `${h.givenUp} record(s) given up (${h.conditions.join(", ")})`);
    }
  }

  /** Whether a failing batch holds a lane of one of the stream's shards now (the dashboard marks that shard `retrying`). */
  heldNow(stream: string): boolean {
    for (const s of this.shards.values()) if (s.stream === stream && [...s.past, ...s.lanes.values()].some((l) => l.current !== undefined)) return true;
    return false;
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
      const held = [...s.past, ...s.lanes.values()]
        .map((l) => ({ l, h: worstHold(l, end) }))
        .filter((x): x is { l: LaneState; h: Hold } => x.h !== undefined)
        .sort((a, b) => b.h.to - b.h.from - (a.h.to - a.h.from) || (a.l.lane ?? 0) - (b.l.lane ?? 0));
      if (held.length === 0) continue;
      const { l, h } = held[0]!;
      const laneName = (x: LaneState) => `${x.lane ?? 0}${s.counts.size > 1 && x.of !== undefined ? ` of ${x.of}` : ""}`;
      const lane = l.lane === undefined ? "" : ` lane ${laneName(l)}`;
      const until = h.ended === undefined ? "to the end" : `until ${h.ended} at +${at(h.to - start)}`;
      const lanes = held.map((x) => x.l).sort((a, b) => (a.lane ?? 0) - (b.lane ?? 0) || (a.of ?? 0) - (b.of ?? 0));
      const others = held.length > 1 ? `; ${held.length} lanes held (${lanes.map(laneName).join(", ")})` : "";
      const given = s.givenUpRecords > 0 ? `; ${s.givenUpRecords} record(s) given up in all` : "";
      out.push({
        key: `${name(s.stream)} ${s.shardId}`,
        line: `${name(s.stream)} ${s.shardId}${lane}: held ${span(h.to - h.from)} from +${at(h.from - start)} ${until}, ${h.attempts} failed attempt(s)${others}${given}; iterator age up to ${span(s.maxIteratorAgeMs)}`,
      });
    }
    return out.sort((a, b) => binaryOrder(a.key, b.key)).map((x) => x.line);
  }

  /**
   * Starts the shard's lanes afresh when an event's lane count differs from the last one's: the old
   * lanes keep their holds (passed by the one lane's batches, or ended now when it runs several).
   */
  private regroup(s: ShardState, e: BatchEvent | GivenUpEvent): void {
    const count = laneCountOf(e);
    if (count > 1) s.counts.add(count);
    const from = s.count;
    s.count = count;
    if (from === undefined || from === count) return;
    s.past.push(...s.lanes.values());
    s.lanes = new Map();
    if (count === 1) return;
    const change = from > 0 && count > 0 ? ` (${from} → ${count})` : "";
    for (const l of s.past) if (l.current !== undefined) this.release(l, e.time, `an update regrouped the lanes${change}`);
  }

  private release(l: LaneState, time: number, how: string): void {
    const h = { ...l.current!, to: time, ended: how };
    if (l.longest === undefined || h.to - h.from >= l.longest.to - l.longest.from) l.longest = h;
    l.current = undefined;
  }

  private shard(stream: string, shardId: string): ShardState {
    const key = `${stream} ${shardId}`;
    let s = this.shards.get(key);
    if (s === undefined) this.shards.set(key, (s = { stream, shardId, lanes: new Map(), past: [], counts: new Set(), maxIteratorAgeMs: 0, givenUpRecords: 0 }));
    return s;
  }

  private lane(s: ShardState, lane: number | undefined): LaneState {
    let l = s.lanes.get(lane ?? 0);
    if (l === undefined) s.lanes.set(lane ?? 0, (l = { lane, of: s.count !== undefined && s.count > 1 ? s.count : undefined }));
    return l;
  }
}

/** A lane's longest hold, the one still open at `end` included. */
function worstHold(l: LaneState, end: number): Hold | undefined {
  const open = l.current === undefined ? undefined : { ...l.current, to: end };
  if (open === undefined) return l.longest;
  return l.longest === undefined || open.to - open.from >= l.longest.to - l.longest.from ? open : l.longest;
}
