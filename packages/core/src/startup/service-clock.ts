import type { Clock } from "../clock/clock.ts";
import { ScaledClock } from "../clock/scaled-clock.ts";
import { SystemClock } from "../clock/system-clock.ts";
import { VirtualClock } from "../clock/virtual-clock.ts";
import { checkClockChoice, type ClockChoice, type ClockKind } from "./clock-choice.ts";

/** Where service time starts, decided from the state's mark (serviceClockStart). */
export type ServiceClockStart = { kind: "wall"; scale: number; startService?: number } | { kind: "virtual"; startService: number };

/**
 * Where service time starts on a state whose previous run reached `mark` (README "Time control"):
 * at the later of the mark and the wall time, whatever the clock, so service time never goes
 * backwards across a restart and messages, schedules and async events stored with the old times
 * are never in the future. A wall clock behind the mark runs scaled from the mark (at scale 1
 * after a `--time-scale` run: it keeps its lead); otherwise it is the wall clock itself. A
 * virtual clock starts at whole seconds (our choice: easier to read in `lambda-sim clock`).
 */
export function serviceClockStart(choice: ClockChoice, mark: number | undefined, wallNow: number): ServiceClockStart {
  checkClockChoice(choice);
  const scale = choice.timeScale ?? 1;
  if (choice.clock === "virtual") {
    return { kind: "virtual", startService: Math.max(mark ?? 0, Math.floor(wallNow / 1000) * 1000) };
  }
  return mark === undefined || mark <= wallNow ? { kind: "wall", scale } : { kind: "wall", scale, startService: mark };
}

/**
 * The service clock for a start: a `Clock` given as is starts where it says (tests, scenarios);
 * otherwise the kind chosen, started per serviceClockStart. A virtual clock fires the timers that
 * come due by themselves (an accepted Event invocation) without moving time.
 */
export function startServiceClock(choice: { clock?: ClockKind | Clock; timeScale?: number }, mark: number | undefined): Clock {
  if (typeof choice.clock === "object") return choice.clock;
  const start = serviceClockStart({ clock: choice.clock, timeScale: choice.timeScale }, mark, new SystemClock().now());
  if (start.kind === "virtual") {
    const clock = new VirtualClock(start.startService);
    clock.startRunningDue();
    return clock;
  }
  if (start.startService === undefined) return start.scale === 1 ? new SystemClock() : new ScaledClock(start.scale);
  return new ScaledClock(start.scale, { startService: start.startService });
}
