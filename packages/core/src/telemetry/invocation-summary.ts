import type { SequencedEvent } from "./event-hub.ts";

/**
 * Our choice: a `summarize` subscriber (the dashboard) gets every invocation of a frame in full
 * up to this many; above it (1,000 invocations a second at the hub's 50 ms frames: issue 15's
 * "light on CPU at 1,000 events/s"), the routine ones are folded into per-environment counts.
 */
export const SUMMARIZE_ABOVE = 50;
/** Our choice: the latest routine invocations of each environment still sent in full: a lane's newest chips, the list's newest rows ... */
export const KEEP_PER_ENVIRONMENT = 3;
/** ... and no more than this many in all, the newest: with hundreds of lanes (a slow handler), 3 each would be every invocation. */
export const KEEP_IN_ALL = SUMMARIZE_ABOVE;

/**
 * What stands in a frame for the routine invocations folded out of it, one entry per environment:
 * `[environmentId, functionName, version, count, billedDurationMs summed]`: the invocations, and
 * what the page's cost needs (requests, and GB-seconds at the function's memory and the
 * environment's price). It takes the place, and the seq and time, of the last invocation it
 * stands for, so a frame's seqs still rise. A frame has one, or two around the seq of views the
 * client was sent in the middle of it (foldRoutine's `counted`).
 */
export interface InvocationSummary {
  type: "invocations.summarized";
  seq: number;
  time: number;
  environments: [environmentId: string, functionName: string, version: string, count: number, billedDurationMs: number][];
}

/** What a frame leaves out for a summarize subscriber, and the summaries it sends in their place (keyed by the last one each stands for). */
export interface Folding {
  folded: Set<SequencedEvent>;
  summaries: Map<SequencedEvent, InvocationSummary>;
}

/**
 * The routine invocations of a frame (`batch`: the events the subscriber takes) a `summarize`
 * subscriber is not sent one by one, when there are more than SUMMARIZE_ABOVE (the newest
 * KEEP_PER_ENVIRONMENT of each environment stay whole, KEEP_IN_ALL at most): a warm success that
 * started in the same frame (its `invocation.started` is already left out: `superseded`,
 * coalesce without previews), that no other event of the frame names (a fault, a front's failure,
 * an async event's outcome), that is not an async attempt (`asyncAttempts`: the page follows an
 * async event until its attempt finishes), and
 * whose environment does not retire nor its function go in the frame: the summary stands where
 * the frame's last folded invocation stood, and the page prices an invocation with what it knows
 * then of its environment (provisioned or not) and its function (its memory), which it forgets
 * of a retired lane it no longer keeps and of a deleted function. Errors, cold starts, timeouts
 * and everything else always come in full. Undefined: nothing folded.
 */
export function foldRoutine(batch: readonly SequencedEvent[], superseded: Set<object>, asyncAttempts: AsyncAttempts, counted = 0): Folding | undefined {
  const startedHere = new Set<string>();
  const named = new Set<string>();
  const retired = new Set<string>();
  const deleted = new Set<string>();
  const routine: SequencedEvent[] = [];
  for (const e of batch) {
    if (e.type === "invocation.started") {
      if (superseded.has(e)) startedHere.add(e.requestId);
    } else if (e.type === "invocation.finished") {
      if (e.status === "success" && e.initDurationMs === undefined && startedHere.has(e.requestId) && !asyncAttempts.ended(e)) routine.push(e);
    } else if (e.type === "environment.state-changed") {
      if (e.to === "retired") retired.add(e.environmentId);
    } else if (e.type === "function.changed") {
      if (e.change === "deleted") deleted.add(e.functionName);
    } else if (e.type !== "function.log") {
      const id = (e as { requestId?: unknown }).requestId;
      if (typeof id === "string") named.add(id);
    }
  }
  if (routine.length <= SUMMARIZE_ABOVE) return undefined;
  // The newest of each environment stay whole, and no more than KEEP_IN_ALL: counted from the end.
  const kept = new Map<string, number>();
  let whole = 0;
  const folded = new Set<SequencedEvent>();
  for (let i = routine.length - 1; i >= 0; i--) {
    const e = routine[i] as Extract<SequencedEvent, { type: "invocation.finished" }>;
    if (named.has(e.requestId) || retired.has(e.environmentId) || deleted.has(e.functionName)) continue;
    const n = kept.get(e.environmentId) ?? 0;
    if (n < KEEP_PER_ENVIRONMENT && whole < KEEP_IN_ALL) {
      kept.set(e.environmentId, n + 1);
      whole++;
    } else folded.add(e);
  }
  if (folded.size === 0) return undefined;
  // Two summaries when the client was sent views (their cost) at `counted`, a seq inside the
  // frame: the invocations up to it, which the views counted, and those after. A client knows
  // what its views counted by seq (the page: `e.seq > costSeq`), and a summary has one seq.
  const before = new Map<string, InvocationSummary["environments"][number]>();
  const after = new Map<string, InvocationSummary["environments"][number]>();
  let lastBefore: SequencedEvent | undefined;
  let lastAfter: SequencedEvent | undefined;
  for (const e of folded) {
    const f = e as Extract<SequencedEvent, { type: "invocation.finished" }>;
    const byEnvironment = f.seq <= counted ? before : after;
    const entry = byEnvironment.get(f.environmentId);
    if (entry === undefined) byEnvironment.set(f.environmentId, [f.environmentId, f.functionName, f.version, 1, f.billedDurationMs]);
    else {
      entry[3]++;
      entry[4] += f.billedDurationMs;
    }
    if (f.seq <= counted) {
      if (lastBefore === undefined || e.seq > lastBefore.seq) lastBefore = e;
    } else if (lastAfter === undefined || e.seq > lastAfter.seq) lastAfter = e;
  }
  const summaries = new Map<SequencedEvent, InvocationSummary>();
  for (const [at, byEnvironment] of [[lastBefore, before], [lastAfter, after]] as const) {
    if (at !== undefined) summaries.set(at, { type: "invocations.summarized", seq: at.seq, time: at.time, environments: [...byEnvironment.values()] });
  }
  return { folded, summaries };
}

/** Our choice: async attempts followed to their finish (an attempt whose end never comes, its function deleted, falls out past this). */
const ASYNC_ATTEMPTS = 10_000;

/** The async attempts started and not finished, and the finishes that ended one: invocations foldRoutine never sums (`asyncAttempts`). */
export class AsyncAttempts {
  private readonly running = new Set<string>();
  /** Weak: a finish is forgotten with its event, once every client has been sent it. */
  private readonly finishes = new WeakSet<object>();

  /** Whether `e` is the `invocation.finished` that ended an async attempt. */
  ended(e: SequencedEvent): boolean {
    return this.finishes.has(e);
  }

  /** Follows `e`. */
  note(e: SequencedEvent): void {
    if (e.type === "async.attempt.started") {
      this.running.add(e.requestId);
      if (this.running.size > ASYNC_ATTEMPTS) this.running.delete(this.running.values().next().value!);
    } else if (e.type === "async.attempt.failed" || e.type === "async.given-up") {
      // An attempt throttled (or stopped in a loop) never had an invocation to finish: its id left
      // in, a flood of throttled events pushed out the attempts still running (async-queue.ts emits
      // these after the attempt's invocation.finished, if it had one).
      this.running.delete(e.requestId);
    }
    // A Set lookup per invocation only while an async attempt runs (nobody watching: the hot path).
    if (this.running.size > 0 && e.type === "invocation.finished" && this.running.delete(e.requestId)) this.finishes.add(e);
  }
}
