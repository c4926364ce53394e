import { availableParallelism } from "node:os";
import { stopwatch } from "./stopwatch.ts";

/** What `lambda-sim start` uses unless told otherwise (µs). Our choice, measured in bench/invoke. */
export const DEFAULT_BUSY_POLL_US = 250;

/**
 * Keeps the event loop polling for a moment after the simulator has written an event to a
 * runtime or an answer to a caller, instead of letting it sleep in epoll_wait: the runtime's
 * answer, or the caller's next request, usually comes within that time, and a thread that is
 * already awake takes it without the wake-up of a sleeping one, which on a virtual machine costs
 * an inter-processor interrupt of 10 µs and more (issue 16: one caller's warm invoke p50
 * 0.85-0.88x with it). The price is CPU: the loop turns (setImmediate, a poll of its sockets that
 * does not wait) for up to `windowUs` after each of those writes, about a core's worth while one
 * caller invokes back to back, nothing once it stops. Only while a core is left for it: with as
 * many runtimes at work as there are cores less one (a burst, a queue's batches, many callers)
 * the spinning thread would take a core from the runtimes it waits for, so it sleeps as usual;
 * `--busy-poll 0` turns it off.
 *
 * One per process: the event loop is the process's.
 */
class BusyPoll {
  private windowMs = 0;
  private until = 0;
  private turning = false;
  /** Runtimes holding an event they have not answered yet (runtime-channel.ts counts them). */
  private working = 0;
  private readonly spareCores = availableParallelism() - 1;
  private readonly turn = (): void => {
    if (stopwatch.now() < this.until) setImmediate(this.turn);
    else this.turning = false;
  };

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
    this.until = stopwatch.now() + this.windowMs;
    if (this.turning) return;
    this.turning = true;
    setImmediate(this.turn);
  }
}

export const busyPoll = new BusyPoll();
