import type { Clock } from "../clock/clock.ts";
import { ScaledClock } from "../clock/scaled-clock.ts";
import { SystemClock } from "../clock/system-clock.ts";
import { VirtualClock } from "../clock/virtual-clock.ts";
import { SimError } from "../errors/sim-error.ts";

/** `--clock`: wall time (scaled by `--time-scale`), or virtual time that moves only when advanced. */
export const CLOCK_KINDS = ["system", "virtual"] as const;
export type ClockKind = (typeof CLOCK_KINDS)[number];

/** What a start asks for: the clock kind and, on the wall clock, its scale. */
export interface ClockChoice {
  clock?: ClockKind;
  /** Service ms per wall ms on the wall clock (default 1). */
  timeScale?: number;
}

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
  const scale = choice.timeScale ?? 1;
  const kind = choice.clock ?? "system";
  if (!CLOCK_KINDS.includes(kind)) throw new SimError("ERR_CONFIG", `--clock: expected ${CLOCK_KINDS.join(" or ")}, got ${kind}`);
  if (kind === "virtual") {
    if (scale !== 1) throw new SimError("ERR_CONFIG", "--clock virtual and --time-scale cannot be combined: virtual time moves only when advanced");
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
