import type { Clock, Hold, TimerHandle } from "./clock.ts";

/** setTimeout's ceiling; longer delays are chained. */
const MAX_DELAY = 2 ** 31 - 1;

/** Real time. Timers are unref'd: the server keeps the process alive, not a pending retry. */
export class SystemClock implements Clock {
  readonly scale: number = 1;

  now(): number {
    return Date.now();
  }

  setTimer(delayMs: number, fn: () => void | Promise<void>): TimerHandle {
    return wallTimer(Math.max(0, delayMs), fn);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  hold(): Hold {
    return NO_HOLD;
  }
}

const NO_HOLD: Hold = { release() {}, [Symbol.dispose]() {} };

/** A wall timer of any length; `fn`'s rejection is swallowed (timer callbacks own their errors). */
export function wallTimer(delayMs: number, fn: () => void | Promise<void>): TimerHandle {
  let handle: NodeJS.Timeout;
  let cancelled = false;
  const arm = (remaining: number) => {
    handle = setTimeout(() => {
      if (cancelled) return;
      if (remaining > MAX_DELAY) return arm(remaining - MAX_DELAY);
      void Promise.resolve().then(fn).catch(() => {});
    }, Math.min(remaining, MAX_DELAY));
    handle.unref();
  };
  arm(delayMs);
  return {
    cancel() {
      cancelled = true;
      clearTimeout(handle);
    },
  };
}

/** Clock.sleep in terms of setTimer, shared by the clocks. */
export function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = clock.setTimer(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, "sleep");
    const onAbort = () => {
      timer.cancel();
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
