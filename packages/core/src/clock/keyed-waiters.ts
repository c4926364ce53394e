import type { Clock, TimerHandle } from "./clock.ts";
import { nodeWallTimer } from "./system-clock.ts";

/**
 * Callers waiting on a named thing (a queue's long polls, a shard's readers): woken by `notify`
 * when it changes, or by the Clock when their wait ends, so the VirtualClock and --time-scale apply
 * to every wait. Sources share this rather than each keeping a map of wake-ups.
 */
export class KeyedWaiters {
  private readonly clock: Clock;
  private readonly label: string;
  private readonly waiting = new Map<string, Set<(why?: "woken") => void>>();

  /** `label` names the timers (`sqs.long-poll` → `sqs.long-poll:<key>`). */
  constructor(clock: Clock, label: string) {
    this.clock = clock;
    this.label = label;
  }

  /**
   * Resolves after `ms` of service time, on `notify(key)`, or when `signal` aborts. With
   * `wallBackstop` (a client's long poll), on a clock that only moves when told to (the
   * VirtualClock) the wait also ends after `ms` of wall time: a user's test that long-polls an empty
   * queue and never advances the clock gets its empty answer no later than AWS would give it.
   */
  wait(key: string, ms: number, signal?: AbortSignal, opts: { wallBackstop?: boolean } = {}): Promise<"woken" | "wall-backstop"> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve("woken");
      let timer: TimerHandle | undefined;
      let backstop: TimerHandle | undefined;
      const set = this.waiting.get(key) ?? new Set();
      this.waiting.set(key, set);
      const wake = (why: "woken" | "wall-backstop" = "woken") => {
        timer?.cancel();
        backstop?.cancel();
        set.delete(wake);
        if (set.size === 0 && this.waiting.get(key) === set) this.waiting.delete(key);
        signal?.removeEventListener("abort", onAbort);
        resolve(why);
      };
      const onAbort = () => wake();
      set.add(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
      timer = this.clock.setTimer(Math.max(0, ms), () => wake(), `${this.label}:${key}`);
      if (opts.wallBackstop === true && this.clock.scale === Number.POSITIVE_INFINITY) backstop = nodeWallTimer(Math.max(0, ms), () => wake("wall-backstop"));
    });
  }

  notify(key: string): void {
    const set = this.waiting.get(key);
    if (set === undefined) return;
    for (const wake of [...set]) wake();
  }

  /** Wakes every waiter (shutdown). */
  wakeAll(): void {
    for (const set of [...this.waiting.values()]) for (const wake of [...set]) wake();
  }
}
