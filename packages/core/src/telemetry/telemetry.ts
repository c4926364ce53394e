import type { Clock, TimerHandle } from "../clock/clock.ts";
import { stopwatch } from "../clock/stopwatch.ts";
import type { TelemetryEvent, TelemetryEventInput } from "./events.ts";

/** Our choice: events left waiting by later() are delivered within this many wall milliseconds. */
const LATER_MS = 2;
/** Our choice: past this many held-back events, a turn of the loop delivers them all, not one. */
export const TELEMETRY_BACKLOG = 64;

export type TelemetryListener = (event: TelemetryEvent) => void;

export interface SubscribeOptions {
  /**
   * Also the function output past the previews' budget (function.log with `audience: "logs"`):
   * CloudWatch Logs and extensions' Telemetry API, which get everything a function writes. Other
   * subscribers (the console, the dashboard, `tail`) never see it.
   */
  everyOutputByte?: boolean;
}

/**
 * Fan-out of typed events to subscribers. Emitting with no subscriber costs one array check, so
 * the hot path can emit freely. A throwing listener is isolated from the emitter.
 *
 * Events emitted inside `deferred(fn)` are stamped at once and delivered from the next turn of the
 * event loop on, one per turn; those inside `later(fn)` at the next delivery (issue 16): an
 * invocation hands its event to the runtime and answers its caller first, and the subscribers (log
 * store, metrics, console, dashboard) do their work while a runtime works. Order is kept: any other emit, a new
 * subscriber and `flush()` deliver what waits first, and the server flushes before it handles any
 * request but an invocation (which reads none of them), so nothing read over HTTP can miss an
 * event. Only events whose subscribers read nothing but the event itself may be held back
 * (`invocation.admitted` carries the governor's counts for that reason).
 */
export class Telemetry {
  private listeners: TelemetryListener[] = [];
  /** The listeners subscribed with `everyOutputByte`. */
  private outputListeners: TelemetryListener[] = [];
  private pending: TelemetryEvent[] = [];
  private deferring = false;
  /** The turn of the loop that delivers what waits, unless a flush() comes first. */
  private scheduled: NodeJS.Immediate | undefined;
  /**
   * One held-back event per turn of the loop, so that a runtime's answer or a caller's request
   * arriving meanwhile waits for one event's subscribers at most, not for a whole invocation's
   * (issue 16: eight events' work, about 30 µs, lay across the answer of the invocation it
   * overlapped; one at a time, they fill the gaps on both sides of it). A backlog (a burst, many
   * callers) is delivered whole: the loop must not fall behind the events it makes.
   */
  private readonly deliverPending = () => {
    this.scheduled = undefined;
    if (this.pending.length > TELEMETRY_BACKLOG) return this.flush();
    const event = this.pending.shift();
    if (event !== undefined) this.deliver(event);
    if (this.pending.length > 0) this.scheduled = setImmediate(this.deliverPending);
  };

  /** The wall timer that delivers what `later()` left waiting when nothing else does first. */
  private fallback: TimerHandle | undefined;
  private readonly deliverLate = () => {
    this.fallback = undefined;
    this.flush();
  };

  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Whether anyone takes the output past the previews' budget (the output forwarder skips it otherwise). */
  get wantsEveryOutputByte(): boolean {
    return this.outputListeners.length > 0;
  }

  /** Whether anyone listens: lets an emitter skip building an expensive field (a payload preview). */
  get active(): boolean {
    return this.listeners.length > 0;
  }

  /** Stamps and delivers `input`, which it takes over: pass a fresh object (its `time` is set in place). */
  emit(input: TelemetryEventInput): void {
    if (this.listeners.length === 0) return;
    // Stamped in place, not copied: every emitter passes a fresh literal, and a spread per event
    // (each type its own shape) took V8's slow clone path on the hot path.
    const event = input as TelemetryEvent;
    event.time = this.clock.now();
    if (this.deferring) {
      this.pending.push(event);
      return;
    }
    if (this.pending.length > 0) this.flush();
    this.deliver(event);
  }

  /** Runs `fn`; the events it emits are delivered from the next turn of the loop on (or at the next flush). */
  deferred(fn: () => void): void {
    this.holding(fn, () => {
      if (this.scheduled === undefined) this.scheduled = setImmediate(this.deliverPending);
    });
  }

  /**
   * Runs `fn`; the events it emits wait for the next delivery: another emit or deferral's turn of
   * the loop, a flush(), or at the latest LATER_MS of wall time. The end of an invocation uses it:
   * its subscribers' work then runs while the next invocation's handler runs, on a core that would
   * otherwise wait, not while the caller reads its answer and turns round (issue 16: on two cores
   * the caller, the simulator and the runtime share them).
   */
  later(fn: () => void): void {
    this.holding(fn, () => {
      // One wall timer at a time, left to run out: arming and cancelling one per invocation costs more.
      if (this.fallback === undefined) this.fallback = stopwatch.after(LATER_MS, this.deliverLate);
    });
  }

  /** Runs `fn` holding back what it emits (inside another block: that block's rule applies), then `schedule`s its delivery. */
  private holding(fn: () => void, schedule: () => void): void {
    if (this.deferring) return fn();
    this.deferring = true;
    try {
      fn();
    } finally {
      this.deferring = false;
      // Even when `fn` threw: what it emitted before is delivered all the same.
      if (this.pending.length > 0) schedule();
    }
  }

  /**
   * Delivers the held-back events now, in order. The server flushes before it handles a request
   * (an invocation excepted) and once its answer is written, so the turn of the loop scheduled
   * for them is called off: it would cost an extra poll of the loop for nothing. The fallback
   * timer of later() is left to run out (it finds nothing to deliver).
   */
  flush(): void {
    if (this.scheduled !== undefined) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      for (const event of batch) this.deliver(event);
    }
  }

  private deliver(event: TelemetryEvent): void {
    const listeners = event.type === "function.log" && event.audience === "logs" ? this.outputListeners : this.listeners;
    for (const l of listeners) {
      try {
        l(event);
      } catch {
        // A broken subscriber (a closed dashboard socket, say) must not break the service.
      }
    }
  }

  subscribe(listener: TelemetryListener, opts: SubscribeOptions = {}): () => void {
    this.flush();
    this.listeners = [...this.listeners, listener];
    if (opts.everyOutputByte === true) this.outputListeners = [...this.outputListeners, listener];
    return () => {
      // A listener leaving still gets what was emitted while it listened.
      this.flush();
      this.listeners = this.listeners.filter((l) => l !== listener);
      this.outputListeners = this.outputListeners.filter((l) => l !== listener);
    };
  }
}
