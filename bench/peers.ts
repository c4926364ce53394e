// bench/peers: lambda-sim's warm invoke beside its peers, in one run with alternating blocks (issue 16).
//
//   node bench/peers.ts [--quick]
//
// The same no-op handler invoked through the Lambda Invoke API by keep-alive callers (1 and 8):
// lambda-sim (every invocation in its own environment process; also with --busy-poll 0, its event
// loop sleeping whenever idle as the other servers' do), serverless-offline in its default
// worker-thread mode and in its in-process mode (--useInProcess: no isolation at all), the floor, a
// bare node:http server, and the isolation floor: that server handing each event to one child
// process over a socket pair per direction, the least a design with a process per environment pays. Each target runs in its own process; blocks alternate so that a
// loaded machine's noise falls on all of them alike, and the medians and ratios are printed.
// serverless-offline is installed into a scratch folder from the registry by package name (never a
// project dependency); when that fails its columns are skipped with the reason.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agent, measure, post, settled, startFloorServer, startIsolationFloorServer, type Run } from "./http-load.ts";
import { freePort, median, startSimulator } from "./support.ts";

const quick = process.argv.includes("--quick");
const BLOCK_N = quick ? 1_000 : 4_000;
const ROUNDS = quick ? 3 : 5;
/** Parts of BLOCK_N in the uncounted warm-up at each caller count (20,000 invocations in all). */
const WARM_PARTS = quick ? 1 : 5;
const PEERS_DIR = join(tmpdir(), "lambda-sim-bench-peers");
// serverless-offline 13 is the last line for the Serverless Framework v3 (v4 needs an account).
const PACKAGES = ["serverless@3", "serverless-offline@13"];
const HANDLER = "module.exports.handler = async () => ({ ok: true });\n";

interface Target {
  name: string;
  port: number;
  path: string;
  /** Its server process, whose settling is awaited after the warm-up (settled()). */
  pid?: number;
  stop(): void;
}

/** The scratch project both serverless-offline modes serve; installs the packages on first use. */
function serverlessProject(): string | { skipped: string } {
  mkdirSync(PEERS_DIR, { recursive: true });
  writeFileSync(join(PEERS_DIR, "index.js"), HANDLER);
  writeFileSync(
    join(PEERS_DIR, "serverless.yml"),
    'service: peers\nframeworkVersion: "3"\nprovider: { name: aws, runtime: nodejs20.x, region: us-east-1, stage: dev }\nfunctions:\n  noop: { handler: index.handler }\nplugins: [serverless-offline]\n',
  );
  const cli = join(PEERS_DIR, "node_modules", "serverless", "bin", "serverless.js");
  if (existsSync(cli) && existsSync(join(PEERS_DIR, "node_modules", "serverless-offline"))) return cli;
  if (!existsSync(join(PEERS_DIR, "package.json"))) writeFileSync(join(PEERS_DIR, "package.json"), '{ "private": true }\n');
  console.log(`installing ${PACKAGES.join(" ")} into ${PEERS_DIR} ...`);
  const npm = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...PACKAGES], { cwd: PEERS_DIR, encoding: "utf8", timeout: 15 * 60_000 });
  if (npm.status !== 0 || !existsSync(cli)) return { skipped: `npm install ${PACKAGES.join(" ")} failed: ${(npm.stderr || npm.error?.message || "").trim().split("\n").slice(-3).join(" / ")}` };
  return cli;
}

/** `serverless offline start` in its own process; resolves once its Lambda endpoint answers. */
async function startServerlessOffline(cli: string, name: string, extra: string[]): Promise<Target> {
  const [httpPort, lambdaPort] = [await freePort(), await freePort()];
  const env = { ...process.env, SLS_TELEMETRY_DISABLED: "1", SLS_NOTIFICATIONS_MODE: "off", AWS_ACCESS_KEY_ID: "x", AWS_SECRET_ACCESS_KEY: "x" };
  const args = [cli, "offline", "start", "--httpPort", String(httpPort), "--lambdaPort", String(lambdaPort), "--noPrependStageInUrl", ...extra];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: PEERS_DIR, env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
  const path = "/2015-03-31/functions/peers-dev-noop/invocations";
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`serverless offline exited with ${child.exitCode}: ${stderr.slice(-500)}`);
    if ((await post(lambdaPort, path).catch(() => 0)) === 200) return { name, port: lambdaPort, path, pid: child.pid, stop: () => child.kill("SIGINT") };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`serverless offline did not answer: ${stderr.slice(-500)}`);
}

/** `extra`: start options (`--busy-poll 0`: the event loop sleeps as soon as it is idle, as the floors' do). */
async function startLambdaSim(name: string, extra: string[]): Promise<Target> {
  const dir = join(tmpdir(), `lambda-sim-bench-peers-sim-${process.pid}`);
  mkdirSync(join(dir, "noop"), { recursive: true });
  writeFileSync(join(dir, "noop", "index.js"), HANDLER);
  writeFileSync(join(dir, "lambda-sim.yaml"), "functions:\n  noop: { runtime: nodejs24.x, handler: index.handler, codeUri: ./noop }\n");
  const sim = await startSimulator([], ["--in-memory", "--config", join(dir, "lambda-sim.yaml"), ...extra]);
  return { name, port: sim.port, path: "/2015-03-31/functions/noop/invocations", pid: sim.child.pid, stop: () => sim.child.kill("SIGTERM") };
}

const cell = (n: number, digits: number, width: number) => n.toFixed(digits).padStart(width);

async function main(): Promise<void> {
  const floorProcess = await startFloorServer();
  const isolationProcess = await startIsolationFloorServer();
  const targets: Target[] = [
    { name: "node:http floor", port: floorProcess.port, path: "/", stop: () => floorProcess.child.kill() },
    { name: "isolation floor (a process each)", port: isolationProcess.port, path: "/", stop: () => isolationProcess.child.kill() },
  ];
  const skipped: string[] = [];
  try {
    targets.push(await startLambdaSim("lambda-sim", []));
    targets.push(await startLambdaSim("lambda-sim --busy-poll 0", ["--busy-poll", "0"]));
    const cli = serverlessProject();
    if (typeof cli !== "string") skipped.push(`serverless-offline: ${cli.skipped}`);
    else {
      for (const [name, extra] of [["serverless-offline (worker threads)", []], ["serverless-offline (in-process)", ["--useInProcess"]]] as const) {
        try {
          targets.push(await startServerlessOffline(cli, name, [...extra]));
        } catch (e) {
          skipped.push(`${name}: ${(e as Error).message}`);
        }
      }
    }
    for (const t of targets) await measure(8, 500, () => post(t.port, t.path));
    for (const t of targets) if (t.pid !== undefined) await settled(t.pid);

    console.log(`node ${process.version}: ${ROUNDS} alternating rounds of ${BLOCK_N} warm invocations per target and caller count, after a warm-up of ${WARM_PARTS * BLOCK_N} not counted${quick ? " (quick)" : ""}\n`);
    for (const callers of [1, 8]) {
      // A warm-up at this caller count first, not counted, in alternating parts: every target's code
      // for this load optimised. V8 tiers a function up after thousands of calls, and lambda-sim's
      // server runs many functions once per invocation: its CPU per invocation falls from ~385 to
      // ~205 µs over its first ~16,000 invocations and then holds (measured with a fresh server in
      // blocks of 2,000, stop 36), so a shorter warm-up leaves its first rounds measuring the
      // compiler rather than the warm steady state. Each part's ratio is printed: the way there.
      const warmUp = new Map<Target, Run[]>(targets.map((t) => [t, []]));
      for (let part = 0; part < WARM_PARTS; part++) for (const t of targets) warmUp.get(t)!.push(await measure(callers, BLOCK_N, () => post(t.port, t.path)));
      const runs = new Map<Target, Run[]>(targets.map((t) => [t, []]));
      for (let r = 0; r < ROUNDS; r++) for (const t of targets) runs.get(t)!.push(await measure(callers, BLOCK_N, () => post(t.port, t.path)));
      const floor = runs.get(targets[0]!)!;
      const floorP50 = median(floor.map((x) => x.p50));
      console.log(`${callers} caller(s)                          |   p50 ms |   p99 ms |    inv/s | p50 / floor | inv/s / floor`);
      for (const t of targets) {
        const rs = runs.get(t)!;
        const [p50, p99, rate] = [median(rs.map((x) => x.p50)), median(rs.map((x) => x.p99)), median(rs.map((x) => x.perSecond))];
        const floorRate = median(floor.map((x) => x.perSecond));
        console.log(`  ${t.name.padEnd(36)}| ${cell(p50, 3, 8)} | ${cell(p99, 3, 8)} | ${cell(rate, 0, 8)} | ${cell(p50 / floorP50, 2, 10)}x | ${cell(rate / floorRate, 2, 12)}x`);
      }
      // What lambda-sim adds beyond the process boundary itself.
      const p50Of = (name: string) => median(runs.get(targets.find((t) => t.name.startsWith(name))!)!.map((x) => x.p50));
      console.log(`  lambda-sim p50 / isolation floor p50: ${(p50Of("lambda-sim") / p50Of("isolation floor")).toFixed(2)}x`);
      // How much the floor itself moves between rounds, beside lambda-sim's ratio to the floor block of its own round.
      const sim = runs.get(targets.find((t) => t.name === "lambda-sim")!)!;
      console.log(`  by round: floor p50 ${floor.map((x) => (x.p50 * 1000).toFixed(0)).join(" / ")} µs; lambda-sim / floor ${sim.map((x, i) => (x.p50 / floor[i]!.p50).toFixed(2)).join(" / ")}`);
      const simTarget = targets.find((t) => t.name === "lambda-sim")!;
      const simWarm = warmUp.get(simTarget)!;
      const floorWarm = warmUp.get(targets[0]!)!;
      console.log(`  warm-up (not counted), by ${BLOCK_N}: lambda-sim / floor p50 ${simWarm.map((x, i) => (x.p50 / floorWarm[i]!.p50).toFixed(2)).join(" / ")}; inv/s ${simWarm.map((x) => x.perSecond.toFixed(0)).join(" / ")}`);
      console.log("");
    }
    for (const s of skipped) console.log(`skipped ${s}`);
  } finally {
    for (const t of targets) t.stop();
    agent.destroy();
  }
}

await main();
