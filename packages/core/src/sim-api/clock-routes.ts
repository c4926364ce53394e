import express from "express";
import type { Clock } from "../clock/clock.ts";
import { isPausable, LAST_DATE_MS } from "../clock/clock.ts";
import { clockMode } from "../clock/clock-mode.ts";
import { VirtualClock } from "../clock/virtual-clock.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import { jsonSyntaxError, simBadRequest, simJson } from "./sim-json.ts";

/** Pending timers listed by GET /_sim/clock (the count is always complete). */
const LISTED_TIMERS = 100;
const DEFAULT_IDLE_LIMIT = 10_000;
/**
 * The furthest one advance may move service time (chosen, not AWS's: the simulator's own API). An
 * idle simulator fires a few thousand housekeeping timers per virtual hour (SQS mappings' long
 * polls), so a year takes minutes of wall time; a number meant as ms but sent as seconds (7200000,
 * 83 days) would otherwise run on silently. Longer spans: several calls.
 */
export const MAX_ADVANCE_MS = 366 * 86_400_000;

/** run-until-idle's limits as this API's callers set them: the body's keys, and the CLI's flags that send them. */
const RUN_UNTIL_IDLE_LIMITS = {
  maxTimers: '"maxTimers" (lambda-sim clock run-until-idle --max-timers N)',
  maxAdvance: '"maxAdvanceSeconds" (lambda-sim clock run-until-idle --max-advance 12h)',
};

/**
 * `/_sim/clock`: time control (issue 14, STYLE.md 7.12). On the VirtualClock (`--clock virtual`,
 * `lambda-sim run`) time moves only by `advance` and `run-until-idle`, which fire due timers in
 * order and wait for the invocations they start; the wall clocks (system, `--time-scale`) can be
 * paused and resumed. Each movement is a telemetry event, so traces and the dashboard show it.
 */
export function clockRoutes(clock: Clock, telemetry: Telemetry, onMoved: () => void = () => {}, maxAdvanceMs: number = MAX_ADVANCE_MS): express.Router {
  const r = express.Router();
  r.use("/_sim/clock", express.json({ strict: false, type: () => true }));
  // Movements run one at a time, each reading service time when its turn comes: two workers each
  // advancing an hour move it two hours (fuzz19 F4: both counted from the time they arrived, and
  // moved it one). The clock serialises its own operations too; this keeps each report's `from`.
  let turn: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(gone: AbortSignal, op: () => Promise<T>): Promise<T> => {
    const result = turn.then(() => {
      gone.throwIfAborted();
      return op();
    });
    turn = result.catch(() => {});
    return result;
  };

  r.get("/_sim/clock", (_req, res) => {
    res.json(describeClock(clock));
  });

  r.post("/_sim/clock/advance", simJson(async (body, _params, gone) => {
    const virtual = requireVirtual(clock, "advance");
    const by = typeof body.seconds === "number" && Number.isFinite(body.seconds) && body.seconds >= 0 && body.to === undefined ? Math.round(body.seconds * 1000) : undefined;
    const to = typeof body.to === "string" && body.seconds === undefined && !Number.isNaN(Date.parse(body.to)) ? Date.parse(body.to) : undefined;
    if (by === undefined && to === undefined) throw simBadRequest('expected {"seconds": N} with N ≥ 0, or {"to": "<ISO-8601 time>"}');
    return oneAtATime(gone, () => advance(virtual, by, to, gone));
  }));

  /** One advance, when its turn has come: `by` ms from the time then, or `to` a time. */
  const advance = async (virtual: VirtualClock, by: number | undefined, to: number | undefined, gone: AbortSignal) => {
    const from = virtual.now();
    const target = by === undefined ? to! : from + by;
    if (target < from) throw simBadRequest(`"to" ${new Date(target).toISOString()} is before the current service time ${new Date(from).toISOString()}: time only moves forward`);
    if (target - from > maxAdvanceMs || target > LAST_DATE_MS) throw simBadRequest(tooFar(from, target, maxAdvanceMs));
    const firedBefore = virtual.firedTimers;
    try {
      await virtual.advanceTo(target, gone);
    } catch (e) {
      // The caller left: time stays where the loop got to (recorded, as after any movement).
      if (gone.aborted) moved(virtual, telemetry, onMoved, from, firedBefore, "advance", true);
      throw e;
    }
    return moved(virtual, telemetry, onMoved, from, firedBefore, "advance");
  };

  r.post("/_sim/clock/run-until-idle", simJson(async (body, _params, gone) => {
    const virtual = requireVirtual(clock, "run-until-idle");
    const limit = body.maxTimers ?? DEFAULT_IDLE_LIMIT;
    if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1) throw simBadRequest('expected {"maxTimers": N} with a whole N ≥ 1');
    const maxAdvance = body.maxAdvanceSeconds;
    if (maxAdvance !== undefined && (typeof maxAdvance !== "number" || !Number.isFinite(maxAdvance) || maxAdvance < 0)) throw simBadRequest('expected {"maxAdvanceSeconds": N} with N ≥ 0');
    return oneAtATime(gone, () => runUntilIdle(virtual, limit, maxAdvance, gone));
  }));

  const runUntilIdle = async (virtual: VirtualClock, limit: number, maxAdvance: number | undefined, gone: AbortSignal) => {
    const from = virtual.now();
    const firedBefore = virtual.firedTimers;
    try {
      await virtual.runUntilIdle({ maxTimers: limit, maxAdvanceMs: maxAdvance === undefined ? undefined : Math.round(maxAdvance * 1000), limitNames: RUN_UNTIL_IDLE_LIMITS, signal: gone });
    } catch (e) {
      moved(virtual, telemetry, onMoved, from, firedBefore, "run-until-idle", gone.aborted);
      if (gone.aborted) throw e;
      throw simBadRequest((e as Error).message, 409);
    }
    return moved(virtual, telemetry, onMoved, from, firedBefore, "run-until-idle");
  };

  for (const action of ["pause", "resume"] as const) {
    r.post(`/_sim/clock/${action}`, simJson(async () => {
      if (!isPausable(clock)) throw simBadRequest(`${action} applies to the wall clocks; the virtual clock stands still until advanced`);
      const was = clock.paused;
      clock[action]();
      if (was !== clock.paused) telemetry.emit({ type: action === "pause" ? "clock.paused" : "clock.resumed" });
      return describeClock(clock);
    }));
  }
  r.use(jsonSyntaxError);
  return r;
}

/** GET /_sim/clock's answer: service time, the kind of clock, and on the VirtualClock its timers. */
export function describeClock(clock: Clock): Record<string, unknown> {
  const base = { time: new Date(clock.now()).toISOString(), epochMs: clock.now() };
  if (clock instanceof VirtualClock) {
    const pending = clock.pendingTimers();
    const next = clock.nextDue();
    return {
      ...base,
      clock: "virtual",
      pendingTimerCount: pending.length,
      // What run-until-idle waits for: every pending timer but the simulator's own housekeeping.
      pendingWorkCount: clock.pendingWork,
      pendingTimers: pending.slice(0, LISTED_TIMERS).map((t) => ({ label: t.label, due: new Date(t.dueAt).toISOString(), ...(t.unref ? { housekeeping: true } : {}) })),
      nextDue: next === undefined ? null : new Date(next).toISOString(),
      activeHolds: clock.activeHolds(),
      timersFired: clock.firedTimers,
    };
  }
  // Wall clocks arm native timers; they keep no list of them.
  return { ...base, ...clockMode(clock) };
}

function requireVirtual(clock: Clock, action: string): VirtualClock {
  if (clock instanceof VirtualClock) return clock;
  throw simBadRequest(`${action} needs the virtual clock (lambda-sim start --clock virtual); this simulator runs on wall time (use pause and resume)`);
}

/** The refusal of an advance past the cap or past what a Date holds, with the way round it. */
function tooFar(from: number, target: number, maxAdvanceMs: number): string {
  const days = maxAdvanceMs / 86_400_000;
  const cap = `an advance moves service time at most ${Number.isInteger(days) ? `${days} days` : `${maxAdvanceMs / 1000} seconds`} per call`;
  // Past what a Date holds (seconds: 1e308 is Infinity ms): said without the number (newuser13: "Infinity days after").
  if (!(target <= LAST_DATE_MS)) return `${cap}, and this one would end past the latest time a Date holds (${new Date(LAST_DATE_MS).toISOString()}) (is "seconds" in ms by mistake?)`;
  return `${cap}; ${new Date(target).toISOString()} is ${Math.round((target - from) / 86_400_000)} days after ${new Date(from).toISOString()} (is "seconds" in ms by mistake?). Advance in several calls; each fires every timer on the way`;
}

function moved(clock: VirtualClock, telemetry: Telemetry, onMoved: () => void, from: number, firedBefore: number, how: "advance" | "run-until-idle", cancelled = false): Record<string, unknown> {
  const timersFired = clock.firedTimers - firedBefore;
  onMoved();
  telemetry.emit({ type: "clock.advanced", from, to: clock.now(), timersFired, how, ...(cancelled ? { cancelled: true as const } : {}) });
  return { ...describeClock(clock), from: new Date(from).toISOString(), timersFiredNow: timersFired };
}
