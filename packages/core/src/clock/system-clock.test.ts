import { describe, expect, it } from "vitest";
import type { TimerHandle } from "./clock.ts";
import { SystemClock, timerUntil } from "./system-clock.ts";

describe("SystemClock", () => {
  it("reads Date.now() and reports scale 1", () => {
    const clock = new SystemClock();
    const before = Date.now();
    const now = clock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
    expect(clock.scale).toBe(1);
  });

  it("fires a timer after its delay, never early against now(), and cancels another", async () => {
    const clock = new SystemClock();
    let cancelledFired = false;
    clock.setTimer(1, () => void (cancelledFired = true)).cancel();
    const start = clock.now();
    const firedAt = await new Promise<number>((resolve) => clock.setTimer(3, () => resolve(clock.now()), "t"));
    expect(firedAt - start).toBeGreaterThanOrEqual(3);
    expect(cancelledFired).toBe(false);
  });

  it("never runs a zero-delay timer inside setTimer", () => {
    let fired = false;
    const t = new SystemClock().setTimer(0, () => void (fired = true));
    expect(fired).toBe(false);
    t.cancel();
  });

  it("sleep resolves, and rejects with the abort reason", async () => {
    const clock = new SystemClock();
    await clock.sleep(1);
    const ac = new AbortController();
    const sleeping = clock.sleep(60_000, ac.signal);
    ac.abort(new Error("shutting down"));
    await expect(sleeping).rejects.toThrow("shutting down");
  });

  it("routes a throwing or rejecting callback to onTimerError with its label", async () => {
    const errors: string[] = [];
    const clock = new SystemClock({ onTimerError: (e, label) => errors.push(`${label}: ${(e as Error).message}`) });
    clock.setTimer(0, () => {
      throw new Error("sync");
    }, "a");
    clock.setTimer(0, async () => {
      throw new Error("async");
    }, "b");
    await new Promise<void>((resolve) => clock.setTimer(5, () => resolve()));
    await Promise.resolve();
    expect(errors.sort()).toEqual(["a: sync", "b: async"]);
  });

  it("rejects a NaN delay", () => {
    expect(() => new SystemClock().setTimer(Number.NaN, () => {})).toThrow(RangeError);
  });
});

describe("timerUntil (the wall timer under SystemClock and ScaledClock)", () => {
  it("chains setTimeout-sized steps for delays beyond 2^31-1 ms", () => {
    const max = 2 ** 31 - 1;
    let remaining = 3 * max + 10;
    const armed: number[] = [];
    let wake: () => void = () => {};
    const setWall = (ms: number, fn: () => void): TimerHandle => {
      armed.push(ms);
      wake = () => {
        remaining -= ms;
        fn();
      };
      return { cancel() {} };
    };
    let fired = false;
    timerUntil(() => remaining, () => void (fired = true), "long", () => {}, setWall);
    for (let i = 0; i < 3; i++) wake();
    expect(fired).toBe(false);
    wake();
    expect(fired).toBe(true);
    expect(armed).toEqual([max, max, max, 10]);
  });
});
