// bench/scenario: `lambda-sim run` at scale (issue 14). 100,000 async invocations of a `model`
// function over 24 simulated hours, with retries (5% of attempts fail, two retries each) and
// throttles (an hourly burst of 50 events a second against a reserved concurrency of 8, for a
// function that takes 200 ms on average), through the whole scenario runner: traffic on the
// VirtualClock, the Invoker, governor, pools, the durable async queue in SQLite, telemetry into
// the report's counters.
//
//   node bench/scenario.ts
//
// Printed beside it, measured in the same run: the bare VirtualClock firing as many timers as the
// scenario fired (each a no-op), the floor of any discrete-event run.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualClock } from "@lambda-sim/core";
import { runScenario } from "../packages/cli/src/scenario/scenario-runner.ts";

const HOURS = Number(process.env.HOURS ?? 24);
const PER_HOUR = Math.round(100_000 / HOURS);

const dir = mkdtempSync(join(tmpdir(), "lambda-sim-bench-scenario-"));
const file = join(dir, "scenario.yaml");
writeFileSync(
  file,
  [
    "name: bench 100,000 async invocations over 24 h",
    "seed: 1",
    `duration: ${HOURS + 1}h`,
    "functions:",
    "  work:",
    "    runtime: model",
    "    timeout: 10",
    "    reservedConcurrency: 8",
    "    model: { durationMs: { mean: 200 }, errorProbability: 0.05 }",
    "    eventInvokeConfig: { maximumRetryAttempts: 2 }",
    "traffic:",
    ...Array.from({ length: HOURS }, (_, h) => `  - { at: ${h}h, invoke: { function: work, count: ${PER_HOUR}, rate: 50 } }`),
  ].join("\n"),
);

let peakRss = process.memoryUsage().rss;
const cpuStart = process.cpuUsage();
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const r = await runScenario(file, { buckets: 24 });
peakRss = Math.max(peakRss, process.memoryUsage().rss);
clearInterval(sampler);
const cpu = process.cpuUsage(cpuStart);
const s = r.obs.functions.get("work")!;
const timers = Number(/(\d+) timers/.exec(r.report)?.[1] ?? 0);

// The floor: the bare VirtualClock firing as many (no-op) timers, spread over the same day.
const clock = new VirtualClock(0);
const bareStart = performance.now();
for (let i = 0; i < timers; i++) clock.setTimer((i * 86_400_000) / timers, () => {}, "bench.noop");
await clock.runUntilIdle({ maxTimers: timers + 1, maxAdvanceMs: Number.POSITIVE_INFINITY });
const bareMs = performance.now() - bareStart;
const bareCpu = process.cpuUsage(cpuStart);

console.log(`node ${process.version}: ${HOURS} h simulated, ${HOURS * PER_HOUR} async invocations sent in hourly bursts of 50/s`);
// CPU time beside wall time: on a shared machine the wall time also measures the neighbours.
console.log(`scenario wall time:   ${(r.wallMs / 1000).toFixed(2)} s   (goal < 10 s; CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s)`);
console.log(`peak RSS:             ${(peakRss / 1024 / 1024).toFixed(0)} MB   (goal < 500 MB)`);
console.log(`bare VirtualClock:    ${(bareMs / 1000).toFixed(2)} s for the same ${timers} timers (no-op callbacks; CPU ${((bareCpu.user + bareCpu.system - cpu.user - cpu.system) / 1e6).toFixed(2)} s)`);
console.log(`outcome: ${s.invocations} invocations, ${s.errors} errors, ${s.throttles} throttles, ${s.retries} async retries, ${s.givenUp} given up, concurrency peak ${s.concurrencyPeak}, oldest event ${(s.maxEventAgeMs / 1000).toFixed(0)} s`);
