import { describe, expect, it } from "vitest";
import { VirtualClock } from "./virtual-clock.ts";
import { ScaledClock } from "./scaled-clock.ts";
import { SystemClock } from "./system-clock.ts";

describe("VirtualClock", () => {
  it("runs timers by due time, then insertion order, each seeing its own due time", async () => {
    const clock = new VirtualClock(1000);
    const seen: string[] = [];
    clock.setTimer(30, () => void seen.push(`c@${clock.now()}`));
    clock.setTimer(10, () => void seen.push(`a@${clock.now()}`));
    clock.setTimer(30, () => void seen.push(`d@${clock.now()}`));
    clock.setTimer(10, () => void seen.push(`b@${clock.now()}`));
    await clock.runUntilIdle();
    expect(seen).toEqual(["a@1010", "b@1010", "c@1030", "d@1030"]);
  });

  it("advanceBy runs timers created by callbacks inside the window, then lands on the target", async () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.setTimer(100, () => {
      seen.push(clock.now());
      clock.setTimer(50, () => void seen.push(clock.now()));
      clock.setTimer(500, () => void seen.push(clock.now()));
    });
    await clock.advanceBy(200);
    expect(seen).toEqual([100, 150]);
    expect(clock.now()).toBe(200);
    expect(clock.pendingTimers()).toEqual([{ label: "timer", dueAt: 600 }]);
  });

  it("does not run a cancelled timer", async () => {
    const clock = new VirtualClock(0);
    let ran = false;
    clock.setTimer(10, () => void (ran = true)).cancel();
    await clock.runUntilIdle();
    expect(ran).toBe(false);
  });

  it("awaits async callbacks before moving on", async () => {
    const clock = new VirtualClock(0);
    const seen: string[] = [];
    clock.setTimer(10, async () => {
      await Promise.resolve();
      seen.push("first done");
    });
    clock.setTimer(20, () => void seen.push("second"));
    await clock.runUntilIdle();
    expect(seen).toEqual(["first done", "second"]);
  });

  it("sleep resolves at the virtual time and rejects when aborted", async () => {
    const clock = new VirtualClock(0);
    const slept = clock.sleep(60_000).then(() => clock.now());
    await clock.advanceBy(60_000);
    expect(await slept).toBe(60_000);
    const ac = new AbortController();
    const aborted = clock.sleep(10, ac.signal);
    ac.abort(new Error("stop"));
    await expect(aborted).rejects.toThrow("stop");
    expect(clock.pendingTimers()).toEqual([]);
  });

  it("fails loudly on a timer that reschedules itself forever", async () => {
    const clock = new VirtualClock(0);
    const tick = () => void clock.setTimer(1000, tick, "runaway-poller");
    tick();
    await expect(clock.runUntilIdle({ maxTimers: 50 })).rejects.toThrow(/runaway-poller/);
  });

  it("does not jump while real work holds the clock", async () => {
    const clock = new VirtualClock(0);
    let fired = false;
    clock.setTimer(10, () => void (fired = true));
    const hold = clock.hold("handler running");
    const advancing = clock.advanceBy(100);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(fired).toBe(false);
    hold.release();
    await advancing;
    expect(fired).toBe(true);
  });
});

describe("ScaledClock", () => {
  it("runs service time N times faster than wall time", () => {
    let wall = 1_000;
    const clock = new ScaledClock(60, { wallNow: () => wall, startService: 5_000 });
    expect(clock.now()).toBe(5_000);
    wall += 2_000;
    expect(clock.now()).toBe(5_000 + 120_000);
  });

  it("fires a two-minute timer after two wall seconds at 60x (here 60 s at 6000x: 10 ms)", async () => {
    const clock = new ScaledClock(6000);
    const t0 = performance.now();
    await clock.sleep(60_000);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it("refuses a non-positive scale", () => {
    expect(() => new ScaledClock(0)).toThrow(RangeError);
  });
});

describe("SystemClock", () => {
  it("fires timers and cancels them", async () => {
    const clock = new SystemClock();
    let cancelled = false;
    clock.setTimer(1, () => void (cancelled = true)).cancel();
    await clock.sleep(5);
    expect(cancelled).toBe(false);
    expect(Math.abs(clock.now() - Date.now())).toBeLessThan(5);
  });
});
