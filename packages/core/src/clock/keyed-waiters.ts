import type { Clock, TimerHandle, TimerOptions } from "./clock.ts";
import { nodeWallTimer } from "./system-clock.ts";

type Wake = ((why?: "woken" | "wall-backstop") => void) & { group?: object };

/**
 * Callers waiting on a named thing (a queue's long polls, a shard's readers): woken by `notify`
 * when it changes, or by the Clock when their wait ends, so the VirtualClock and --time-scale apply
 * to every wait. Sources share this rather than each keeping a map of wake-ups.
 */
export class KeyedWaiters {
  private readonly clock: Clock;
  private readonly label: string;
  private readonly waiting = new Map<string, Set<Wake>>();

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
   * With `group`, a notify wakes only the group's longest waiter (see `notify`). With `unref`, the
   * wait's timer is housekeeping (TimerOptions): an idle poll that run-until-idle does not wait for.
   */
  wait(key: string, ms: number, signal?: AbortSignal, opts: { wallBackstop?: boolean; group?: object } & TimerOptions = {}): Promise<"woken" | "wall-backstop"> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve("woken");
      let timer: TimerHandle | undefined;
      let backstop: TimerHandle | undefined;
      const set = this.waiting.get(key) ?? new Set();
      this.waiting.set(key, set);
      const wake: Wake = (why: "woken" | "wall-backstop" = "woken") => {
        timer?.cancel();
        backstop?.cancel();
        set.delete(wake);
        if (set.size === 0 && this.waiting.get(key) === set) this.waiting.delete(key);
        signal?.removeEventListener("abort", onAbort);
        resolve(why);
      };
      const onAbort = () => wake();
      wake.group = opts.group;
      set.add(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
      timer = this.clock.setTimer(Math.max(0, ms), () => wake(), `${this.label}:${key}`, opts.unref === true ? { unref: true } : undefined);
      if (opts.wallBackstop === true && this.clock.scale === Number.POSITIVE_INFINITY) backstop = nodeWallTimer(Math.max(0, ms), () => wake("wall-backstop"));
    });
  }

  /**
   * Wakes every waiter of `key`, except that of each group only the one waiting longest wakes: the
   * lanes of one event source mapping would otherwise all run an empty receive for each send. The
   * woken one notifies again when it found more than it could take, to pass the work on.
   */
  notify(key: string): void {
    const set = this.waiting.get(key);
    if (set === undefined) return;
    let groups: Set<object> | undefined;
    for (const wake of [...set]) {
      if (wake.group !== undefined) {
        groups ??= new Set();
        if (groups.has(wake.group)) continue;
        groups.add(wake.group);
      }
      wake();
    }
  }

  /** Whether anyone is waiting on `key`. */
  has(key: string): boolean {
    return this.waiting.has(key);
  }

  /** Wakes every waiter (shutdown). */
  wakeAll(): void {
    for (const set of [...this.waiting.values()]) for (const wake of [...set]) wake();
  }
}
