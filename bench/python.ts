// bench/python: the Python runtime beside its references, measured in the same run (issue 20).
//
//   node bench/python.ts [--quick] [--cold]
//
// Warm synchronous invocations of a no-op Python handler through the Lambda REST API (1 caller,
// p50 and p99) beside the same for a no-op Node.js handler; cold start (new environment to first
// response) of the Python handler with a ready pooled sandbox, back to back, in a burst and with
// no pool (bench/cold-start.ts says what each measures), beside a bare `python3 -c pass` of the
// interpreter the simulator uses, and of the `python3` on PATH as a user would type it (a pyenv
// shim costs much more).
// Goals: cold <= 1.5x the bare interpreter start; warm p50 within 1.2x of Node's.
import { spawnSync } from "node:child_process";
import { Agent, request } from "node:http";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pythonInterpreter } from "../packages/core/src/runtime/python-interpreter.ts";
import { startSimulator } from "./support.ts";
import { bareBurst, coldNames, coldStarts, printCold, spreadColdStarts } from "./cold-start.ts";

const quick = process.argv.includes("--quick");
/** `--cold`: only the cold-start figures. */
const onlyCold = process.argv.includes("--cold");
const WARM_N = quick ? 1_000 : 5_000;
const COLD_N = quick ? 9 : 20;

const agent = new Agent({ keepAlive: true, maxSockets: 8 });
const PAYLOAD = Buffer.from('{"bench":true}');

function invoke(port: number, name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: `/2015-03-31/functions/${name}/invocations`, method: "POST", agent, headers: { "Content-Type": "application/json", "Content-Length": PAYLOAD.length } },
      (res) => {
        res.on("data", () => {});
        res.on("end", () => (res.headers["x-amz-function-error"] ? reject(new Error(`${name}: function error`)) : resolve(res.statusCode ?? 0)));
      },
    );
    req.on("error", reject);
    req.end(PAYLOAD);
  });
}

function percentiles(samples: number[]): { p50: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: s[Math.floor(s.length * 0.5)]!, p99: s[Math.floor(s.length * 0.99)]! };
}

async function warm(port: number, name: string): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 200; i++) await invoke(port, name);
  const samples: number[] = [];
  for (let i = 0; i < WARM_N; i++) {
    const t0 = performance.now();
    await invoke(port, name);
    samples.push(performance.now() - t0);
  }
  return percentiles(samples);
}

function bareStartMs(command: string): number {
  const runs: number[] = [];
  for (let i = 0; i < 11; i++) {
    const t0 = performance.now();
    const r = spawnSync(command, ["-c", "pass"]);
    runs.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${command} -c pass failed`);
  }
  return percentiles(runs).p50;
}

function setUp(): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-bench-python-"));
  mkdirSync(join(dir, "py"));
  writeFileSync(join(dir, "py", "app.py"), "def handler(event, context):\n    return {'ok': True}\n");
  mkdirSync(join(dir, "node"));
  writeFileSync(join(dir, "node", "index.mjs"), "export const handler = async () => ({ ok: true });\n");
  const fn = (name: string, runtime: string, handler: string, code: string) => `  ${name}:\n    runtime: ${runtime}\n    handler: ${handler}\n    codeUri: ./${code}\n`;
  const fns = [
    fn("py-warm", "python3.12", "app.handler", "py"),
    fn("node-warm", "nodejs24.x", "index.handler", "node"),
    ...coldNames("py-cold", COLD_N).map((name) => fn(name, "python3.12", "app.handler", "py")),
  ];
  writeFileSync(join(dir, "lambda-sim.yaml"), `functions:\n${fns.join("")}`);
  return join(dir, "lambda-sim.yaml");
}

const fmt = (n: number) => n.toFixed(2).padStart(8);

async function main(): Promise<void> {
  // The interpreter the simulator will choose for python3.12 (README "Python functions").
  const py = pythonInterpreter("python3.12");
  if (py === undefined) {
    console.log("no python3 on this machine: nothing to measure");
    return;
  }
  const { executable, version } = py;
  const config = setUp();
  const sim = await startSimulator([], ["--in-memory", "--config", config]);
  try {
    console.log(`node ${process.version}, python3.12 functions on Python ${version} (${executable}, from ${py.source}), ${WARM_N} warm invocations per function${quick ? " (quick)" : ""}\n`);
    // The first Python start compiles the bootstrap's .pyc files: not a cold start to count.
    await invoke(sim.port, "py-warm");
    if (!onlyCold) {
      const pyWarm = await warm(sim.port, "py-warm");
      const node = await warm(sim.port, "node-warm");
      console.log("warm invoke, 1 caller |   p50 ms |   p99 ms");
      console.log(`python3.12            | ${fmt(pyWarm.p50)} | ${fmt(pyWarm.p99)}`);
      console.log(`nodejs24.x            | ${fmt(node.p50)} | ${fmt(node.p99)}`);
      console.log(`python / node p50: ${(pyWarm.p50 / node.p50).toFixed(2)}x (goal <= 1.2x)\n`);
    }
    // py-warm's first Init started the pool's sandbox for this key; 500 ms lets each refill come up.
    const pooled = await coldStarts((name) => invoke(sim.port, name), "py-cold", COLD_N, 500);
    const noPoolSim = await startSimulator([], ["--in-memory", "--config", config], { LAMBDA_SIM_SANDBOX_POOL: "0" });
    let noPool: number;
    try {
      await invoke(noPoolSim.port, "py-warm");
      noPool = await spreadColdStarts((name) => invoke(noPoolSim.port, name), "py-cold", COLD_N, 100);
    } finally {
      noPoolSim.child.kill("SIGTERM");
    }
    const bare = bareStartMs(executable);
    printCold(`median of ${COLD_N}, against \`${executable} -c pass\``, pooled, noPool, bare, await bareBurst(executable, ["-c", "pass"]), 1.5);
    const barePath = bareStartMs("python3");
    console.log(`  bare \`python3 -c pass\` through PATH, median of 11: ${barePath.toFixed(1)} ms (ready sandbox ${(pooled.ready / barePath).toFixed(2)}x, no pool ${(noPool / barePath).toFixed(2)}x)`);
  } finally {
    sim.child.kill("SIGTERM");
    agent.destroy();
  }
}

await main();
