// bench/clock-advance: `lambda-sim clock advance 1d` on an idle architecture (F3): one SQS mapping
// and one Kinesis mapping (model functions), nothing sent, `lambda-sim start --clock virtual
// --in-memory` in its own process. What a day of virtual time costs when nothing happens: the
// mappings' idle polls, the shard consumer's backstop, metric sampling, retention trimming.
//
//   node bench/clock-advance.ts            (DAYS=10 for a longer advance, in one call)
//
// Printed: wall seconds of the advance and the simulator's CPU seconds for it (steadier than wall
// time on a shared machine), timers fired, the simulator's peak RSS (VmHWM) and its RSS
// after; beside it, in this process, the bare VirtualClock firing as many (no-op) timers spread
// over the same span, the floor of any discrete-event advance.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualClock } from "@lambda-sim/core";
import { cpuMs, startSimulator } from "./support.ts";

const DAYS = Number(process.env.DAYS ?? 1);
const dir = mkdtempSync(join(tmpdir(), "lambda-sim-bench-advance-"));
const config = join(dir, "lambda-sim.yaml");
writeFileSync(
  config,
  [
    "functions:",
    "  worker: { runtime: model, model: { durationMs: 10 } }",
    "  clicks: { runtime: model, model: { durationMs: 10 } }",
    "queues:",
    "  jobs: {}",
    "  jobs-dlq: {}",
    "streams:",
    "  clickstream: { shardCount: 1 }",
    "eventSourceMappings:",
    "  - { functionName: worker, eventSourceArn: sqs:jobs, batchSize: 5 }",
    "  - { functionName: clicks, eventSourceArn: kinesis:clickstream, startingPosition: TRIM_HORIZON }",
  ].join("\n"),
);

/** The process's RSS and its high-water mark (Linux /proc), in MB. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

const { child, port } = await startSimulator([], ["--clock", "virtual", "--in-memory", "--config", config]);
try {
  const before = memory(child.pid!);
  const cpuBefore = cpuMs(child.pid)!;
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/_sim/clock/advance`, { method: "POST", body: JSON.stringify({ seconds: DAYS * 86_400 }) });
  const answer = (await res.json()) as { timersFiredNow?: number; message?: string };
  const wallS = (performance.now() - started) / 1000;
  if (!res.ok) throw new Error(`advance answered ${res.status}: ${answer.message}`);
  const after = memory(child.pid!);
  const cpuS = (cpuMs(child.pid)! - cpuBefore) / 1000;
  const timers = answer.timersFiredNow!;

  // The floor: the bare VirtualClock firing as many no-op timers over the same span.
  const clock = new VirtualClock(0);
  const spanMs = DAYS * 86_400_000;
  const bareStart = performance.now();
  const bareCpuStart = process.cpuUsage();
  for (let i = 0; i < timers; i++) clock.setTimer((i * spanMs) / timers, () => {}, "bench.noop", { unref: true });
  await clock.advanceBy(spanMs);
  const bareS = (performance.now() - bareStart) / 1000;
  const bareCpu = process.cpuUsage(bareCpuStart);
  const bareCpuS = (bareCpu.user + bareCpu.system) / 1e6;

  console.log(`node ${process.version}: clock advance ${DAYS}d, idle: 1 SQS mapping (5 lanes), 1 Kinesis mapping (1 shard), 2 queues`);
  console.log(`  lambda-sim   ${wallS.toFixed(2)} s wall, ${cpuS.toFixed(2)} s CPU, ${timers} timers fired (${Math.round(timers / cpuS)}/CPU s); RSS ${before.rss.toFixed(0)} MB before, ${after.rss.toFixed(0)} MB after, peak ${after.peak.toFixed(0)} MB`);
  console.log(`  bare VirtualClock, ${timers} no-op timers over ${DAYS}d: ${bareS.toFixed(2)} s wall, ${bareCpuS.toFixed(2)} s CPU (${Math.round(timers / bareCpuS)}/CPU s)`);
} finally {
  child.kill("SIGKILL");
}
