import type { Clock, Hold, TimerHandle } from "./clock.ts";
import { sleepOn, wallTimer } from "./system-clock.ts";

/**
 * Service time running `scale`× faster than wall time from construction (`--time-scale`): a
 * two-minute retry delay takes two seconds at 60×. Handler execution is not affected (stopwatch).
 */
export class ScaledClock implements Clock {
  readonly scale: number;
  private readonly wallNow: () => number;
  private readonly startWall: number;
  private readonly startService: number;

  constructor(scale: number, opts: { wallNow?: () => number; startService?: number } = {}) {
    if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`time scale must be a positive number, got ${scale}`);
    this.scale = scale;
    this.wallNow = opts.wallNow ?? Date.now;
    this.startWall = this.wallNow();
    this.startService = opts.startService ?? this.startWall;
  }

  now(): number {
    return this.startService + (this.wallNow() - this.startWall) * this.scale;
  }

  setTimer(delayMs: number, fn: () => void | Promise<void>): TimerHandle {
    return wallTimer(Math.max(0, delayMs) / this.scale, fn);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  hold(): Hold {
    return { release() {}, [Symbol.dispose]() {} };
  }
}
