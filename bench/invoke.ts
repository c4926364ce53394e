// bench/invoke: the invoke hot path against its floor, measured in the same run (issue 2).
//
//   node bench/invoke.ts [--quick] [--subscribers] [--cold]
//
// Warm synchronous invocations of a no-op Node handler through the Lambda REST API with a
// keep-alive client, 1 and 8 concurrent callers (p50, p99, invocations/s), beside a bare node:http
// loopback round trip; cold start (new environment to first response) with a ready pooled
// sandbox, back to back, in a burst and with no pool, beside bare `node -e ''` starts
// (bench/cold-start.ts says what each measures); throughput over 100,000 invocations in 10 blocks (it must not drift down); and warm
// invocations with the dashboard and `lambda-sim tail` attached beside nobody watching (8 callers;
// BENCH_CALLERS=1 for a machine with room to spare; bench/subscribers.ts for its other settings).
// The simulator and the floor server each run in their own process, like a real deployment.
import { agent, measure, post, settled, startFloorServer } from "./http-load.ts";
import { sleeps, startSimulator } from "./support.ts";
import { bareBurst, bareStart, coldNames, coldStarts, printCold, spreadColdStarts } from "./cold-start.ts";
import { compareSubscribers } from "./subscribers.ts";
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const quick = process.argv.includes("--quick");
/** `--subscribers`: only the watched-versus-alone comparison (issue 15's bar), after the warm-up. */
const onlySubscribers = process.argv.includes("--subscribers");
/** `--cold`: only the cold-start figures, after the warm-up. */
const onlyCold = process.argv.includes("--cold");
const WARM_N = quick ? 2_000 : 10_000;
/** Not counted, before anything is measured: V8 optimises the server over its first ~16,000 invocations (bench/peers). */
const SERVER_WARM_N = quick ? 2_000 : 20_000;
const BIG_N = quick ? 20_000 : 100_000;
const COLD_N = quick ? 9 : 20;

function setUpFunctions(): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-bench-"));
  mkdirSync(join(dir, "noop"));
  writeFileSync(join(dir, "noop", "index.mjs"), "export const handler = async () => ({ ok: true });\n");
  const fns = ["noop", ...coldNames("cold", COLD_N)]
    // BENCH_NO_FREEZE=1 measures without SIGSTOP/SIGCONT between invocations.
    .map((n) => `  ${n}:\n    runtime: nodejs24.x\n    handler: index.handler\n    codeUri: ./noop\n${process.env.BENCH_NO_FREEZE ? "    sim: { freeze: false }\n" : ""}`)
    .join("");
  writeFileSync(join(dir, "lambda-sim.yaml"), `functions:\n${fns}`);
  return join(dir, "lambda-sim.yaml");
}

const fmt = (n: number) => n.toFixed(3).padStart(8);

async function main(): Promise<void> {
  const config = setUpFunctions();
  const floor = await startFloorServer();
  // BENCH_PROFILE=dir writes a CPU profile of the simulator process there.
  const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const sim = await startSimulator([...profile], ["--in-memory", "--config", config]);
  const invokePath = (name: string) => `/2015-03-31/functions/${name}/invocations`;
  try {
    console.log(`node ${process.version}, ${WARM_N} warm invocations per run, after a warm-up of ${SERVER_WARM_N} not counted${quick ? " (quick)" : ""}\n`);
    await measure(4, 2_000, () => post(floor.port, "/"));
    await measure(8, SERVER_WARM_N, () => post(sim.port, invokePath("noop")));
    await settled(sim.child.pid!);
    /** The subscribers' comparison's callers: BENCH_CALLERS, default 8 (every core busy); 1 leaves the machine room. */
    const callers = Number(process.env.BENCH_CALLERS ?? 8);
    /** Unmeasured, before each round of the subscribers' comparison. */
    const settle = () => measure(callers, WARM_N / 10, () => post(sim.port, invokePath("noop")));
    const compare = () => compareSubscribers(sim.port, callers, () => measure(callers, WARM_N, () => post(sim.port, invokePath("noop"))), sim.child.pid, settle);

    if (onlySubscribers) {
      await compare();
      return;
    }
    if (!onlyCold) {
      console.log("warm invoke        |   p50 ms |   p99 ms |    inv/s | floor p50 | floor inv/s | p50 ratio | inv/s ratio");
      let wakeUps = "";
      for (const callers of [1, 8]) {
        const f = await measure(callers, WARM_N, () => post(floor.port, "/"));
        const before = sleeps(sim.child.pid!);
        const s = await measure(callers, WARM_N, () => post(sim.port, invokePath("noop")));
        const after = sleeps(sim.child.pid!);
        console.log(
          `${String(callers).padStart(2)} caller(s)        | ${fmt(s.p50)} | ${fmt(s.p99)} | ${s.perSecond.toFixed(0).padStart(8)} |  ${fmt(f.p50)} | ${f.perSecond.toFixed(0).padStart(11)} | ${(s.p50 / f.p50).toFixed(2).padStart(8)}x | ${(s.perSecond / f.perSecond).toFixed(2).padStart(10)}x`,
        );
        if (callers === 1) wakeUps = `wake-ups per warm invocation, 1 caller: simulator ${((after.own - before.own) / WARM_N).toFixed(2)} (2 when it sleeps while the runtime works), runtimes ${((after.children - before.children) / WARM_N).toFixed(2)} (1: woken by the event alone)`;
      }
      console.log(`${wakeUps}\n`);
    }

    // The pool's sandbox for this key was started after noop's first Init; 500 ms lets each refill come up.
    const pooled = await coldStarts((name) => post(sim.port, invokePath(name)), "cold", COLD_N, 500);
    const noPoolSim = await startSimulator([], ["--in-memory", "--config", config], { LAMBDA_SIM_SANDBOX_POOL: "0" });
    let noPool: number;
    try {
      noPool = await spreadColdStarts((name) => post(noPoolSim.port, invokePath(name)), "cold", COLD_N, 100);
    } finally {
      noPoolSim.child.kill("SIGTERM");
    }
    printCold(`median of ${COLD_N}`, pooled, noPool, bareStart(process.execPath, ["-e", ""]), await bareBurst(process.execPath, ["-e", ""]), 1.3);
    if (onlyCold) return;

    console.log(`\nthroughput over ${BIG_N} invocations, 8 callers, per block of ${BIG_N / 10}:`);
    const blocks: number[] = [];
    for (let b = 0; b < 10; b++) blocks.push((await measure(8, BIG_N / 10, () => post(sim.port, invokePath("noop")))).perSecond);
    console.log(`  ${blocks.map((x) => x.toFixed(0)).join("  ")} inv/s (last/first ${(blocks[9]! / blocks[0]!).toFixed(2)})`);

    await compare();
  } finally {
    floor.child.kill();
    sim.child.kill("SIGTERM");
    agent.destroy();
  }
}

await main();
