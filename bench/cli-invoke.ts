// `lambda-sim invoke NAME` as a whole process, installed as a user installs it: packed, installed
// into a scratch project with npm, run from that project's node_modules/.bin (the Node 24 npm put
// there runs it). Printed beside `node -e 0` (the floor of any Node process) and a one-shot
// `fetch` of the same Invoke (the floor of a Node process that makes the call), in the same run.
// Goal (issue 13): lambda-sim invoke <= 300 ms, printed met or missed beside its median.
//   npm run bench:cli
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { packLambdaSim, scratchProject, startIn } from "../test/support/scratch-project.ts";
import { userEnv } from "../test/support/user-env.ts";

const RUNS = Number(process.env.RUNS ?? 20);

process.stdout.write("packing lambda-sim and installing it into a scratch project (npm install -D)...\n");
const dir = scratchProject(packLambdaSim());
const bin = join(dir, "node_modules/.bin");
const sim = await startIn(dir, join(bin, "lambda-sim"), ["start", "--port", "0", "--in-memory"]);
const invokeUrl = `${sim.endpoint}/2015-03-31/functions/greet/invocations`;
// The user's shell in that project: its node_modules/.bin first, as npm scripts and npx have it.
const env = userEnv({ PATH: `${bin}:${userEnv().PATH}` });

/** Issue 13's goal for `lambda-sim invoke NAME` as a whole process, installed as a user installs it. */
const GOAL_MS = 300;

function time(label: string, command: string, args: string[]): { label: string; median: number; p90: number; min: number; goal?: number } {
  const ms: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const start = performance.now();
    const r = spawnSync(command, args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    const elapsed = performance.now() - start;
    if (r.status !== 0) throw new Error(`${label} failed: ${r.stderr}`);
    if (i >= 2) ms.push(elapsed); // the first two warm the page cache and V8's compile cache
  }
  ms.sort((a, b) => a - b);
  return { label, median: ms[Math.floor(ms.length / 2)]!, p90: ms[Math.floor(ms.length * 0.9)]!, min: ms[0]! };
}

try {
  const node = join(bin, "node");
  const rows = [
    time("node -e 0", node, ["-e", "0"]),
    time("node: one fetch of Invoke", node, ["--input-type=module", "-e", `const r = await fetch(${JSON.stringify(invokeUrl)}, { method: "POST", body: '{"name":"Ada"}' }); await r.text();`]),
    { ...time("lambda-sim invoke greet", join(bin, "lambda-sim"), ["invoke", "greet", "--payload", '{"name":"Ada"}', "--endpoint", sim.endpoint]), goal: GOAL_MS },
    time("npx lambda-sim invoke greet", "npx", ["lambda-sim", "invoke", "greet", "--payload", '{"name":"Ada"}', "--endpoint", sim.endpoint]),
  ];
  process.stdout.write(`\nwhole-process wall time, ${RUNS} runs each (Node ${spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim()})\n`);
  process.stdout.write(`${"".padEnd(32)}${"median".padStart(10)}${"p90".padStart(10)}${"min".padStart(10)}\n`);
  for (const r of rows) {
    // The median against the goal, beside the figure it judges.
    const goal = r.goal === undefined ? "" : `   (goal ≤ ${r.goal} ms: ${r.median <= r.goal ? "met" : "missed"})`;
    process.stdout.write(`${r.label.padEnd(32)}${`${r.median.toFixed(0)} ms`.padStart(10)}${`${r.p90.toFixed(0)} ms`.padStart(10)}${`${r.min.toFixed(0)} ms`.padStart(10)}${goal}\n`);
  }
} finally {
  process.kill(-sim.child.pid!, "SIGTERM");
}
