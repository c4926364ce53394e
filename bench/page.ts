// bench/page: what the dashboard page costs the machine it is shown on (issue 15: "light on CPU at
// 1,000 events/s"), in Debian's chromium driven by playwright-core, as a workshop would show it.
//
//   node bench/page.ts [--quick]
//   BENCH_RATES=0,500,2000 node bench/page.ts    (the invocation rates to measure; 0 is the idle page)
//
// A simulator with a no-op function in its own process; the page open on /_sim/ui at a projector's
// 1600×1000; warm invocations paced at a steady rate. For each rate, over the same wall time:
// - the telemetry events per second the simulator produced (counted by a WebSocket client that
//   takes every event, attached for that count only),
// - the CPU the page's browser spent (every chromium process: renderer, GPU, browser; from
//   chromium's own SystemInfo.getProcessInfo), as a share of one core, and of it the renderer's
//   (the page's own process: its script, style, layout, paint and raster),
// - the page's main thread, on script, style, layout and the rest (its raster is not
//   on the main thread),
// beside the same page open on an idle simulator (the reference: what an open page costs doing
// nothing). The page batches its updates, whatever the rate: it redraws at most every 120 ms,
// every 250 ms once over 100 events a second reach it, and once a second over 1,000, its lanes
// every other time (asking then for 2 frames a second; cadence.js). The page is
// opened as bench:subscribers opens it (page-in-chromium.ts): not a playwright page, whose
// DevTools Network domain would copy every WebSocket frame out of the renderer.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { agent, post } from "./http-load.ts";
import { CHROMIUM, openChromiumPage, type ChromiumPage } from "./page-in-chromium.ts";
import { startSimulator } from "./support.ts";


const quick = process.argv.includes("--quick");
const SECONDS = quick ? 5 : 15;
/**
 * Invocations per second (BENCH_RATES, comma-separated, or these); a warm no-op invocation is 8
 * telemetry events (admitted, busy, started, START, END, REPORT, finished, idle).
 */
const RATES = process.env.BENCH_RATES ? process.env.BENCH_RATES.split(",").map(Number) : [0, 100, 250, 500];
if (RATES.some((r) => !Number.isFinite(r) || r < 0)) throw new Error(`BENCH_RATES: invocation rates per second, comma-separated (0 for the idle page), not ${process.env.BENCH_RATES}`);

/** BENCH_PAGE_PROFILE=path: the page's main-thread CPU profile at each rate, to path.RATE.cpuprofile (profiling adds its own cost to the figures). */
const profileTo = process.env.BENCH_PAGE_PROFILE;

const { WebSocket } = createRequire(import.meta.url)("ws") as typeof import("ws");

function config(): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-bench-page-"));
  mkdirSync(join(dir, "noop"));
  writeFileSync(join(dir, "noop", "index.mjs"), "export const handler = async () => ({ ok: true });\n");
  writeFileSync(join(dir, "lambda-sim.yaml"), "functions:\n  noop:\n    runtime: nodejs24.x\n    handler: index.handler\n    codeUri: ./noop\n");
  return join(dir, "lambda-sim.yaml");
}

/** Invokes `noop` `rate` times a second for `seconds`, in ticks of 10 ms; the rate reached. */
async function paced(port: number, rate: number, seconds: number): Promise<number> {
  if (rate === 0) {
    await new Promise((r) => setTimeout(r, seconds * 1000));
    return 0;
  }
  const started = performance.now();
  let sent = 0;
  const inFlight = new Set<Promise<unknown>>();
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; sent < due; sent++) {
      const p = post(port, "/2015-03-31/functions/noop/invocations").finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await Promise.all(inFlight);
  return sent / ((performance.now() - started) / 1000);
}

/** Telemetry events the simulator streams per second at `rate` invocations a second (every event, no subscription). */
async function eventsPerSecond(port: number, rate: number): Promise<number> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/_sim/events`);
  let events = 0;
  ws.on("message", (d) => {
    const f = JSON.parse(String(d));
    if (f.kind === "events") events += f.events.length;
  });
  await new Promise((r) => ws.once("open", r));
  const reached = await paced(port, rate, 3);
  await new Promise((r) => setTimeout(r, 200));
  ws.close();
  return reached > 0 ? events / 3 : 0;
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.log(`bench/page: Debian's chromium is not at ${CHROMIUM} (apt-get install chromium); nothing measured`);
    return;
  }
  const sim = await startSimulator([], ["--in-memory", "--config", config()]);
  let page: ChromiumPage | undefined;
  try {
    // Warm the function and the server before anything is counted.
    for (let i = 0; i < 2000; i++) await post(sim.port, "/2015-03-31/functions/noop/invocations");
    page = await openChromiumPage(sim.port);
    console.log(`node ${process.version}, ${page.version}, page at 1600×1000, ${SECONDS} s per rate`);
    console.log("invocations/s | telemetry events/s | page's browser CPU (share of one core), of which its renderer | of which its main thread: script / style / layout / other");
    const share = (seconds: number, wall: number) => `${((seconds / wall) * 100).toFixed(1)}%`;
    for (const rate of RATES) {
      const events = rate === 0 ? 0 : await eventsPerSecond(sim.port, rate);
      await paced(sim.port, rate, 2); // the page catches up with the count's traffic, unmeasured
      const c0 = await page.cpuMsByType();
      const m0 = await page.mainThread();
      const t0 = performance.now();
      if (profileTo) await page.send("Profiler.enable").then(() => page!.send("Profiler.start"));
      const reached = await paced(sim.port, rate, SECONDS);
      if (profileTo) writeFileSync(`${profileTo}.${rate}.cpuprofile`, JSON.stringify((await page.send("Profiler.stop")).profile));
      const c1 = await page.cpuMsByType();
      const used = (type?: string) => Object.keys(c1).filter((k) => type === undefined || k === type).reduce((n, k) => n + c1[k]! - (c0[k] ?? 0), 0) / 1000;
      const m1 = await page.mainThread();
      const wall = (performance.now() - t0) / 1000;
      const [script, style, layout] = [m1.script - m0.script, m1.style - m0.style, m1.layout - m0.layout];
      const main = `${share(m1.tasks - m0.tasks, wall)}: ${share(script, wall)} / ${share(style, wall)} / ${share(layout, wall)} / ${share(m1.tasks - m0.tasks - script - style - layout, wall)}`;
      const label = rate === 0 ? "idle (reference)" : `${reached.toFixed(0)}`;
      console.log(`${label.padStart(13)} | ${events.toFixed(0).padStart(18)} | ${share(used(), wall).padStart(6)}, renderer ${share(used("renderer"), wall).padStart(6)} | ${main}`);
    }
  } finally {
    await page?.close();
    sim.child.kill("SIGTERM");
    agent.destroy();
  }
}

await main();
