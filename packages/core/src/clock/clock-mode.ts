import { isPausable, type Clock } from "./clock.ts";
import { VirtualClock } from "./virtual-clock.ts";

/**
 * How service time runs: the virtual clock (moves only when advanced), or a wall clock at `scale`×
 * (`--time-scale`; "system" at 1×), paused or not (`POST /_sim/clock/pause`). `GET /_sim/clock`
 * answers it, and the dashboard's header shows it from the `clock` view of `/_sim/events`.
 */
export type ClockMode = { clock: "virtual" } | { clock: "system" | "scaled"; scale: number; paused: boolean };

export function clockMode(clock: Clock): ClockMode {
  if (clock instanceof VirtualClock) return { clock: "virtual" };
  return { clock: clock.scale === 1 ? "system" : "scaled", scale: clock.scale, paused: isPausable(clock) ? clock.paused : false };
}
