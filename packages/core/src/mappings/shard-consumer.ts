import { whileHeld, type Clock } from "../clock/clock.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import type { Checkpoint, CheckpointStore } from "./checkpoint-store.ts";
import type { StreamBatchRunner } from "./stream-batch-runner.ts";
import { extendSpan, laneOf, type BatchLane, type RecordSpan } from "./stream-batches.ts";
import type { StartingPosition, StreamReader, StreamRecord } from "./stream-reader.ts";

export interface ShardConsumerSettings {
  uuid: string;
  functionName: string;
  shardId: string;
  batchSize: number;
  batchWindowMs: number;
  parallelizationFactor: number;
  startingPosition: StartingPosition;
  startingPositionTimestamp?: number;
  /** 0: no tumbling window. */
  tumblingWindowMs: number;
  /** FilterCriteria: records it rejects are skipped, and the checkpoint passes them (aws-facts §8.2). */
  filter?: (r: StreamRecord) => boolean;
}

/**
 * AWS polls each shard about once a second (ADG23). Here a new record wakes an idle shard's poll at
 * once (StreamReader.wait), so its timer is only a backstop: once a minute changes nothing a user
 * sees, where once a second cost 86,400 timers per shard for each day of virtual time moved.
 */
const IDLE_POLL_BACKSTOP_MS = 60_000;
const POLL_ERROR_BACKOFF_MS = 10_000;
/** A batch is also cut at the 6 MB synchronous invoke limit (aws-facts §8.2). */
const MAX_BATCH_BYTES = 6 * 1024 * 1024 - 64 * 1024;
const RECORD_OVERHEAD_BYTES = 512;
/**
 * Records read but not yet behind the checkpoint. With ParallelizationFactor > 1 a lane blocked on
 * a failing batch holds the checkpoint while the other lanes go on; this bounds how far they run ahead.
 */
const MAX_PENDING = 100_000;

/** A promise a producer resolves; waiters re-check their condition when it fires. */
class Signal {
  private waiters: (() => void)[] = [];
  /** The abort signal it listens to: once, not once per wait (an EventTarget listener costs per wait). */
  private hooked: AbortSignal | undefined;
  wait(clock: Clock, ms: number | undefined, abort: AbortSignal): Promise<void> {
    if (abort.aborted) return Promise.resolve();
    if (this.hooked !== abort) {
      this.hooked = abort;
      abort.addEventListener("abort", () => this.fire(), { once: true });
    }
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : clock.setTimer(Math.max(0, ms), () => done(), "esm.stream.wait");
      const done = () => {
        timer?.cancel();
        resolve();
      };
      this.waiters.push(done);
    });
  }
  fire(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}

interface Lane {
  queue: StreamRecord[];
  /** Each queued record's position in the shard's pending records (absolute: see `dropped`). */
  at: number[];
  since: number;
  work: Signal;
}

/**
 * One shard of a stream event source mapping (aws-facts §8.2). It reads the shard in order from
 * its checkpoint and deals the records to ParallelizationFactor lanes by partition key, so each
 * key keeps its order while up to that many batches run at once. The checkpoint moves only past
 * records that are all done (the lowest unfinished record holds it back), and is saved durably.
 * Tumbling windows use one lane, the window's state carried between invocations.
 */
export class ShardConsumer {
  private readonly s: ShardConsumerSettings;
  private readonly reader: StreamReader;
  private readonly runner: StreamBatchRunner;
  private readonly checkpoints: CheckpointStore;
  private readonly clock: Clock;
  private readonly telemetry: Telemetry;
  /**
   * Records read and not yet behind the checkpoint, in shard order from `head`: their sequence
   * numbers, and the records themselves until they are done (null then, or when filtered out).
   * Positions are absolute: `dropped` entries before these were let go.
   */
  private seqs: string[] = [];
  private live: (StreamRecord | null)[] = [];
  private head = 0;
  private dropped = 0;
  /** Records dealt to lanes and not done: the read-ahead bound counts these. */
  private undone = 0;
  private checkpoint: string | undefined;
  private window: { start: number; state: unknown; records?: RecordSpan } | undefined;
  private readonly space = new Signal();

  constructor(settings: ShardConsumerSettings, reader: StreamReader, runner: StreamBatchRunner, checkpoints: CheckpointStore, clock: Clock, telemetry: Telemetry) {
    this.s = settings;
    this.reader = reader;
    this.runner = runner;
    this.checkpoints = checkpoints;
    this.clock = clock;
    this.telemetry = telemetry;
  }

  /**
   * The shard's checkpoint, fixing the starting position the first time: LATEST then means "after
   * what the shard held when the mapping started", across restarts too.
   */
  static startingCheckpoint(s: ShardConsumerSettings, reader: StreamReader, checkpoints: CheckpointStore, now: number): Checkpoint {
    let cp = checkpoints.get(s.uuid, s.shardId);
    if (cp === undefined) {
      cp = { sequenceNumber: reader.startAt(s.shardId, s.startingPosition, s.startingPositionTimestamp) };
      checkpoints.save(s.uuid, s.shardId, cp, now);
    }
    return cp;
  }

  async run(signal: AbortSignal): Promise<void> {
    const cp = ShardConsumer.startingCheckpoint(this.s, this.reader, this.checkpoints, this.clock.now());
    this.checkpoint = cp.sequenceNumber;
    this.window = cp.window;
    const count = this.s.tumblingWindowMs > 0 ? 1 : this.s.parallelizationFactor;
    const lanes: Lane[] = Array.from({ length: count }, () => ({ queue: [], at: [], since: 0, work: new Signal() }));
    // A lane's index, and how many, go on its batches' telemetry when there are several (the stall story is per lane).
    const running = lanes.map((lane, i) => this.lane(lane, count > 1 ? { index: i, count } : undefined, signal));
    await this.fill(lanes, signal);
    for (const lane of lanes) lane.work.fire();
    await Promise.allSettled(running);
  }

  /** Reads ahead of the lanes, up to a bound, and wakes the lanes that got records. */
  private async fill(lanes: Lane[], signal: AbortSignal): Promise<void> {
    // How far healthy lanes run ahead of a blocked one: our choice, AWS does not publish it (README, Kinesis mappings).
    const cap = Math.max(this.s.batchSize, Math.min(this.s.batchSize * lanes.length * 2, 50_000));
    let cursor = this.checkpoint;
    while (!signal.aborted) {
      const room = Math.min(cap - this.undone, MAX_PENDING - (this.live.length - this.head));
      if (room <= 0) {
        await this.space.wait(this.clock, undefined, signal);
        // The lanes hand their next batches (already read) to the function first; reading on
        // overlaps with those invocations instead of standing between one batch and the next.
        // Held: the records are read at the instant space was made, not at whatever timer a
        // VirtualClock with no invocation holding it (a lane sleeping before a retry) jumps to.
        await whileHeld(this.clock, `esm.stream.read-ahead:${this.s.shardId}`, () => new Promise<void>((resolve) => setImmediate(resolve)));
        continue;
      }
      let records: StreamRecord[];
      try {
        records = this.reader.read(this.s.shardId, cursor, Math.min(room, 10_000));
      } catch (e) {
        this.telemetry.emit({ type: "simulator.warning", message: `event source mapping for ${this.s.functionName}: ${(e as Error).message}` });
        // Unref: a failing source's retries would keep run-until-idle going forever.
        await this.clock.sleep(POLL_ERROR_BACKOFF_MS, signal, { unref: true }).catch(() => {});
        continue;
      }
      if (records.length === 0) {
        await this.reader.wait(this.s.shardId, IDLE_POLL_BACKSTOP_MS, signal);
        continue;
      }
      cursor = records.at(-1)!.sequenceNumber;
      const now = this.clock.now();
      const woken = new Set<Lane>();
      for (const r of records) {
        const at = this.dropped + this.live.length;
        this.seqs.push(r.sequenceNumber);
        if (this.s.filter !== undefined && !this.s.filter(r)) {
          this.live.push(null);
          continue;
        }
        this.live.push(r);
        this.undone++;
        r.eventJson ??= JSON.stringify(r.event);
        const lane = lanes[laneOf(r.partitionKey, lanes.length)]!;
        if (lane.queue.length === 0) lane.since = now;
        lane.queue.push(r);
        lane.at.push(at);
        woken.add(lane);
      }
      this.advance();
      for (const lane of woken) lane.work.fire();
    }
  }

  private async lane(lane: Lane, index: BatchLane | undefined, signal: AbortSignal): Promise<void> {
    const W = this.s.tumblingWindowMs;
    while (!signal.aborted) {
      const now = this.clock.now();
      if (lane.queue.length === 0) {
        if (this.window !== undefined && now >= this.window.start + W) {
          if ((await this.closeWindow(signal)) === "aborted") return;
          continue;
        }
        await lane.work.wait(this.clock, this.window === undefined ? undefined : this.window.start + W - now, signal);
        continue;
      }
      if (lane.queue.length < this.s.batchSize && this.s.batchWindowMs > 0 && now < lane.since + this.s.batchWindowMs) {
        await lane.work.wait(this.clock, lane.since + this.s.batchWindowMs - now, signal);
        continue;
      }
      let windowStart: number | undefined;
      if (W > 0) {
        windowStart = Math.floor(lane.queue[0]!.arrivalMs / W) * W;
        if (this.window !== undefined && this.window.start !== windowStart) {
          // The open window has no more records: its final invocation comes first.
          if ((await this.closeWindow(signal)) === "aborted") return;
          continue;
        }
        this.window ??= { start: windowStart, state: {} };
      }
      const { batch, at } = this.take(lane, windowStart === undefined ? undefined : windowStart + W);
      lane.since = this.clock.now();
      const window = this.window === undefined ? undefined : { shardId: this.s.shardId, start: this.window.start, end: this.window.start + W, state: this.window.state, isFinalInvokeForWindow: false };
      let next = 0;
      const result = await this.runner.run(batch, (done, state, processed) => (next = this.complete(done, at, next, state, processed)), signal, window, index);
      if (result === "aborted") return;
    }
  }

  /** The next batch of a lane: up to BatchSize, 6 MB, and (with a window) the window's end. */
  private take(lane: Lane, windowEnd: number | undefined): { batch: StreamRecord[]; at: number[] } {
    let n = 0;
    let bytes = 0;
    while (n < lane.queue.length && n < this.s.batchSize) {
      const r = lane.queue[n]!;
      if (windowEnd !== undefined && r.arrivalMs >= windowEnd) break;
      bytes += r.eventBytes + RECORD_OVERHEAD_BYTES;
      if (n > 0 && bytes > MAX_BATCH_BYTES) break;
      n++;
    }
    return { batch: lane.queue.splice(0, n), at: lane.at.splice(0, n) };
  }

  /** The window's final invocation (isFinalInvokeForWindow), then a fresh state for the next one. */
  private async closeWindow(signal: AbortSignal): Promise<"aborted" | "closed"> {
    const w = this.window!;
    const ctx = { shardId: this.s.shardId, start: w.start, end: w.start + this.s.tumblingWindowMs, state: w.state, isFinalInvokeForWindow: true, records: w.records };
    const result = await this.runner.run([], () => {}, signal, ctx);
    if (result === "aborted") return "aborted";
    this.window = undefined;
    this.save();
    return "closed";
  }

  /**
   * Marks a batch's records done. The runner completes a batch's records in its order, so the one
   * after the last marked (`next`, into `at`) is the one to check first; any other is looked up.
   * Returns where the next call starts.
   */
  private complete(done: StreamRecord[], at: number[], next: number, state: unknown, processed: boolean): number {
    if (this.window !== undefined && state !== undefined) this.window.state = state;
    // The window's span grows by the records its function processed, as they are done (saved with
    // the checkpoint: a restart does not count them again); records given up went to OnFailure already.
    if (this.window !== undefined && processed) {
      const records = extendSpan(this.window.records, done);
      if (records !== undefined) this.window.records = records;
    }
    for (const r of done) {
      const i = next < at.length && this.live[at[next]! - this.dropped] === r ? next : at.findIndex((p) => this.live[p - this.dropped] === r);
      if (i < 0) continue;
      this.live[at[i]! - this.dropped] = null;
      this.undone--;
      next = i + 1;
    }
    // Lanes waiting on a blocked head can read on: what they finished no longer counts.
    this.space.fire();
    if (!this.advance() && this.window !== undefined) this.save();
    return next;
  }

  /** Moves the checkpoint past the done records at the head; saves it when it moved. */
  private advance(): boolean {
    const before = this.head;
    while (this.head < this.live.length && this.live[this.head] === null) this.checkpoint = this.seqs[this.head++]!;
    if (this.head === before) return false;
    if (this.head > 1024 && this.head * 2 > this.live.length) {
      this.live = this.live.slice(this.head);
      this.seqs = this.seqs.slice(this.head);
      this.dropped += this.head;
      this.head = 0;
    }
    this.save();
    this.space.fire();
    return true;
  }

  private save(): void {
    this.checkpoints.save(this.s.uuid, this.s.shardId, { sequenceNumber: this.checkpoint, window: this.window }, this.clock.now());
  }
}
