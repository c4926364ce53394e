// How often the page draws and how often it asks the simulator for an events frame, by how fast
// events reach it (`rate`: events in the last second, a summary counted as the invocations it
// stands for) and whether the stream is `busy`. The page's CPU follows its redraws, not the
// event rate: each redraw costs the browser its script, style, layout and paint, whatever it holds.

/**
 * Busy: over 1,000 events a second, until under 250. The stream is summed then (model.js
 * PAGE_SUBSCRIPTION) and comes in longer frames (BUSY_FRAME_MS), which cut what reaches the page
 * several times over: without the wide band the page went to and fro between the two every
 * second. A playback is never busy: its server sends frames as they played (no summing, no
 * intervals), and at 1 redraw a second a trace played at ×10 never drew its busy environments.
 */
export function isBusy(wasBusy, rate, playback) {
  return !playback && (wasBusy ? rate >= 250 : rate > 1000);
}

/**
 * Our choice: ms between redraws, ~8 a second; 4 a second once events stream faster than a person
 * reads them (over 100 a second reach the page), which cut the page's CPU at 4,000 telemetry
 * events a second by a third, and still draws a short busy moment (a trace played back at ×10:
 * at 2 a second its busy environments were never drawn); 1 a second once the stream is busy. The
 * redraws are most of what the page costs then: with 8 callers at 4,300-5,600 invocations a
 * second, chromium's renderer took 8-11 µs per invocation at 2 redraws a second and 4-6 at 1
 * (bench:subscribers, BENCH_PAGE=browser). A person reads no single chip at those rates; the
 * counts, lanes and cost still move.
 */
export function redrawGap(busy, rate) {
  return busy ? 1000 : rate > 100 ? 250 : 120;
}

/**
 * Our choice: while busy, the lanes (the functions section: its lanes and gauges) are drawn every
 * 2 s, every other redraw; the invocation list, the sources, the cost and the clock every second.
 * A lane's chips are all new at each redraw then, and writing, styling and laying them out is most
 * of a redraw: at 2,000 invocations a second, chromium's renderer took 40 µs per invocation
 * redrawing everything, 15 leaving the lanes out, 5 not redrawing; with the lanes every other
 * redraw, 53 µs at 1,000 invocations a second against 67 (6 rounds each, bench/page.ts' page).
 */
export const BUSY_LANES_GAP = 2000;

/** Whether a redraw leaves the lanes for the next one: busy, and drawn `sinceLanes` ms ago (give or take half a redraw's gap). */
export function lanesWait(busy, sinceLanes) {
  return busy && sinceLanes < BUSY_LANES_GAP - redrawGap(busy, 0) / 2;
}

/**
 * The events frames the page asks for while busy, in ms apart (the subscription's intervalMs;
 * otherwise 0: the simulator's own 50 ms): half its redraw gap, so a redraw shows what is at most
 * half a second old. Each frame costs the browser a wake-up of its network service, IPC and the
 * page's handler whatever it holds: with 8 callers at ~3,600 invocations a second, chromium's
 * renderer took 22.8 µs per invocation with 20 frames a second and 15.6-18.1 with 4 (both
 * redrawing twice a second; bench:subscribers' setting). A slow stream keeps 50 ms frames: a short
 * invocation's lane shows busy, where a longer frame would fold it into its finish (`coalesce`).
 */
export const BUSY_FRAME_MS = 500;

/** The subscription's intervalMs the page asks for. */
export function frameInterval(busy) {
  return busy ? BUSY_FRAME_MS : 0;
}
