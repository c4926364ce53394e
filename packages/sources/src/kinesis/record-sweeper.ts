import type { StreamState, StreamStore } from "./stream-store.ts";

/**
 * Rows deleted per turn of the event loop. fuzz19 F15 measured one DELETE of 100,000 records of
 * 1 KB holding every request and timer for 1.3 s: a chunk of 1,000 holds them ~13 ms. A request
 * takes a few turns to be read, handled and answered: with chunks of 5,000 a prober's worst
 * round trip was 143 ms during a 40,000-record delete here, with 1,000 it was 36 ms.
 */
export const SWEEP_CHUNK = 1_000;

type Job = { kind: "stream"; stream: StreamState } | { kind: "trim"; stream: string; shardIndex: number; before: number };

/**
 * Deletes Kinesis records in the background, a chunk per turn of the event loop: a deleted
 * stream's (DeleteStream answers at once and the stream is DELETING meanwhile, as on AWS, whose
 * DeleteStream "returns immediately" and removes the data afterwards), and records past their
 * retention. Reads skip expired records already, and a DELETING stream's records may still be
 * read, so nothing waits for a sweep to finish.
 *
 * Turns, not Clock timers: the work is housekeeping in wall time, which a virtual clock standing
 * still must not hold back (a deleted stream would never go).
 */
export class RecordSweeper {
  private readonly store: StreamStore;
  private readonly onStreamGone: (name: string) => void;
  private readonly jobs: Job[] = [];
  private turn: NodeJS.Immediate | undefined;
  private stopped = false;

  /** `onStreamGone`: a deleted stream's last record and the stream itself are gone (mappings look again). */
  constructor(store: StreamStore, onStreamGone: (name: string) => void) {
    this.store = store;
    this.onStreamGone = onStreamGone;
  }

  /** DeleteStream: the stream is marked DELETING now (a restart resumes it), and removed once its records are. */
  deleteStream(stream: StreamState): void {
    if (!stream.deleting) this.store.markDeleting(stream);
    if (this.jobs.some((j) => j.kind === "stream" && j.stream.name === stream.name)) return;
    this.jobs.push({ kind: "stream", stream });
    this.schedule();
  }

  /** Records of `stream` that arrived before `before` go, shard by shard (one pending trim per shard). */
  trim(stream: StreamState, before: number): void {
    if (stream.deleting) return;
    for (const sh of stream.shards) {
      const pending = this.jobs.find((j): j is Extract<Job, { kind: "trim" }> => j.kind === "trim" && j.stream === stream.name && j.shardIndex === sh.index);
      if (pending !== undefined) pending.before = Math.max(pending.before, before);
      else this.jobs.push({ kind: "trim", stream: stream.name, shardIndex: sh.index, before });
    }
    this.schedule();
  }

  /** Nothing is left to delete (tests and the simulator's close). */
  get idle(): boolean {
    return this.jobs.length === 0;
  }

  stop(): void {
    this.stopped = true;
    if (this.turn !== undefined) clearImmediate(this.turn);
    this.turn = undefined;
    this.jobs.length = 0;
  }

  private schedule(): void {
    if (this.turn === undefined && !this.stopped && this.jobs.length > 0) this.turn = setImmediate(() => this.step());
  }

  /** One chunk of the first job; a job whose chunk came back short is done. */
  private step(): void {
    this.turn = undefined;
    const job = this.jobs[0];
    if (job === undefined || this.stopped) return;
    if (job.kind === "stream") {
      const name = job.stream.name;
      if (this.store.get(name) !== job.stream) this.jobs.shift();
      else if (this.store.deleteSomeRecords(name, SWEEP_CHUNK) < SWEEP_CHUNK) {
        this.jobs.shift();
        this.store.removeDeleted(name);
        this.onStreamGone(name);
      }
    } else {
      const live = this.store.get(job.stream);
      if (live === undefined || live.deleting || this.store.trimSome(job.stream, job.shardIndex, job.before, SWEEP_CHUNK) < SWEEP_CHUNK) this.jobs.shift();
    }
    this.schedule();
  }
}
