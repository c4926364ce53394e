import type { Clock } from "../clock/clock.ts";
import { stopwatch } from "../clock/stopwatch.ts";

/** How often the share is reconsidered, in wall ms. */
const WINDOW_MS = 20;
/** Event-loop utilisation above which the loop counts as saturated. */
const SATURATED = 0.9;

/**
 * The front door's arrivals (an Event Invoke, a Publish, a PutEvents), one count per simulator:
 * every worker with a FrontDoorPriority yields to all of them.
 */
export class FrontDoorArrivals {
  count = 0;

  arrived(): void {
    this.count++;
  }
}

/**
 * Keeps the front door ahead of the work it accepted (issue 16): Event invocations, SNS Publish and
 * EventBridge PutEvents are stored and answered on the same event loop (and the same cores) that
 * then run or deliver them, so with the worker at full concurrency the accept rate fell to the
 * completion rate. While accepts arrive at 1,000/s or more, or keep arriving while the loop is
 * saturated, the concurrency the worker may use halves each window (down to one at a time: work
 * never stops, and it starts in the same order); it grows back by an eighth of the maximum per
 * window once the arrivals slow down. Accepted work waits durably in the meantime.
 *
 * The workers of one simulator share the count: a Publish burst also slows the async queue that
 * runs what SNS delivers. (EventBridge only counts its PutEvents: its delivery chunks are one
 * commit each, and smaller ones measured slower for accepting and delivering alike.) Only the
 * front door's own requests are arrivals: a delivery one worker makes to another (SNS or
 * EventBridge invoking a function asynchronously) is work, not an arrival, or catching up after
 * a burst would throttle the next stage.
 *
 * This is the simulator protecting its own responsiveness (AWS's pollers are not observable at
 * this grain), so it reads the loop's wall-clock utilisation; it is off under the VirtualClock,
 * where a worker's concurrency must not depend on how fast the host is.
 */
export class FrontDoorPriority {
  private readonly max: number;
  private limit: number;
  private readonly arrivals: FrontDoorArrivals;
  /** `arrivals.count` when the window began. */
  private seen = 0;
  private floodedLastWindow = false;
  private windowStart = stopwatch.now();
  private loop = performance.eventLoopUtilization();

  /** The policy for a worker running at most `max` at once, on `clock`; undefined (off) under the VirtualClock. */
  static on(clock: Clock, max: number, arrivals: FrontDoorArrivals): FrontDoorPriority | undefined {
    return Number.isFinite(clock.scale) ? new FrontDoorPriority(max, arrivals) : undefined;
  }

  private constructor(max: number, arrivals: FrontDoorArrivals) {
    this.max = max;
    this.limit = max;
    this.arrivals = arrivals;
    this.seen = arrivals.count;
  }

  /**
   * Whether the last window saw the front door flooded (1,000 arrivals/s or more), as against only
   * a saturated loop: what a single caller could notice is not deferred for the latter.
   */
  get flooded(): boolean {
    return this.floodedLastWindow;
  }

  /** How many stored items may run at once now. */
  concurrency(): number {
    const now = stopwatch.now();
    if (now - this.windowStart < WINDOW_MS) return this.limit;
    const current = performance.eventLoopUtilization();
    const utilisation = performance.eventLoopUtilization(current, this.loop).utilization;
    this.loop = current;
    const arrivals = this.arrivals.count - this.seen;
    // Busy at 1 arrival per ms however idle the loop looks (on a machine short of cores the loop
    // waits for CPU the runtimes take rather than for work), over the time since this worker last
    // looked: a window may have lasted seconds, and the count is shared with the other workers.
    this.floodedLastWindow = arrivals >= now - this.windowStart;
    if (this.floodedLastWindow || (arrivals > 0 && utilisation > SATURATED)) this.limit = Math.max(1, this.limit >> 1);
    else this.limit = Math.min(this.max, this.limit + Math.max(1, this.max >> 3));
    this.seen = this.arrivals.count;
    this.windowStart = now;
    return this.limit;
  }
}
