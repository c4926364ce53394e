import { describe, expect, it } from "vitest";
import { ScaledClock } from "../clock/scaled-clock.ts";
import { SystemClock } from "../clock/system-clock.ts";
import { VirtualClock } from "../clock/virtual-clock.ts";
import type { ClockChoice } from "./clock-choice.ts";
import { serviceClockStart, startServiceClock, type ServiceClockStart } from "./service-clock.ts";

const WALL = Date.UTC(2026, 5, 1, 12, 0, 0, 750);
const HOUR = 3_600_000;

describe("serviceClockStart: service time never goes backwards across a restart, whatever the clock", () => {
  const rows: [string, ClockChoice, number | undefined, ServiceClockStart][] = [
    ["new state, wall clock: the wall time", {}, undefined, { kind: "wall", scale: 1 }],
    ["new state, --time-scale 60: scaled from the wall time", { timeScale: 60 }, undefined, { kind: "wall", scale: 60 }],
    ["mark behind the wall: the wall time", {}, WALL - HOUR, { kind: "wall", scale: 1 }],
    ["mark at the wall: the wall time", { clock: "system" }, WALL, { kind: "wall", scale: 1 }],
    ["mark ahead (a --time-scale run): from the mark, at wall rate", {}, WALL + 5 * HOUR, { kind: "wall", scale: 1, startService: WALL + 5 * HOUR }],
    ["mark ahead, --time-scale 60: from the mark, scaled", { timeScale: 60 }, WALL + HOUR, { kind: "wall", scale: 60, startService: WALL + HOUR }],
    ["new state, virtual: the wall time in whole seconds", { clock: "virtual" }, undefined, { kind: "virtual", startService: WALL - 750 }],
    ["mark behind the wall, virtual: the wall time", { clock: "virtual" }, WALL - HOUR, { kind: "virtual", startService: WALL - 750 }],
    ["mark ahead (an advanced virtual clock), virtual: the mark", { clock: "virtual" }, WALL + 2 * HOUR + 1, { kind: "virtual", startService: WALL + 2 * HOUR + 1 }],
  ];
  it.each(rows)("%s", (_name, choice, mark, expected) => {
    expect(serviceClockStart(choice, mark, WALL)).toEqual(expected);
  });

  it("refuses an unknown kind and a scaled virtual clock, as config errors", () => {
    expect(() => serviceClockStart({ clock: "sundial" as never }, undefined, WALL)).toThrow("--clock: expected system or virtual, got sundial");
    expect(() => serviceClockStart({ clock: "virtual", timeScale: 60 }, undefined, WALL)).toThrow("--clock virtual and --time-scale cannot be combined");
  });
});

describe("startServiceClock builds the clock decided", () => {
  it("a SystemClock on the wall, a ScaledClock from a mark ahead, a VirtualClock at the mark; a Clock given as is", () => {
    const ahead = Date.now() + 10 * HOUR;
    expect(startServiceClock({}, undefined)).toBeInstanceOf(SystemClock);
    const scaled = startServiceClock({ clock: "system" }, ahead);
    expect(scaled).toBeInstanceOf(ScaledClock);
    expect(scaled.now()).toBeGreaterThanOrEqual(ahead);
    const virtual = startServiceClock({ clock: "virtual" }, ahead);
    expect(virtual).toBeInstanceOf(VirtualClock);
    expect(virtual.now()).toBe(ahead);
    const given = new VirtualClock(0);
    expect(startServiceClock({ clock: given }, ahead)).toBe(given);
  });
});
