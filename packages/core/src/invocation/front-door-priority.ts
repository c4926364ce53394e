import { performance } from "node:perf_hooks";
import { stopwatch } from "../clock/stopwatch.ts";

/** How often the share is reconsidered, in wall ms. */
const WINDOW_MS = 20;
/** Event-loop utilisation above which the loop counts as saturated. */
const SATURATED = 0.9;
/**
 * Arrivals per window at which the front door counts as busy however idle the loop looks: on a
 * machine short of cores the loop waits for CPU the runtimes take rather than for work (1 per ms).
 */
const BUSY_ARRIVALS = WINDOW_MS;

/**
 * Keeps the front door ahead of the work it accepted (issue 16): Event invocations are stored and
 * answered 202 on the same event loop (and the same cores) that then run them, so with the async
 * queue at full concurrency the accept rate fell to the completion rate. While Event invocations
 * arrive at 1,000/s or more, or keep arriving while the loop is saturated, the concurrency the
 * queue may use halves each window (down to one event at a time: running never stops); it grows
 * back by an eighth of the maximum per window once the arrivals slow down. Accepted events wait
 * durably in the meantime.
 *
 * This is the simulator protecting its own responsiveness (AWS's async pollers are not observable
 * at this grain), so it reads the loop's wall-clock utilisation; it is off under the VirtualClock,
 * where the queue's concurrency must not depend on how fast the host is.
 */
export class FrontDoorPriority {
  private readonly max: number;
  private limit: number;
  private arrivals = 0;
  private windowStart = stopwatch.now();
  private loop = performance.eventLoopUtilization();

  constructor(max: number) {
    this.max = max;
    this.limit = max;
  }

  /** An Event invocation arrived at the front door. */
  arrived(): void {
    this.arrivals++;
  }

  /** How many stored events may run at once now. */
  concurrency(): number {
    const now = stopwatch.now();
    if (now - this.windowStart < WINDOW_MS) return this.limit;
    const current = performance.eventLoopUtilization();
    const utilisation = performance.eventLoopUtilization(current, this.loop).utilization;
    this.loop = current;
    if (this.arrivals >= BUSY_ARRIVALS || (this.arrivals > 0 && utilisation > SATURATED)) this.limit = Math.max(1, this.limit >> 1);
    else this.limit = Math.min(this.max, this.limit + Math.max(1, this.max >> 3));
    this.arrivals = 0;
    this.windowStart = now;
    return this.limit;
  }
}
