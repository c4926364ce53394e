import { availableParallelism } from "node:os";
import { SpareCpu } from "./spare-cpu.ts";
import { stopwatch } from "./stopwatch.ts";

/** What `lambda-sim start` uses unless told otherwise (µs). Our choice, measured in bench/invoke. */
export const DEFAULT_BUSY_POLL_US = 250;

/** Share of recent windows that ran out with nothing arriving above which polling stops paying. */
const WASTED_SHARE_LIMIT = 0.5;
/** Weight of the newest window in that share (an exponential moving average over ~8 windows). */
const NEWEST_WEIGHT = 1 / 8;
/** How long the loop rests after polling stopped paying, doubled while it keeps not paying (ms). */
const REST_MIN_MS = 50;
const REST_MAX_MS = 3_200;
/** How often the machine's spare CPU is read (ms), and how much must be left for polling (cores). */
const SPARE_CHECK_MS = 250;
const SPARE_NEEDED = 0.75;

/**
 * Keeps the event loop polling for a moment after the simulator has written an event to a
 * runtime or an answer to a caller, instead of letting it sleep in epoll_wait: the runtime's
 * answer, or the caller's next request, usually comes within that time, and a thread that is
 * already awake takes it without the wake-up of a sleeping one, which on a virtual machine costs
 * an inter-processor interrupt of 10 µs and more (issue 16: one caller's warm invoke p50
 * 0.85-0.88x with it). The price is CPU: the loop turns (setImmediate, a poll of its sockets that
 * does not wait) for up to `windowUs` after each of those writes, about a core's worth while one
 * caller invokes back to back, nothing once it stops.
 *
 * Only while it pays. With as many runtimes at work as there are cores less one (a burst, a
 * queue's batches, many callers) the spinning thread would take a core from the runtimes it waits
 * for, so it sleeps as usual. Likewise while other processes leave less than SPARE_NEEDED of the
 * machine's CPU (the user's test runner, a build; read from /proc/stat every SPARE_CHECK_MS,
 * spare-cpu.ts): the runtime that should answer, or the caller, would wait for the core the loop
 * spins on. And when most windows run out with nothing arriving (callers are slow, or the machine's
 * load is not visible there), the loop rests, polling nothing, and tries again after a rest that
 * doubles while polling keeps not paying.
 * `--busy-poll 0` turns it off.
 *
 * One per process: the event loop is the process's.
 */
export class BusyPoll {
  private windowMs = 0;
  private until = 0;
  private turning = false;
  /** Runtimes holding an event they have not answered yet (runtime-channel.ts counts them). */
  private working = 0;
  private readonly spareCores = availableParallelism() - 1;
  /** Moving average of windows that ran out (1) rather than ended by the next write (0). */
  private wastedShare = 0;
  private restMs = REST_MIN_MS;
  private restUntil = 0;
  private readonly spare: SpareCpu;
  private nextSpareCheck = 0;
  /** Other processes left less than SPARE_NEEDED of the machine's CPU at the last check. */
  private crowded = false;
  private readonly turn = (): void => {
    const now = stopwatch.now();
    if (now < this.until) {
      setImmediate(this.turn);
      return;
    }
    this.turning = false;
    this.windowEnded(1, now);
  };

  constructor(spare: SpareCpu = new SpareCpu()) {
    this.spare = spare;
  }

  /** Whether the loop is polling now (for tests). */
  get polling(): boolean {
    return this.turning;
  }

  /** The window in µs (0: off). */
  configure(windowUs: number): void {
    this.windowMs = windowUs / 1000;
  }

  /** A runtime took an event (+1) or answered it, or is gone (-1). */
  runtimeWorking(delta: 1 | -1): void {
    this.working += delta;
  }

  /** Something the simulator waits for should come soon: keep the loop awake for the window. */
  expect(): void {
    // Off on a single core, and while the runtimes at work take every core but one.
    if (this.windowMs === 0 || this.spareCores === 0 || this.working > this.spareCores) return;
    const now = stopwatch.now();
    if (this.turning) {
      // Something arrived while the loop was polling (this write answers it): the window paid.
      this.windowEnded(0, now);
      this.until = now + this.windowMs;
      return;
    }
    if (now >= this.nextSpareCheck) {
      this.nextSpareCheck = now + SPARE_CHECK_MS;
      const spare = this.spare.read(now);
      this.crowded = spare !== undefined && spare < SPARE_NEEDED;
    }
    if (this.crowded || now < this.restUntil) return;
    this.until = now + this.windowMs;
    this.turning = true;
    setImmediate(this.turn);
  }

  private windowEnded(wasted: 0 | 1, now: number): void {
    this.wastedShare += (wasted - this.wastedShare) * NEWEST_WEIGHT;
    if (this.wastedShare <= WASTED_SHARE_LIMIT) {
      if (wasted === 0) this.restMs = REST_MIN_MS;
      return;
    }
    this.restUntil = now + this.restMs;
    this.restMs = Math.min(this.restMs * 2, REST_MAX_MS);
    // After the rest, the windows that follow decide afresh.
    this.wastedShare = 0;
  }
}

export const busyPoll = new BusyPoll();
