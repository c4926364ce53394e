import { describe, expect, it } from "vitest";
import { loadMigrations, SeededRng, Store, VirtualClock } from "@lambda-sim/core";
import { ScheduleRunner } from "./schedule-runner.ts";
import { ScheduleStore, type ScheduleDefinition } from "./schedule-store.ts";

const T0 = Date.parse("2026-03-01T10:00:30Z");
const iso = (ms: number) => new Date(ms).toISOString();

function setup(store = Store.open(undefined, loadMigrations("schedules", new URL("./migrations/", import.meta.url))), clock = new VirtualClock(T0)) {
  const fired: string[] = [];
  const schedules = new ScheduleStore(store);
  const runner = new ScheduleRunner(clock, schedules, (s, at) => void fired.push(`${s.name}@${iso(at)}`), new SeededRng(1).stream("flex"));
  return { store, clock, schedules, runner, fired };
}

const def = (expr: string, more: Partial<ScheduleDefinition> = {}): ScheduleDefinition => ({
  ScheduleExpression: expr,
  ScheduleExpressionTimezone: "UTC",
  State: "ENABLED",
  FlexibleTimeWindow: { Mode: "OFF" },
  ActionAfterCompletion: "NONE",
  Targets: [{ Arn: "arn:aws:lambda:us-east-1:000000000000:function:f" }],
  ...more,
});

describe("ScheduleRunner", () => {
  it("fires a Scheduler rate schedule at creation and at the start of each period's minute after, and records the fire's time", async () => {
    const { clock, runner, fired, schedules } = setup();
    runner.save("scheduler", "default", "tick", def("rate(10 minutes)"));
    await clock.advanceBy(25 * 60_000);
    // 10:10:30 and 10:20:30 fire at the start of their minute (AWS's 60 s precision).
    expect(fired).toEqual(["tick@2026-03-01T10:00:30.000Z", "tick@2026-03-01T10:10:00.000Z", "tick@2026-03-01T10:20:00.000Z"]);
    expect(iso(schedules.get("scheduler", "default", "tick")!.lastFireAt!)).toBe("2026-03-01T10:20:00.000Z");
    expect(iso(runner.nextFireAt(schedules.get("scheduler", "default", "tick")!)!)).toBe("2026-03-01T10:30:00.000Z");
  });

  it("keeps its queue bounded while a far-future schedule is rescheduled again and again, and still fires every schedule on time (review17 R15)", async () => {
    const { clock, runner, fired } = setup();
    runner.save("scheduler", "default", "tick", def("rate(1 hour)"));
    for (let i = 0; i < 5_000; i++) runner.save("scheduler", "default", "later", def(`at(2026-03-0${2 + (i % 5)}T12:00:00)`));
    expect((runner as unknown as { queue: { size: number } }).queue.size).toBeLessThan(200);
    // The last save (i = 4,999) says the 6th.
    await clock.advanceBy(6 * 86_400_000);
    expect(fired.filter((f) => f.startsWith("later"))).toEqual(["later@2026-03-06T12:00:00.000Z"]);
    expect(fired.filter((f) => f.startsWith("tick"))).toHaveLength(145);
  });

  it("counts a rule's first period from its creation", async () => {
    const { clock, runner, fired } = setup();
    runner.save("rule", "default", "r", def("rate(1 hour)"));
    await clock.advanceBy(2 * 3_600_000);
    expect(fired).toEqual(["r@2026-03-01T11:00:00.000Z", "r@2026-03-01T12:00:00.000Z"]);
  });

  it("fires an at() schedule once and deletes it when ActionAfterCompletion is DELETE", async () => {
    const { clock, runner, fired, schedules } = setup();
    runner.save("scheduler", "default", "once", def("at(2026-03-01T12:00:00)", { ActionAfterCompletion: "DELETE", ScheduleExpressionTimezone: "Europe/Paris" }));
    await clock.advanceBy(86_400_000);
    expect(fired).toEqual(["once@2026-03-01T11:00:00.000Z"]);
    expect(schedules.get("scheduler", "default", "once")).toBeUndefined();
  });

  it("does not fire a DISABLED schedule, and stops firing one that is removed", async () => {
    const { clock, runner, fired, schedules } = setup();
    runner.save("scheduler", "default", "off", def("rate(1 minute)", { State: "DISABLED" }));
    const on = runner.save("scheduler", "default", "on", def("rate(1 minute)"));
    // Rate fires are delivered at the start of their scheduled minute: 10:00 (now), 10:01.
    await clock.advanceBy(80_000);
    runner.remove(on);
    await clock.advanceBy(600_000);
    expect(fired).toEqual(["on@2026-03-01T10:00:30.000Z", "on@2026-03-01T10:01:00.000Z"]);
    expect(schedules.list().map((s) => s.name)).toEqual(["off"]);
  });

  it("does not catch up on the fires of the time a schedule was disabled", async () => {
    const { clock, runner, fired } = setup();
    const r = runner.save("rule", "default", "r", def("rate(10 minutes)"));
    await clock.advanceBy(11 * 60_000);
    runner.save("rule", "default", "r", { ...r.def, State: "DISABLED" });
    await clock.advanceBy(60 * 60_000);
    runner.save("rule", "default", "r", { ...r.def, State: "ENABLED" });
    await clock.advanceBy(10 * 60_000);
    expect(fired).toEqual(["r@2026-03-01T10:10:00.000Z", "r@2026-03-01T11:20:00.000Z"]);
  });

  it("delays each fire by a seeded random amount within the flexible window", async () => {
    const times: number[] = [];
    const { clock, schedules } = setup();
    const runner = new ScheduleRunner(clock, schedules, () => void times.push(clock.now()), new SeededRng(7).stream("flex"));
    runner.save("scheduler", "default", "flex", def("cron(0 * * * ? *)", { FlexibleTimeWindow: { Mode: "FLEXIBLE", MaximumWindowInMinutes: 15 } }));
    await clock.advanceBy(5 * 3_600_000 + 15 * 60_000);
    const offsets = times.map((t) => t % 3_600_000);
    expect(offsets).toHaveLength(5);
    for (const o of offsets) expect(o).toBeLessThan(15 * 60_000);
    expect(new Set(offsets).size).toBe(5);
  });

  it("after a restart skips the fires missed while down, reports them once, and resumes on schedule", async () => {
    const a = setup();
    a.runner.save("scheduler", "default", "every10", def("rate(10 minutes)"));
    await a.clock.advanceBy(60_000);
    a.runner.stop();
    // Down for an hour: fires at 10:10:30 ... 11:00:30 (6) are missed.
    const b = setup(a.store, new VirtualClock(T0 + 3_600_000 + 60_000));
    const missed = b.runner.resume(false);
    expect(missed.map((m) => [m.schedule.name, m.count])).toEqual([["every10", 6]]);
    await b.clock.advanceBy(20 * 60_000);
    expect(b.fired).toEqual(["every10@2026-03-01T11:10:00.000Z", "every10@2026-03-01T11:20:00.000Z"]);
    b.runner.stop();
    const c = setup(a.store, new VirtualClock(b.clock.now() + 1000));
    expect(c.runner.resume(false)).toEqual([]);
  });

  it("with catch-up fires once per schedule for the latest missed fire", async () => {
    const a = setup();
    a.runner.save("scheduler", "default", "nightly", def("cron(0 3 * * ? *)"));
    a.runner.stop();
    const b = setup(a.store, new VirtualClock(T0 + 3 * 86_400_000));
    expect(b.runner.resume(true).map((m) => m.count)).toEqual([3]);
    await b.clock.advanceBy(0);
    expect(b.fired).toEqual(["nightly@2026-03-04T03:00:00.000Z"]);
    await b.clock.advanceBy(86_400_000);
    expect(b.fired).toEqual(["nightly@2026-03-04T03:00:00.000Z", "nightly@2026-03-05T03:00:00.000Z"]);
  });
});
