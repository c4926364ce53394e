// The stopwatch alone (wall time): a client command does not load the simulator.
import { stopwatch } from "@lambda-sim/core/stopwatch";
import type { TelemetryEvent, TimerHandle } from "@lambda-sim/core";

type ScaledEvent = Extract<TelemetryEvent, { type: "mapping.scaled" }>;

interface Held {
  first: ScaledEvent;
  last: ScaledEvent;
  steps: number;
}

/** How long (wall time) a scale-down waits for the next step of its burst before it is written. */
export const SCALE_DOWN_QUIET_MS = 300;

/**
 * The text lines of an SQS mapping scaling down, a burst as one line (walkthrough F6). The
 * telemetry stays one `mapping.scaled` event per lane that leaves (the dashboard draws each step,
 * JSON lines keep them all): when a backlog ends, each surplus lane's empty poll lets one lane go,
 * and fifty lanes leaving within a tenth of a second read as fifty lines that say one thing.
 *
 * A scale-down is held; the next steps of the same mapping replace it; it is written (as
 * "scaled down to N … (from M)") before any other line, so lines stay in time order, or after
 * SCALE_DOWN_QUIET_MS without another step, or when the watcher stops.
 */
export class ScaleDownLines {
  private held: Held | undefined;
  private timer: TimerHandle | undefined;
  private readonly render: (e: ScaledEvent, fromLanes: number | undefined) => string;
  private readonly write: (text: string) => void;
  private readonly quietMs: number;

  /** `render` makes the line of the burst's last step; `write` takes a line the quiet period released. */
  constructor(render: (e: ScaledEvent, fromLanes: number | undefined) => string, write: (text: string) => void, quietMs = SCALE_DOWN_QUIET_MS) {
    this.render = render;
    this.write = write;
    this.quietMs = quietMs;
  }

  /** Whether the event is a scale-down, now held (its line comes later); the caller prints nothing for it. */
  hold(e: TelemetryEvent): boolean {
    if (e.type !== "mapping.scaled" || e.change !== "down") return false;
    const held = this.held;
    if (held !== undefined && held.last.mappingId === e.mappingId) {
      held.last = e;
      held.steps++;
    } else {
      const before = this.release();
      if (before !== "") this.write(before);
      this.held = { first: e, last: e, steps: 1 };
    }
    // The tail command is a client: its quiet period is wall time, not the simulator's Clock.
    this.timer?.cancel();
    this.timer = stopwatch.after(this.quietMs, () => {
      this.timer = undefined;
      const text = this.release();
      if (text !== "") this.write(text);
    });
    return true;
  }

  /** The held burst's line ("" when none), to be written before the next line; nothing is held after. */
  release(): string {
    const held = this.held;
    if (held === undefined) return "";
    this.held = undefined;
    this.timer?.cancel();
    this.timer = undefined;
    // A step lets one lane go: the burst started from the first step's lanes plus one.
    return this.render(held.last, held.steps > 1 ? held.first.lanes + 1 : undefined);
  }
}
