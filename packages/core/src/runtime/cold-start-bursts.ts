import { stopwatch } from "../clock/stopwatch.ts";
import { initLimitMs } from "./init-limit.ts";

/**
 * How many ready sandboxes each key of the SandboxPool wants: its base size, grown to the most
 * cold starts of that key seen in Init at once (a burst, up to `max`), and shrunk by one at each
 * lone cold start, so a kind that stops bursting gives its extra sandboxes back as they are taken.
 * A burst is counted by overlap rather than by arrival times, which a loaded machine spreads out.
 * Wall time (stopwatch): the pool serves real process starts, whatever the service clock does.
 */
export class ColdStartBursts {
  private readonly base: number;
  private readonly max: number;
  /** Per key: when each cold start still in Init began (by environment id), and the wanted size. */
  private readonly keys = new Map<string, { starts: Map<string, number>; target: number }>();

  constructor(base: number, max: number) {
    this.base = base;
    this.max = Math.max(base, max);
  }

  /** Environment `id`'s cold start of `key` begins its Init; returns how many of its kind are in Init now, itself included. */
  began(key: string, id: string): number {
    const now = stopwatch.now();
    let k = this.keys.get(key);
    if (k === undefined) this.keys.set(key, (k = { starts: new Map(), target: this.base }));
    // No Init outlasts the on-demand init limit: a start not heard of by then is over.
    const limit = initLimitMs();
    for (const [other, at] of k.starts) if (now - at >= limit) k.starts.delete(other);
    k.starts.set(id, now);
    const n = k.starts.size;
    k.target = Math.min(this.max, n === 1 ? Math.max(this.base, k.target - 1) : Math.max(k.target, n));
    return n;
  }

  /** Environment `id`'s Init of `key` is over, whichever way it went. */
  ended(key: string, id: string): void {
    this.keys.get(key)?.starts.delete(id);
  }

  /** How many cold starts of `key` are in Init now. */
  inInit(key: string): number {
    return this.keys.get(key)?.starts.size ?? 0;
  }

  /** Ready sandboxes `key` wants now. */
  target(key: string): number {
    return this.keys.get(key)?.target ?? this.base;
  }

  forget(key: string): void {
    this.keys.delete(key);
  }
}
