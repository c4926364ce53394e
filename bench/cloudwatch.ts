// bench/cloudwatch: what CloudWatch Logs and metrics add to each invocation (issue 15).
//
//   node bench/cloudwatch.ts [--quick]
//
// The telemetry of one warm invocation as the invoker emits it (invocation.admitted, START, two
// lines of function output, END, REPORT, invocation.finished) is emitted N times through a
// simulator with a state directory (WAL, as `lambda-sim start` runs), letting the event loop turn
// every 50 invocations so the logs' group commits and the metrics' minute flushes happen as they
// would. Beside it, in the same run: the same events through a simulator without the CloudWatch
// sources (no subscriber), then with Logs, metrics, and both; and the floor of the logs' writes:
// the same five rows per invocation inserted straight into SQLite (same settings, one transaction
// per 50 invocations, one statement of 50 rows per 10 invocations), with nothing else. The difference is the cost per invocation, to be
// read beside `npm run bench`'s warm invoke p50 (about 1 ms on a quiet machine).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Simulator, type Source } from "@lambda-sim/core";
import { cloudwatchLogsSource, cloudwatchMetricsSource } from "@lambda-sim/sources";
import { median, rawSqlite } from "./support.ts";

const quick = process.argv.includes("--quick");
const N = quick ? 20_000 : 100_000;
const RUNS = 3;

async function perInvocationMicros(sources: Source<any>[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-bench-cw-"));
  const sim = await Simulator.start({ port: 0, seed: 1, stateDir: dir, sources });
  const t = sim.telemetry;
  const env = "0123456789abcdef0123456789abcdef";
  t.emit({ type: "environment.state-changed", environmentId: env, functionName: "noop", version: "$LATEST", from: "none", to: "initializing" });
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    const requestId = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    t.emit({ type: "invocation.admitted", functionName: "noop", qualifier: "$LATEST", newEnvironment: false, concurrentExecutions: 1, accountConcurrentExecutions: 1, unreservedConcurrentExecutions: 1 });
    t.emit({ type: "function.log", functionName: "noop", environmentId: env, requestId, text: `START RequestId: ${requestId} Version: $LATEST\n` });
    t.emit({ type: "function.log", functionName: "noop", environmentId: env, requestId, text: `2026-01-01T00:00:00.000Z\t${requestId}\tINFO\thandled order ${i}\n` });
    t.emit({ type: "function.log", functionName: "noop", environmentId: env, requestId, text: `2026-01-01T00:00:00.000Z\t${requestId}\tINFO\t{"order":${i},"latency":12}\n` });
    t.emit({ type: "function.log", functionName: "noop", environmentId: env, requestId, text: `END RequestId: ${requestId}\n` });
    t.emit({
      type: "function.log",
      functionName: "noop",
      environmentId: env,
      requestId,
      text: `REPORT RequestId: ${requestId}\tDuration: 1.20 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t\n`,
    });
    t.emit({ type: "invocation.finished", requestId, functionName: "noop", version: "$LATEST", environmentId: env, durationMs: 1.2, billedDurationMs: 2, maxMemoryUsedMb: 40, status: "success" });
    if (i % 50 === 49) await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setImmediate(r));
  const elapsed = performance.now() - started;
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
  return (elapsed * 1000) / N;
}

/** Five 100-byte rows per invocation into a table shaped like logs_events, as raw as it gets: 50 rows per statement. */
function rawInsertMicros(): number {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-bench-cw-raw-"));
  const db = rawSqlite(join(dir, "raw.db"));
  db.exec("CREATE TABLE e (seq INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, stream_id INTEGER NOT NULL, timestamp INTEGER NOT NULL, message TEXT NOT NULL); CREATE INDEX e_by_group ON e (group_id, seq);");
  const insert = db.prepare(`INSERT INTO e (group_id, stream_id, timestamp, message) VALUES ${Array.from({ length: 50 }, () => "(1, 1, ?, ?)").join(", ")}`);
  const block = db.transaction((from: number) => {
    for (let i = from; i < from + 50; i += 10) {
      const params: unknown[] = [];
      for (let k = i; k < i + 10; k++) for (let l = 0; l < 5; l++) params.push(k, `2026-01-01T00:00:00.000Z\t00000000-0000-4000-8000-${String(k).padStart(12, "0")}\tINFO\thandled order ${k}\n`);
      insert.run(params);
    }
  });
  const started = performance.now();
  for (let i = 0; i < N; i += 50) block(i);
  const elapsed = performance.now() - started;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return (elapsed * 1000) / N;
}

const fmt = (n: number) => n.toFixed(2).padStart(8);
console.log(`node ${process.version}, ${N} invocations' telemetry per run, median of ${RUNS} runs each\n`);
const configs: [string, Source<any>[]][] = [
  ["no subscriber (reference)", []],
  ["CloudWatch Logs", [cloudwatchLogsSource]],
  ["CloudWatch metrics", [cloudwatchMetricsSource]],
  ["CloudWatch Logs + metrics", [cloudwatchLogsSource, cloudwatchMetricsSource]],
];
const results = configs.map(() => [] as number[]);
for (let r = 0; r < RUNS; r++) for (const [i, [, sources]] of configs.entries()) results[i]!.push(await perInvocationMicros(sources));
const reference = median(results[0]!);
console.log("                              | µs per invocation | added");
for (const [i, [name]] of configs.entries()) console.log(`${name.padEnd(30)}| ${fmt(median(results[i]!))}          | ${fmt(median(results[i]!) - reference)}`);
const raw = median(Array.from({ length: RUNS }, rawInsertMicros));
console.log(`${"raw SQLite, 5 rows (floor)".padEnd(30)}| ${fmt(raw)}          |`);
