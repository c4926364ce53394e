import { describe, expect, it } from "vitest";
// @ts-expect-error: the page's own JavaScript (no declarations): the browser loads it as is.
import { BUSY_FRAME_MS, frameInterval, isBusy, lanesWait, redrawGap } from "./cadence.js";

describe("the page's cadence (issue 15: light on CPU at 1,000 events/s)", () => {
  it("is busy over 1,000 events a second and stays so until under 250; a playback never is", () => {
    const rates = [900, 1001, 600, 250, 249, 1000, 1001];
    const seen: boolean[] = [];
    let busy = false;
    for (const rate of rates) seen.push((busy = isBusy(busy, rate, false)));
    expect(seen).toEqual([false, true, true, true, false, false, true]);
    expect(isBusy(false, 50_000, true)).toBe(false);
    expect(isBusy(true, 50_000, true)).toBe(false);
  });

  it("redraws about 8 times a second, 4 over 100 events a second, 1 while busy, and asks for longer frames only then", () => {
    expect([redrawGap(false, 10), redrawGap(false, 101), redrawGap(true, 101)]).toEqual([120, 250, 1000]);
    expect([frameInterval(false), frameInterval(true)]).toEqual([0, BUSY_FRAME_MS]);
  });

  it("leaves the lanes for the next redraw while busy, when they were drawn under 1.5 s ago", () => {
    expect(lanesWait(true, 1_000)).toBe(true);
    expect(lanesWait(true, 1_499)).toBe(true);
    expect(lanesWait(true, 1_500)).toBe(false);
    expect(lanesWait(true, 2_000)).toBe(false);
    expect(lanesWait(false, 0)).toBe(false);
  });
});
