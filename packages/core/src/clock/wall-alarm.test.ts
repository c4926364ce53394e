import { describe, expect, it } from "vitest";
import { stopwatch } from "./stopwatch.ts";
import { WallAlarm } from "./wall-alarm.ts";

/** Resolves with the wall ms from `start` to the alarm's callback. */
function firedAfter(alarm: WallAlarm, ms: number, start: number): Promise<number> {
  return new Promise((resolve) => alarm.set(ms, () => resolve(stopwatch.now() - start)));
}

describe("WallAlarm", () => {
  it("runs its callback once the deadline has passed, never before", async () => {
    const start = stopwatch.now();
    expect(await firedAfter(new WallAlarm(), 15, start)).toBeGreaterThanOrEqual(15);
  });

  it("set again moves the deadline: later (the early timer re-arms) or sooner", async () => {
    const later = new WallAlarm();
    let first = false;
    later.set(5, () => void (first = true));
    const start = stopwatch.now();
    const elapsed = await firedAfter(later, 30, start);
    expect(first).toBe(false);
    expect(elapsed).toBeGreaterThanOrEqual(30);

    const sooner = new WallAlarm();
    sooner.set(10_000, () => {});
    expect(await firedAfter(sooner, 5, stopwatch.now())).toBeLessThan(5_000);
  });

  it("clear() and stop() forget the callback; armed says whether one waits", async () => {
    const alarm = new WallAlarm();
    let fired = 0;
    alarm.set(5, () => fired++);
    expect(alarm.armed).toBe(true);
    alarm.clear();
    expect(alarm.armed).toBe(false);
    const stopped = new WallAlarm();
    stopped.set(5, () => fired++);
    stopped.stop();
    // A later alarm on the same turn: once it has fired, the cleared ones' deadlines are long past.
    await firedAfter(new WallAlarm(), 25, stopwatch.now());
    expect(fired).toBe(0);
  });
});
