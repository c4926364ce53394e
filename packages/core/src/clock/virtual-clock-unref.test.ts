import { describe, expect, it } from "vitest";
import { VirtualClock } from "./virtual-clock.ts";

const HOUR = 3_600_000;

describe("VirtualClock housekeeping timers (unref)", () => {
  it("runUntilIdle ends with only housekeeping pending, firing it only on the way to work", async () => {
    const clock = new VirtualClock(0);
    const seen: string[] = [];
    const sample = () => void clock.setTimer(60_000, () => (seen.push(`sample@${clock.now()}`), sample()), "metrics", { unref: true });
    sample();
    clock.setTimer(150_000, () => void seen.push(`work@${clock.now()}`), "work");
    await clock.runUntilIdle();
    expect(seen).toEqual(["sample@60000", "sample@120000", "work@150000"]);
    expect(clock.now()).toBe(150_000);
    expect(clock.pendingTimers()).toEqual([{ label: "metrics", dueAt: 180_000, unref: true }]);
    expect(clock.pendingWork).toBe(0);
    await clock.runUntilIdle();
    expect(clock.now()).toBe(150_000);
  });

  it("advanceBy fires housekeeping like any timer", async () => {
    const clock = new VirtualClock(0);
    let fired = 0;
    clock.setTimer(10, () => void fired++, "trim", { unref: true });
    await clock.advanceBy(10);
    expect(fired).toBe(1);
  });

  it("a cancelled timer no longer counts as work, and cancelling twice is harmless", async () => {
    const clock = new VirtualClock(0);
    const t = clock.setTimer(10, () => {}, "work");
    expect(clock.pendingWork).toBe(1);
    t.cancel();
    t.cancel();
    expect(clock.pendingWork).toBe(0);
    clock.setTimer(5, () => {}, "poll", { unref: true }).cancel();
    await clock.runUntilIdle();
    expect(clock.now()).toBe(0);
  });

  it("an unref'd sleep is housekeeping too", async () => {
    const clock = new VirtualClock(0);
    void clock.sleep(1_000, undefined, { unref: true });
    expect(clock.pendingTimers()).toEqual([{ label: "sleep", dueAt: 1_000, unref: true }]);
    await clock.runUntilIdle();
    expect(clock.now()).toBe(0);
  });

  it("a recurring timer that is work fails before moving time past maxAdvanceMs, naming it", async () => {
    const clock = new VirtualClock(0);
    let fires = 0;
    const schedule = () => void clock.setTimer(5 * 60_000, () => (fires++, schedule()), "schedules.next-fire:every-5m");
    schedule();
    clock.setTimer(60_000, () => {}, "metrics", { unref: true });
    const err = await clock.runUntilIdle({ maxAdvanceMs: HOUR }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/next pending work is due after 1970-01-01T01:00:00\.000Z, 1h past where it started \(schedules\.next-fire:every-5m; next due 1970-01-01T01:05:00\.000Z\)/);
    expect(String(err)).not.toMatch(/metrics/);
    expect(fires).toBe(12);
    expect(clock.now()).toBe(HOUR);
  });

  it("by default gives up within 6 hours of service time", async () => {
    const clock = new VirtualClock(0);
    const tick = () => void clock.setTimer(60_000, tick, "tick");
    tick();
    await expect(clock.runUntilIdle()).rejects.toThrow(/6h past where it started \(tick;/);
    expect(clock.now()).toBe(6 * HOUR);
  });

  it("fails without moving when the only work is beyond the bound", async () => {
    const clock = new VirtualClock(0);
    clock.setTimer(2 * HOUR, () => {}, "far");
    clock.setTimer(60_000, () => {}, "trim", { unref: true });
    await expect(clock.runUntilIdle({ maxAdvanceMs: HOUR })).rejects.toThrow(/stopped at 1970-01-01T00:00:00\.000Z/);
    expect(clock.now()).toBe(0);
    await clock.runUntilIdle({ maxAdvanceMs: 2 * HOUR });
    expect(clock.now()).toBe(2 * HOUR);
  });
});
