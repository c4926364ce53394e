// bench/memory: the server's memory (issue 16's goals: RSS <= 100 MB with the bundled example idle;
// memory flat over 1,000,000 invocations).
//
//   node bench/memory.ts [--quick]      BENCH_INVOCATIONS=N (default 1,000,000; --quick 200,000)
//
// 1. Idle: `lambda-sim start` with the bundled example (what `npm start` runs), once its startup
//    work is done and its environments are frozen, beside two references measured in the same run:
//    a bare `node` process, and the floor a server like ours cannot go below: one process that
//    loads the libraries an idle lambda-sim has loaded (better-sqlite3 with a WAL database, yaml,
//    zod, commander; express and ws wait for the first /_sim request) and listens on a port,
//    doing nothing else.
// 2. Over N warm invocations of a no-op handler from 8 callers: the server's RSS after each tenth,
//    and the growth after the first tenth (the warm-up: code optimised, caches filled).
// RSS is read from /proc/PID/status (Linux): anonymous and file-backed (the node binary's pages).
import { readFileSync, mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { spawn, type ChildProcess } from "node:child_process";
import { measure, post } from "./http-load.ts";
import { cpuMs, startSimulator } from "./support.ts";

const quick = process.argv.includes("--quick");
const INVOCATIONS = Number(process.env.BENCH_INVOCATIONS ?? (quick ? 200_000 : 1_000_000));
const EXAMPLE = fileURLToPath(new URL("../examples/lambda-sim.yaml", import.meta.url));
/** BENCH_NODE_FLAGS="--flag ...": node flags for the simulator process (to compare V8 settings). */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? "").split(" ").filter(Boolean);
const CLI_PACKAGE = fileURLToPath(new URL("../packages/cli/package.json", import.meta.url));

interface Rss {
  total: number;
  anon: number;
  file: number;
}

function rss(pid: number): Rss {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0) / 1024;
  return { total: kb("VmRSS"), anon: kb("RssAnon"), file: kb("RssFile") + kb("RssShmem") };
}

const mb = (n: number) => n.toFixed(1).padStart(7);
const row = (name: string, r: Rss, ref?: Rss) =>
  `${name.padEnd(44)} ${mb(r.total)} MB  (anon ${mb(r.anon)}, file ${mb(r.file)})${ref ? `   ${(r.total / ref.total).toFixed(2)}x the floor` : ""}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** RSS once it has stopped moving (two readings a second apart within 0.5 MB), at most 20 s. */
async function settled(pid: number): Promise<Rss> {
  let last = rss(pid);
  for (let i = 0; i < 20; i++) {
    await sleep(1000);
    const now = rss(pid);
    if (Math.abs(now.total - last.total) < 0.5) return now;
    last = now;
  }
  return last;
}

// The libraries an idle lambda-sim has loaded: express and ws wait for the first /_sim request
// and WebSocket (sim-api.ts, events-socket.ts), so the floor loads neither.
const FLOOR = `
const lib = require("node:module").createRequire(process.argv[1]);
const Database = lib("better-sqlite3");
lib("yaml"); lib("zod"); lib("commander");
const db = new Database(process.argv[2]); db.pragma("journal_mode = WAL"); db.exec("create table t(a)"); db.prepare("insert into t values (?)").run(1);
const server = require("node:http").createServer((req, res) => res.end());
server.listen(0, "127.0.0.1", () => console.log("ready"));
`;

async function startIdle(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((r) => child.stdout!.once("data", () => r()));
  return child;
}

function noopConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-bench-"));
  mkdirSync(join(dir, "noop"));
  writeFileSync(join(dir, "noop", "index.mjs"), "export const handler = async () => ({ ok: true });\n");
  writeFileSync(join(dir, "lambda-sim.yaml"), "functions:\n  noop:\n    runtime: nodejs24.x\n    handler: index.handler\n    codeUri: ./noop\n");
  return join(dir, "lambda-sim.yaml");
}

async function idle(): Promise<void> {
  const state = mkdtempSync(join(tmpdir(), "lambda-sim-bench-state-"));
  const bare = await startIdle(["-e", 'console.log("ready"); setInterval(() => {}, 1 << 30)']);
  const floor = await startIdle(["-e", FLOOR, createRequire(CLI_PACKAGE).resolve("express"), join(state, "floor.db")]);
  // Node's compile cache (bin/lambda-sim.js) keeps the type-stripped sources: a first start after
  // an install or an upgrade strips them with a WebAssembly module that stays in memory.
  const compileCache = { NODE_COMPILE_CACHE: mkdtempSync(join(tmpdir(), "lambda-sim-bench-cache-")) };
  const first = await startSimulator(NODE_FLAGS, ["--config", EXAMPLE, "--state", join(state, "first")], compileCache);
  const firstRss = await settled(first.child.pid!);
  first.child.kill("SIGTERM");
  const sim = await startSimulator(NODE_FLAGS, ["--config", EXAMPLE, "--state", join(state, "sim")], compileCache);
  try {
    // The example's startup work (provisioned environments, first schedules) done and frozen.
    const [b, f, s] = [await settled(bare.pid!), await settled(floor.pid!), await settled(sim.child.pid!)];
    console.log("idle RSS");
    console.log(row("bare `node`", b));
    console.log(row("floor: same libraries, one port, nothing else", f));
    console.log(row("lambda-sim start, bundled example, idle", s, f) + "   (goal <= 100 MB)");
    console.log(row("  its first start (empty compile cache)", firstRss, f));
  } finally {
    for (const c of [bare, floor, sim.child]) c.kill("SIGTERM");
  }
}

async function overInvocations(): Promise<void> {
  const sim = await startSimulator(NODE_FLAGS, ["--in-memory", "--config", noopConfig()]);
  const path = "/2015-03-31/functions/noop/invocations";
  const tenth = Math.floor(INVOCATIONS / 10);
  try {
    console.log(`\nRSS over ${INVOCATIONS.toLocaleString("en-US")} warm invocations (8 callers)`);
    const start = rss(sim.child.pid!);
    console.log(`${"before".padStart(10)}  ${mb(start.total)} MB`);
    let afterWarmUp = start;
    let last = start;
    for (let i = 1; i <= 10; i++) {
      const cpu0 = cpuMs(sim.child.pid) ?? 0;
      const run = await measure(8, tenth, () => post(sim.port, path));
      const cpuPerInvocation = (((cpuMs(sim.child.pid) ?? 0) - cpu0) * 1000) / tenth;
      last = rss(sim.child.pid!);
      if (i === 1) afterWarmUp = last;
      console.log(`${(i * tenth).toLocaleString("en-US").padStart(10)}  ${mb(last.total)} MB   ${run.perSecond.toFixed(0).padStart(6)} inv/s   server CPU ${cpuPerInvocation.toFixed(0)} µs/invocation`);
    }
    const growth = last.total - afterWarmUp.total;
    console.log(`growth after the first tenth: ${growth.toFixed(1)} MB over ${(INVOCATIONS - tenth).toLocaleString("en-US")} invocations (${((growth * 1048576 * 1000) / (INVOCATIONS - tenth)).toFixed(0)} bytes per 1,000 invocations)`);
  } finally {
    sim.child.kill("SIGTERM");
  }
}

await idle();
if (!process.argv.includes("--idle")) await overInvocations();
process.exit(0);
