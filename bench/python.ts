// bench/python: the Python runtime beside its references, measured in the same run (issue 20).
//
//   node bench/python.ts [--quick]
//
// Warm synchronous invocations of a no-op Python handler through the Lambda REST API (1 caller,
// p50 and p99) beside the same for a no-op Node.js handler; cold start (new environment to first
// response) of the Python handler beside a bare `python3 -c pass` of the interpreter the simulator
// uses, and of the `python3` on PATH as a user would type it (a pyenv shim costs much more).
// Goals: cold <= 1.5x the bare interpreter start; warm p50 within 1.2x of Node's.
import { spawnSync } from "node:child_process";
import { Agent, request } from "node:http";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pythonInterpreter } from "../packages/core/src/runtime/python-interpreter.ts";
import { startSimulator } from "./support.ts";

const quick = process.argv.includes("--quick");
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
    ...Array.from({ length: COLD_N }, (_, i) => fn(`py-cold${i}`, "python3.12", "app.handler", "py")),
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
  const sim = await startSimulator([], ["--in-memory", "--config", setUp()]);
  try {
    console.log(`node ${process.version}, python3.12 functions on Python ${version} (${executable}, from ${py.source}), ${WARM_N} warm invocations per function${quick ? " (quick)" : ""}\n`);
    // The first Python start compiles the bootstrap's .pyc files: not a cold start to count.
    await invoke(sim.port, "py-warm");
    const pyWarm = await warm(sim.port, "py-warm");
    const node = await warm(sim.port, "node-warm");
    console.log("warm invoke, 1 caller |   p50 ms |   p99 ms");
    console.log(`python3.12            | ${fmt(pyWarm.p50)} | ${fmt(pyWarm.p99)}`);
    console.log(`nodejs24.x            | ${fmt(node.p50)} | ${fmt(node.p99)}`);
    console.log(`python / node p50: ${(pyWarm.p50 / node.p50).toFixed(2)}x (goal <= 1.2x)\n`);

    const cold: number[] = [];
    for (let i = 0; i < COLD_N; i++) {
      const t0 = performance.now();
      await invoke(sim.port, `py-cold${i}`);
      cold.push(performance.now() - t0);
    }
    const coldMedian = percentiles(cold).p50;
    const bare = bareStartMs(executable);
    const barePath = bareStartMs("python3");
    console.log(`cold start (new environment to first response), median of ${COLD_N}: ${coldMedian.toFixed(1)} ms`);
    console.log(`bare \`${executable} -c pass\`, median of 11:     ${bare.toFixed(1)} ms   ratio ${(coldMedian / bare).toFixed(2)}x (goal <= 1.5x)`);
    console.log(`bare \`python3 -c pass\` through PATH, median of 11: ${barePath.toFixed(1)} ms   ratio ${(coldMedian / barePath).toFixed(2)}x`);
  } finally {
    sim.child.kill("SIGTERM");
    agent.destroy();
  }
}

await main();
