// bench/scale: 100,000 `model` invocations through the real Invoker, governor and pools, on the
// VirtualClock (issue 3).
//
//   node bench/scale.ts
//
// A function with reserved concurrency 1,000 and AWS's scaling rate (1,000 new environments per
// 10 s) receives 10 bursts of 10,000 invocations, one burst per second of service time; each
// invocation takes 500 ms after a 200 ms cold start. The rules predict exactly how many are
// throttled: each burst finds 1,000 free environments (the first burst creates them, spending the
// whole scaling bucket; they are idle again 700 ms later), so 9,000 of every 10,000 are throttled.
// Printed: wall time, simulated invocations per second, peak memory, and throttles vs prediction.
import { Simulator, VirtualClock, isAwsError } from "@lambda-sim/core";

const BURSTS = 10;
const PER_BURST = 10_000;
const RESERVED = 1_000;
const PREDICTED_THROTTLES = BURSTS * (PER_BURST - RESERVED);

const clock = new VirtualClock();
const sim = await Simulator.start({
  port: 0,
  clock,
  seed: 42,
  // Reserving 1,000 needs an account above 1,000 + the 100 that must stay unreserved.
  account: { accountLimit: 2_000 },
  functions: [
    {
      functionName: "burst",
      runtime: "model",
      codeDir: process.cwd(),
      timeout: 30,
      reservedConcurrency: RESERVED,
      model: { durationMs: 500, coldStartMs: 200, errorProbability: 0, timeoutProbability: 0 },
    },
  ],
});

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
const payload = Buffer.from("{}");
let throttled = 0;
let succeeded = 0;
let failed = 0;
const started = performance.now();
const all: Promise<void>[] = [];
for (let b = 0; b < BURSTS; b++) {
  if (b > 0) await clock.advanceBy(1_000);
  for (let i = 0; i < PER_BURST; i++) {
    all.push(
      sim.invoker.invoke({ functionName: "burst", payload, invocationType: "RequestResponse" }).then(
        (out) => {
          if (out.kind === "result" && out.result.errorType === undefined) succeeded++;
          else failed++;
        },
        (e: unknown) => {
          if (isAwsError(e) && e.code === "TooManyRequestsException") throttled++;
          else failed++;
        },
      ),
    );
  }
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
await clock.runUntilIdle({ maxTimers: 1_000_000, maxAdvanceMs: Number.POSITIVE_INFINITY });
await Promise.all(all);
const wallMs = performance.now() - started;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
await sim.close();

const total = BURSTS * PER_BURST;
console.log(`node ${process.version}: ${total} model invocations in ${BURSTS} bursts, reserved concurrency ${RESERVED}`);
console.log(`wall time:              ${wallMs.toFixed(0)} ms`);
console.log(`simulated invocations/s: ${((total / wallMs) * 1000).toFixed(0)}   (goal ≥ 50,000)`);
console.log(`peak RSS:               ${(peakRss / 1024 / 1024).toFixed(0)} MB   (goal < 500 MB)`);
console.log(`succeeded ${succeeded}, failed ${failed}, throttled ${throttled} (rules predict ${PREDICTED_THROTTLES}: ${throttled === PREDICTED_THROTTLES ? "equal" : "DIFFERENT"})`);
if (throttled !== PREDICTED_THROTTLES) process.exitCode = 1;
