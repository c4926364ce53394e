// bench/schedules: 10,000 schedules (mixed rate and cron, some in Europe/Paris) over one simulated
// day on the VirtualClock (issue 7): fires simulated per second and wall time, goal under 5 s.
//
//   node bench/schedules.ts
//
// The measured path is the source's own: one Clock timer per schedule, and per fire the delivery
// call, the UPDATE of the last fire time in SQLite (a WAL file, as `lambda-sim start` keeps it)
// and the next-fire computation. Delivery is a counter here: what an invocation costs is
// bench/invoke's subject. Beside it, in the same run:
//  (1) the bare next-fire chain for the same schedules, with no clock and no store;
//  (2) node-cron's own matching (ScheduledTask.match), the per-minute poll it is built for:
//      a day of 10,000 schedules is 14.4 M matches, timed here on a sample and extrapolated.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { loadMigrations, SeededRng, Store, VirtualClock } from "@lambda-sim/core";
import { ScheduleRunner } from "../packages/sources/src/schedules/schedule-runner.ts";
import { ScheduleStore, type ScheduleDefinition } from "../packages/sources/src/schedules/schedule-store.ts";
import { nextFireAfter } from "../packages/sources/src/schedules/next-fire.ts";
import { parseScheduleExpression } from "../packages/sources/src/schedules/schedule-expression.ts";

// node-cron is a dependency of @lambda-sim/sources, not of the workspace root.
type CronTask = { match(date: Date): boolean; destroy(): unknown };
const { createTask } = createRequire(new URL("../packages/sources/package.json", import.meta.url))("node-cron") as {
  createTask(pattern: string, fn: () => void, options: { timezone: string }): CronTask;
};

const SCHEDULES = 10_000;
const DAY = 86_400_000;
const START = Date.UTC(2026, 2, 28, 12); // the day of Europe's spring-forward, for good measure

// [expression, time zone, node-cron equivalent (5 fields, 0 = Sunday)]
const MIX: [string, string, string][] = [
  ["rate(5 minutes)", "UTC", "*/5 * * * *"],
  ["rate(15 minutes)", "UTC", "*/15 * * * *"],
  ["rate(1 hour)", "UTC", "0 * * * *"],
  ["rate(6 hours)", "UTC", "0 */6 * * *"],
  ["rate(1 day)", "UTC", "0 0 * * *"],
  ["cron(0/10 * * * ? *)", "UTC", "*/10 * * * *"],
  ["cron(0 * * * ? *)", "Europe/Paris", "0 * * * *"],
  ["cron(0 9-17 ? * MON-FRI *)", "America/New_York", "0 9-17 * * 1-5"],
  ["cron(30 2 * * ? *)", "Europe/Paris", "30 2 * * *"],
  ["cron(0 12 L * ? *)", "UTC", "0 12 L * *"],
];

const def = (expr: string, timeZone: string): ScheduleDefinition => ({
  ScheduleExpression: expr,
  ScheduleExpressionTimezone: timeZone,
  State: "ENABLED",
  FlexibleTimeWindow: { Mode: "OFF" },
  ActionAfterCompletion: "NONE",
  Targets: [{ Arn: "arn:aws:lambda:us-east-1:000000000000:function:f" }],
});

async function throughRunner(): Promise<{ fires: number; wallMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-bench-schedules-"));
  const store = Store.open(dir, loadMigrations("schedules", new URL("../packages/sources/src/schedules/migrations/", import.meta.url)));
  const clock = new VirtualClock(START);
  let fires = 0;
  const runner = new ScheduleRunner(clock, new ScheduleStore(store), () => void fires++, new SeededRng(1).stream("flex"));
  for (let i = 0; i < SCHEDULES; i++) {
    const [expr, tz] = MIX[i % MIX.length]!;
    // Creation times spread over an hour: rate schedules count from their own creation.
    await clock.advanceTo(START + Math.floor((i * 3_600_000) / SCHEDULES));
    runner.save("scheduler", "default", `s${i}`, def(expr, tz));
  }
  await clock.advanceTo(START + 3_600_000);
  fires = 0;
  const t0 = performance.now();
  await clock.advanceBy(DAY);
  const wallMs = performance.now() - t0;
  runner.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
  return { fires, wallMs };
}

function bareNextFire(): { fires: number; wallMs: number } {
  let fires = 0;
  const t0 = performance.now();
  for (let i = 0; i < SCHEDULES; i++) {
    const [expr, tz] = MIX[i % MIX.length]!;
    const e = parseScheduleExpression(expr, "scheduler")!;
    const w = { timeZone: tz, anchorMs: START + Math.floor((i * 3_600_000) / SCHEDULES) };
    for (let t = nextFireAfter(e, START + 3_600_000, w); t !== undefined && t <= START + 3_600_000 + DAY; t = nextFireAfter(e, t, w)) fires++;
  }
  return { fires, wallMs: performance.now() - t0 };
}

function nodeCronMatching(): { matchesPerSecond: number } {
  const sample = MIX.map(([, tz, pattern]) => createTask(pattern, () => {}, { timezone: tz }));
  let matches = 0;
  const t0 = performance.now();
  for (let m = 0; m < 1440; m += 4) {
    const date = new Date(START + m * 60_000);
    for (const task of sample) {
      task.match(date);
      matches++;
    }
  }
  const wallMs = performance.now() - t0;
  for (const task of sample) void task.destroy();
  return { matchesPerSecond: (matches / wallMs) * 1000 };
}

const runner = await throughRunner();
const bare = bareNextFire();
const cron = nodeCronMatching();
const pollMatches = SCHEDULES * 1440;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(`schedules: ${fmt(SCHEDULES)} schedules (${MIX.length} kinds of rate and cron, 3 time zones), one simulated day on the VirtualClock`);
console.log(`  lambda-sim runner        ${fmt(runner.fires)} fires in ${(runner.wallMs / 1000).toFixed(2)} s wall = ${fmt((runner.fires / runner.wallMs) * 1000)} fires/s  (goal: under 5 s)`);
console.log(`  bare next-fire chain     ${fmt(bare.fires)} fires in ${(bare.wallMs / 1000).toFixed(2)} s wall = ${fmt((bare.fires / bare.wallMs) * 1000)} fires/s  (no clock, no SQLite)`);
console.log(`  node-cron match() poll   ${fmt(cron.matchesPerSecond)} matches/s: a per-minute poll of the same day (${fmt(pollMatches)} matches) ≈ ${(pollMatches / cron.matchesPerSecond).toFixed(1)} s`);
