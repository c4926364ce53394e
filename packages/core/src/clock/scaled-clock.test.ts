import { describe, expect, it } from "vitest";
import type { TimerHandle } from "./clock.ts";
import { ScaledClock } from "./scaled-clock.ts";

/** A fake wall: time moves only when the test says, and armed wall timers are inspectable. */
function fakeWall(start = 1_000) {
  const wall = { now: start, armed: [] as { ms: number; fn: () => void; cancelled: boolean }[] };
  const setWallTimer = (ms: number, fn: () => void): TimerHandle => {
    const t = { ms, fn, cancelled: false };
    wall.armed.push(t);
    return { cancel: () => void (t.cancelled = true) };
  };
  /** Moves the wall on by the last armed delay and fires that wall timer. */
  const fireLast = (elapsed?: number) => {
    const t = wall.armed.at(-1)!;
    wall.now += elapsed ?? t.ms;
    if (!t.cancelled) t.fn();
  };
  return { wall, setWallTimer, wallNow: () => wall.now, fireLast };
}

describe("ScaledClock", () => {
  it.each([
    { scale: 60, wallElapsed: 2_000, serviceElapsed: 120_000 },
    { scale: 1, wallElapsed: 2_000, serviceElapsed: 2_000 },
    { scale: 1000, wallElapsed: 3.6, serviceElapsed: 3_600 },
    { scale: 0.5, wallElapsed: 3, serviceElapsed: 1 }, // floored: 1.5 ms is 1
  ])("now() runs $scale× wall time", ({ scale, wallElapsed, serviceElapsed }) => {
    const f = fakeWall();
    const clock = new ScaledClock(scale, { wallNow: f.wallNow, startService: 5_000 });
    expect(clock.now()).toBe(5_000);
    f.wall.now += wallElapsed;
    expect(clock.now()).toBe(5_000 + serviceElapsed);
  });

  it("starts service time at Date.now() by default", () => {
    const before = Date.now();
    const now = new ScaledClock(60).now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThan(before + 1_000);
  });

  it("arms a timer for delay / scale wall ms, and the callback sees now() at the due time", () => {
    const f = fakeWall();
    const clock = new ScaledClock(60, { wallNow: f.wallNow, startService: 0, setWallTimer: f.setWallTimer });
    const seen: number[] = [];
    clock.setTimer(120_000, () => void seen.push(clock.now()));
    expect(f.wall.armed.map((t) => t.ms)).toEqual([2_000]);
    f.fireLast();
    expect(seen).toEqual([120_000]);
  });

  it("re-arms when the wall timer wakes early instead of firing before the due time", () => {
    const f = fakeWall();
    const clock = new ScaledClock(60, { wallNow: f.wallNow, startService: 0, setWallTimer: f.setWallTimer });
    const seen: number[] = [];
    clock.setTimer(120_000, () => void seen.push(clock.now()));
    f.fireLast(1_999); // a millisecond early: 60 service ms short
    expect(seen).toEqual([]);
    expect(f.wall.armed.map((t) => t.ms)).toEqual([2_000, 1]);
    f.fireLast();
    expect(seen).toEqual([120_000]);
  });

  it("cancel stops a pending timer", () => {
    const f = fakeWall();
    const clock = new ScaledClock(10, { wallNow: f.wallNow, setWallTimer: f.setWallTimer });
    let fired = false;
    clock.setTimer(100, () => void (fired = true)).cancel();
    f.fireLast();
    expect(fired).toBe(false);
  });

  it("sleeps through a minute of service time in a few wall ms at 6000×", async () => {
    const clock = new ScaledClock(6000);
    const start = clock.now();
    await clock.sleep(60_000);
    expect(clock.now() - start).toBeGreaterThanOrEqual(60_000);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("refuses scale %s", (scale) => {
    expect(() => new ScaledClock(scale)).toThrow(RangeError);
  });

  it("has no holds to speak of", () => {
    const hold = new ScaledClock(2).hold();
    hold.release();
    hold[Symbol.dispose]();
  });

  it("pause stops service time and its timers; resume continues from the paused instant", () => {
    const f = fakeWall();
    const clock = new ScaledClock(60, { wallNow: f.wallNow, startService: 0, setWallTimer: f.setWallTimer });
    const seen: number[] = [];
    clock.setTimer(120_000, () => void seen.push(clock.now()));
    f.wall.now += 1_000; // 60 s of service time
    clock.pause();
    expect(clock.paused).toBe(true);
    f.fireLast(10_000); // the wall timer wakes long after; paused service time has not reached the due time
    expect(clock.now()).toBe(60_000);
    expect(seen).toEqual([]);
    clock.resume();
    expect(clock.now()).toBe(60_000);
    f.fireLast(1_000); // one wall second: the remaining 60 service seconds
    expect(seen).toEqual([120_000]);
  });
});
