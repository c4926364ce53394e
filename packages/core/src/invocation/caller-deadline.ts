import type { Clock, TimerHandle } from "../clock/clock.ts";
import { stopwatch } from "../clock/stopwatch.ts";

/**
 * A caller's deadline over one invocation that counts both kinds of time the invocation takes:
 * the wall time of real code (a handler runs in wall time, never scaled: DESIGN.md "Time") and the
 * service time it waits on the Clock (injected latency and slow cold starts, `model` durations and
 * cold starts, a real function's `serviceTime`). API Gateway's integration timeout (29 s REST,
 * 30 s HTTP APIs) is one: on AWS a function 40 s slow gets a 504, so it must here too when those
 * 40 s are a latency fault on the virtual clock or under `--time-scale` (newuser15b F1).
 *
 * Elapsed = wall time outside service waits + service time inside them: a wait (`sleep`) stops the
 * wall count and runs a Clock timer for what is left; service time the wall count goes on beside
 * (`alongside`: a serviceTime beside the handler, a latency once it has answered) races it,
 * whichever reaches the budget first.
 */
export class CallerDeadline {
  private remaining: number;
  private wallFrom: number | undefined;
  private wallTimer: TimerHandle | undefined;
  private readonly serviceTimers = new Set<TimerHandle>();
  private done = false;
  private readonly clock: Clock;
  private readonly onExpire: () => void;

  constructor(clock: Clock, budgetMs: number, onExpire: () => void) {
    this.clock = clock;
    this.onExpire = onExpire;
    this.remaining = budgetMs;
    this.runWall();
  }

  /** Waits `ms` of service time for the invocation (the Clock's sleep), counted against the budget. */
  async sleep(ms: number): Promise<void> {
    if (this.done) return this.clock.sleep(ms);
    this.stopWall();
    const started = this.clock.now();
    const timer = this.expireAfterService(ms);
    try {
      await this.clock.sleep(ms);
    } finally {
      if (timer !== undefined) {
        timer.cancel();
        this.serviceTimers.delete(timer);
      }
      if (!this.done) {
        this.remaining -= this.clock.now() - started;
        this.runWall();
      }
    }
  }

  /** `ms` of service time passes while the wall count goes on (a real function's serviceTime, an injected latency). */
  alongside(ms: number): void {
    if (this.done) return;
    const left = this.remaining - (this.wallFrom === undefined ? 0 : stopwatch.now() - this.wallFrom);
    this.expireAfterService(ms, left);
  }

  /** The caller has its answer (or gave up): nothing fires any more. */
  cancel(): void {
    this.done = true;
    this.stopWall();
    for (const t of this.serviceTimers) t.cancel();
    this.serviceTimers.clear();
  }

  /** A Clock timer at what is left of the budget, if `ms` of service time would use it up. */
  private expireAfterService(ms: number, left = this.remaining): TimerHandle | undefined {
    if (ms < left) return undefined;
    const timer = this.clock.setTimer(Math.max(0, left), () => this.expire(), "integration-timeout");
    this.serviceTimers.add(timer);
    return timer;
  }

  private runWall(): void {
    this.wallFrom = stopwatch.now();
    this.wallTimer = stopwatch.after(Math.max(0, this.remaining), () => this.expire());
  }

  private stopWall(): void {
    if (this.wallFrom === undefined) return;
    this.remaining -= stopwatch.now() - this.wallFrom;
    this.wallFrom = undefined;
    this.wallTimer?.cancel();
    this.wallTimer = undefined;
  }

  private expire(): void {
    if (this.done) return;
    this.cancel();
    this.onExpire();
  }
}
