import type { Clock } from "../clock/clock.ts";
import { stopwatch } from "../clock/stopwatch.ts";
import type { TelemetryEvent } from "./events.ts";
import type { Telemetry } from "./telemetry.ts";
import { compileSubscription, EventTexts, EVERYTHING, type HubSubscription } from "./hub-subscription.ts";
import { HubClient } from "./hub-client.ts";
import { COMPACT_FRAME } from "./compact-events.ts";
import { RecentInvocations } from "./recent-invocations.ts";
import { AsyncAttempts, type InvocationSummary } from "./invocation-summary.ts";
import { eventsFrame } from "./events-frame.ts";

/** A telemetry event with its place in the stream: 1, 2, 3, ... since the simulator started. */
export type SequencedEvent = TelemetryEvent & { seq: number };

/**
 * What `/_sim/events` sends, one JSON text per WebSocket message:
 * - `snapshot`: the state views at `seq` (every event up to it is reflected, none after), and the
 *   last few events for context; sent first, and again after a gap.
 * - `events`: the events after the previous frame, in order, no gaps.
 * - `dropped`: the client read too slowly; `count` events were not sent to it (a new snapshot follows).
 * - `views`: the views sampled on request (`{"kind":"sample"}`), for gauges drawn over time; sent at
 *   once, so events up to its seq may follow it (a client tells them by their seq).
 * - `error`: a client message the server could not take.
 * A client may narrow what it gets with `{"kind":"subscribe", ...}` (HubSubscription): then its
 * `events` frames hold only the events it asked for, so their seqs are not consecutive; with
 * `compact: true`, a `compact` frame first, then the high-rate events as arrays (compact-events.ts);
 * with `summarize: true`, an `invocations.summarized` item in place of a busy frame's routine
 * invocations (invocation-summary.ts).
 */
export type HubFrame =
  | { kind: "snapshot"; seq: number; time: number; views: Record<string, unknown>; recent: SequencedEvent[] }
  /** For a `compact` subscriber, some of these are arrays: read them with the `compact` frame's fields. */
  | { kind: "events"; events: (SequencedEvent | InvocationSummary)[] }
  | { kind: "dropped"; count: number; reason: string }
  | { kind: "views"; seq: number; time: number; views: Record<string, unknown> }
  /** Sent on a subscription with `compact: true`: how to read the arrays in later `events` frames (compact-events.ts). */
  | { kind: "compact"; fields: readonly (readonly string[])[] }
  /** A message from the client that the server could not take (a malformed subscription). */
  | { kind: "error"; message: string };

/** How a client is written to (a WebSocket in production, an array in tests). */
export interface HubSink {
  /** Sends one frame; `written` is called once it has left the process. */
  send(text: string, written: () => void): void;
  /** Bytes accepted by send() and not yet written out. */
  bufferedBytes(): number;
}

/**
 * Our choice: events are sent at most this often (wall ms), in one frame per client. A frame per
 * event-loop turn cost the simulator a third of its warm invocation rate with `tail` attached, and
 * each frame costs a watcher a wake-up whatever it holds: at 1,700 invocations/s, tail spent a
 * quarter less CPU per invocation at 50 ms than at 20 (bench/subscribers.ts). The page draws at
 * most every 120 ms and a person does not see 50 ms of lag on a console. Never on the Clock:
 * virtual time must not wait for the dashboard.
 */
export const FLUSH_EVERY_MS = 50;
/** Events kept for a late joiner's context (not its state: the views carry that). */
const RECENT = 300;
/** Our choice: a client with this much unsent is slow; its events are dropped (memory stays bounded) ... */
export const SLOW_CLIENT_BYTES = 4 * 1024 * 1024;
/** ... until it has read down to this, when it gets a `dropped` notice and a fresh snapshot. */
const RESUME_BYTES = 256 * 1024;

/**
 * The live side of telemetry for the dashboard and `lambda-sim tail`: numbers every event, keeps the
 * last few, answers snapshots of the state views, and fans events out to clients once per turn of
 * FLUSH_EVERY_MS: each event is serialised once, and one frame text is shared by the clients that
 * asked for the same (a subscription) and are up to date. A slow client's events are dropped
 * rather than buffered, and it is told so and resynchronised with a new snapshot. It also keeps
 * the last invocations' payloads, results and log lines for `GET /_sim/invocations/{requestId}`.
 */
export class EventHub {
  private seq = 0;
  private readonly recent: SequencedEvent[] = [];
  private recentAt = 0;
  /** Each event's text in each form a client takes, written once. */
  private readonly texts = new EventTexts();
  /** The next flush; `deferred`: set only for a client on a longer interval (a new event wants one sooner). */
  private flushTimer: { at: number; deferred: boolean; cancel(): void } | undefined;
  private readonly clients = new Set<HubClient>();
  private readonly viewProviders = new Map<string, () => unknown>();
  private readonly stateViews = new Set<string>();
  private readonly snapshotViews = new Set<string>();
  private readonly observers: ((e: SequencedEvent) => void)[] = [];
  private readonly clock: Clock;
  private readonly flushEveryMs: number;
  /** Async attempts started and not finished: their invocations are never summarized. */
  private readonly asyncAttempts = new AsyncAttempts();
  /** What clients that leave the previews out fetch when a person opens an invocation. */
  readonly invocations = new RecentInvocations();

  /** `flushEveryMs` 0 sends at the end of each event-loop turn (tests). */
  constructor(telemetry: Telemetry, clock: Clock, flushEveryMs = FLUSH_EVERY_MS) {
    this.clock = clock;
    this.flushEveryMs = flushEveryMs;
    telemetry.subscribe((e) => this.onEvent(e));
  }

  /** The last sequence number given out. */
  get lastSeq(): number {
    return this.seq;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /**
   * Adds a named state view (functions, environments, queues, ...) to every snapshot and sampled
   * views frame; `inState`: to `GET /_sim/state` too; `snapshotOnly`: not to the sampled frames
   * (what seeds a page opened late, which the events keep up to date after).
   */
  addView(name: string, provider: () => unknown, opts: { inState?: boolean; snapshotOnly?: boolean } = {}): void {
    this.viewProviders.set(name, provider);
    if (opts.inState) this.stateViews.add(name);
    if (opts.snapshotOnly) this.snapshotViews.add(name);
  }

  /** The views `GET /_sim/state` shows beside its own fields (the sources': queues, streams, schedules). */
  stateViewValues(): Record<string, unknown> {
    return Object.fromEntries([...this.stateViews].map((n) => [n, this.view(n)]));
  }

  /** Called with every event as it is numbered (the cost meter). */
  observe(fn: (e: SequencedEvent) => void): void {
    this.observers.push(fn);
  }

  /** Every view; `sampled`: those a sampled views frame carries. */
  views(sampled = false): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const name of this.viewProviders.keys()) if (!sampled || !this.snapshotViews.has(name)) out[name] = this.view(name);
    return out;
  }

  /** One view; a failing provider answers its error instead of breaking the snapshot. */
  view(name: string): unknown {
    try {
      return this.viewProviders.get(name)?.();
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  }

  /** Computed in one synchronous step, so no event can fall between the views and `seq`. */
  snapshot(): Extract<HubFrame, { kind: "snapshot" }> {
    const n = this.recent.length;
    const recent = n < RECENT ? this.recent.slice() : [...this.recent.slice(this.recentAt), ...this.recent.slice(0, this.recentAt)];
    return { kind: "snapshot", seq: this.seq, time: this.clock.now(), views: this.views(), recent };
  }

  /** A new client gets a snapshot at once, then every later event. Returns its disconnect function. */
  connect(sink: HubSink): { close(): void; sample(): void; subscribe(s: HubSubscription | object): boolean } {
    const client = new HubClient(sink);
    this.clients.add(client);
    this.sendSnapshot(client);
    return {
      close: () => void this.clients.delete(client),
      sample: () => {
        if (client.dropped > 0) return;
        const frame: HubFrame = { kind: "views", seq: this.seq, time: this.clock.now(), views: this.views(true) };
        client.viewsSeq = frame.seq;
        this.write(client, JSON.stringify(frame));
      },
      /** From the next frame on; false (and nothing changed) when `s` is not a subscription. */
      subscribe: (s) => {
        const compiled = compileSubscription(s);
        if (compiled !== undefined) client.subscription = compiled;
        // Before any events frame in the compact form: frames are written in order.
        if (compiled?.compact) this.write(client, COMPACT_FRAME);
        return compiled !== undefined;
      },
    };
  }

  private onEvent(e: TelemetryEvent): void {
    const s = e as SequencedEvent;
    s.seq = ++this.seq;
    if (this.recent.length < RECENT) this.recent.push(s);
    else {
      this.recent[this.recentAt] = s;
      this.recentAt = (this.recentAt + 1) % RECENT;
    }
    for (const o of this.observers) o(s);
    this.invocations.note(s);
    // Followed whether anyone watches: a client may connect between an attempt's start and its finish.
    this.asyncAttempts.note(s);
    // What no client takes is not held (a warm invocation's log lines and admission, with the page and tail).
    let wanted = false;
    for (const c of this.clients) if (c.offer(s)) wanted = true;
    if (wanted && (this.flushTimer === undefined || this.flushTimer.deferred)) this.flushIn(this.flushEveryMs, false);
  }

  /** A flush in `ms`, unless one comes sooner. */
  private flushIn(ms: number, deferred: boolean): void {
    const at = stopwatch.now() + ms;
    if (this.flushTimer !== undefined && this.flushTimer.at <= at) return;
    this.flushTimer?.cancel();
    if (ms === 0) {
      const immediate = setImmediate(() => this.flush());
      this.flushTimer = { at, deferred, cancel: () => clearImmediate(immediate) };
    } else this.flushTimer = { at, deferred, ...stopwatch.after(ms, () => this.flush()) };
  }

  private flush(): void {
    this.flushTimer = undefined;
    const last = this.seq;
    const now = stopwatch.now();
    // One frame text per subscription and window (what the client had: a client that joined this
    // turn, or one on a longer interval, starts its window elsewhere).
    const frames = new Map<string, string | undefined>();
    let nextDue = Infinity;
    for (const c of this.clients) {
      if (!c.waiting) continue;
      // On a longer interval than the hub's (intervalMs): its next frame when the interval is up, give or take half a turn.
      const wait = c.subscription.intervalMs - (now - c.framedAt);
      if (wait > this.flushEveryMs / 2 && c.dropped === 0) {
        nextDue = Math.min(nextDue, wait);
        continue;
      }
      // A slow client that has read down since its last write's callback: resynchronised now, not
      // left dropping until a write that will not come (its events are all being dropped).
      if (c.dropped > 0) this.resumeIfDrained(c);
      if (c.dropped > 0 || c.sink.bufferedBytes() > SLOW_CLIENT_BYTES) {
        c.dropped += c.take(last).length;
        continue;
      }
      const from = c.seq;
      const window = c.take(last);
      if (window.length === 0) continue;
      // Views it was sent at a seq inside this window: a summary does not straddle it (invocation-summary.ts).
      const counted = c.subscription.summarize && c.viewsSeq >= window[0]!.seq && c.viewsSeq < last ? c.viewsSeq : 0;
      const key = `${from} ${counted} ${c.subscription.key}`;
      let frame = frames.get(key);
      if (!frames.has(key)) {
        frame = eventsFrame(window, c.subscription, this.texts, this.asyncAttempts, counted);
        frames.set(key, frame);
      }
      if (frame !== undefined) {
        this.write(c, frame);
        c.framedAt = now;
      }
    }
    // A client on a longer interval keeps what it waits for until its frame.
    if (nextDue !== Infinity) this.flushIn(Math.max(1, Math.ceil(nextDue)), true);
  }

  private write(c: HubClient, text: string): void {
    c.sink.send(text, () => this.resumeIfDrained(c));
  }

  /** A slow client that has caught up is told how much it missed, then resynchronised. */
  private resumeIfDrained(c: HubClient): void {
    if (c.dropped === 0 || !this.clients.has(c) || c.sink.bufferedBytes() > RESUME_BYTES) return;
    const count = c.dropped;
    c.dropped = 0;
    c.sink.send(JSON.stringify({ kind: "dropped", count, reason: `the client read too slowly: ${count} events were not sent; a new snapshot follows` } satisfies HubFrame), () => {});
    this.sendSnapshot(c);
  }

  private sendSnapshot(c: HubClient): void {
    const snap = this.snapshot();
    if (c.subscription !== EVERYTHING) snap.recent = snap.recent.filter((e) => c.subscription.matches(e));
    // Every event it was waiting for is in the snapshot.
    c.startAt(snap.seq);
    this.write(c, JSON.stringify(snap));
  }
}
