import { describe, expect, it } from "vitest";
import { stopwatch } from "./stopwatch.ts";

describe("stopwatch", () => {
  it("measures wall durations monotonically and reads the epoch for deadlines", () => {
    const a = stopwatch.now();
    const b = stopwatch.now();
    expect(b).toBeGreaterThanOrEqual(a);
    expect(Math.abs(stopwatch.epochNow() - Date.now())).toBeLessThan(50);
  });

  it("after() fires after wall time has passed, and cancel() stops it", async () => {
    let cancelledFired = false;
    stopwatch.after(1, () => void (cancelledFired = true)).cancel();
    const start = stopwatch.now();
    const elapsed = await new Promise<number>((resolve) => stopwatch.after(5, () => resolve(stopwatch.now() - start)));
    expect(elapsed).toBeGreaterThanOrEqual(4); // Node may wake up to a millisecond early
    expect(cancelledFired).toBe(false);
  });
});
