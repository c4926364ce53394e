// bench/sqs: messages per second through the SQS JSON protocol with the durable store (issue 4,
// part 1), beside the raw SQLite insert + select + delete rate measured in the same run.
//
//   node bench/sqs.ts [--quick]
//
// (1) Each worker loops SendMessageBatch (10) → ReceiveMessage (10) → DeleteMessageBatch (10)
// against a simulator in its own process with a state directory (WAL, synchronous=NORMAL). The
// floor does the same three steps straight on SQLite with the same settings, in this process.
// (2) End to end: messages sent in batches of 10 to a queue consumed by an event source mapping
// (batch 10, MaximumConcurrency 8: every concurrent batch is a real process here) into a no-op
// Node function, until the queue is empty: messages/s, and p50/p99 from SentTimestamp to the
// handler (which appends its latencies to a file beside its code).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { awsJsonAgent, awsJsonCall, cpuMs, rawSqlite, startSimulator } from "./support.ts";

const quick = process.argv.includes("--quick");
const ROUNDS = quick ? 500 : 2_000;
const WORKERS = 4;

const call = (port: number, operation: string, input: unknown) => awsJsonCall(port, `AmazonSQS.${operation}`, input);

async function throughApi(port: number): Promise<number> {
  const { QueueUrl } = await call(port, "CreateQueue", { QueueName: "bench" });
  let moved = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      for (let r = 0; r < ROUNDS / WORKERS; r++) {
        const Entries = Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `{"worker":${w},"round":${r},"i":${i}}` }));
        await call(port, "SendMessageBatch", { QueueUrl, Entries });
        const got = await call(port, "ReceiveMessage", { QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 });
        const messages: { ReceiptHandle: string }[] = got.Messages ?? [];
        if (messages.length > 0) {
          await call(port, "DeleteMessageBatch", { QueueUrl, Entries: messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) });
        }
        moved += messages.length;
      }
    }),
  );
  return (moved / (performance.now() - started)) * 1000;
}

function sqliteFloor(dir: string): number {
  const db = rawSqlite(join(dir, "floor.db"));
  db.exec("CREATE TABLE m (seq INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT, body TEXT, visible_at INTEGER, handle TEXT)");
  db.exec("CREATE INDEX m_vis ON m (queue, visible_at, seq)");
  const insert = db.prepare("INSERT INTO m (queue, body, visible_at) VALUES ('q', ?, 0)");
  const select = db.prepare("SELECT seq FROM m WHERE queue = 'q' AND visible_at <= ? ORDER BY seq LIMIT 10");
  const hide = db.prepare("UPDATE m SET visible_at = ?, handle = ? WHERE seq = ?");
  const del = db.prepare("DELETE FROM m WHERE seq = ?");
  const started = performance.now();
  let moved = 0;
  for (let r = 0; r < ROUNDS; r++) {
    db.transaction(() => {
      for (let i = 0; i < 10; i++) insert.run(`{"round":${r},"i":${i}}`);
    })();
    const rows = db.transaction(() => {
      const rs = select.all(r) as { seq: number }[];
      for (const row of rs) hide.run(r + 30_000, `h${row.seq}`, row.seq);
      return rs;
    })();
    db.transaction(() => {
      for (const row of rows) del.run(row.seq);
    })();
    moved += rows.length;
  }
  const rate = (moved / (performance.now() - started)) * 1000;
  db.close();
  return rate;
}

const END_TO_END = quick ? 20_000 : 100_000;

/** The handlers' stats folders, removed at the end. */
const statsDirs: string[] = [];

/** The consumer, its queue and the mapping; the handler appends latencies to `statsDir`. */
function endToEndConfig(dir: string): { config: string; statsDir: string } {
  // Neither in the function's folder (read-only in its environment, as /var/task is) nor under
  // /tmp (its environment's /tmp is its own): where the handler and the benchmark both see it.
  mkdirSync(join(dir, "consumer"), { recursive: true });
  const statsDir = mkdtempSync(join(existsSync("/var/tmp") ? "/var/tmp" : homedir(), "lambda-sim-bench-sqs-stats-"));
  statsDirs.push(statsDir);
  writeFileSync(
    join(dir, "consumer", "index.mjs"),
    `import { appendFileSync } from "node:fs";
const file = ${JSON.stringify(statsDir)} + "/" + process.pid;
export const handler = async (event) => {
  const now = Date.now();
  appendFileSync(file, event.Records.map((r) => now - Number(r.attributes.SentTimestamp)).join("\\n") + "\\n");
};
`,
  );
  const config = join(dir, "e2e.yaml");
  writeFileSync(
    config,
    [
      "functions:",
      "  consumer: { runtime: nodejs24.x, handler: index.handler, codeUri: ./consumer }",
      "queues:",
      "  e2e: {}",
      "eventSourceMappings:",
      "  - { functionName: consumer, eventSourceArn: sqs:e2e, batchSize: 10, scalingConfig: { maximumConcurrency: 8 } }",
      "",
    ].join("\n"),
  );
  return { config, statsDir };
}

async function endToEnd(port: number, pid: number | undefined, statsDir: string): Promise<{ rate: number; p50: number; p99: number; cpuPer1000?: number }> {
  const QueueUrl = `http://127.0.0.1:${port}/000000000000/e2e`;
  const cpuBefore = cpuMs(pid);
  const started = performance.now();
  let sent = 0;
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (sent < END_TO_END) {
        sent += 10;
        await call(port, "SendMessageBatch", { QueueUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `{"n":${sent + i}}` })) });
      }
    }),
  );
  for (;;) {
    const a = (await call(port, "GetQueueAttributes", { QueueUrl, AttributeNames: ["All"] })).Attributes;
    if (a.ApproximateNumberOfMessages === "0" && a.ApproximateNumberOfMessagesNotVisible === "0") break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const elapsed = performance.now() - started;
  const cpuAfter = cpuMs(pid);
  const latencies = readdirSync(statsDir)
    .flatMap((f) => readFileSync(join(statsDir, f), "utf8").split("\n"))
    .filter((l) => l !== "")
    .map(Number)
    .sort((x, y) => x - y);
  const cpuPer1000 = cpuBefore === undefined || cpuAfter === undefined ? undefined : ((cpuAfter - cpuBefore) / latencies.length) * 1000;
  return { rate: (latencies.length / elapsed) * 1000, p50: latencies[Math.floor(latencies.length * 0.5)]!, p99: latencies[Math.floor(latencies.length * 0.99)]!, cpuPer1000 };
}

const dir = mkdtempSync(join(tmpdir(), "lambda-sim-bench-sqs-"));
try {
  const { config, statsDir } = endToEndConfig(dir);
  // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the simulator (as bench/kinesis.ts).
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(" ") ?? [];
  const e2eSim = await startSimulator(nodeArgs, ["--state", join(dir, "e2e-state"), "--config", config]);
  const e2e = await endToEnd(e2eSim.port, e2eSim.child.pid, statsDir).finally(() => e2eSim.child.kill("SIGTERM"));
  const apiSim = await startSimulator(nodeArgs, ["--state", join(dir, "api-state")]);
  const api = await throughApi(apiSim.port).finally(() => apiSim.child.kill("SIGTERM"));
  const floor = sqliteFloor(dir);
  console.log(`node ${process.version}: ${ROUNDS} rounds of send 10 / receive 10 / delete 10, ${WORKERS} workers`);
  console.log(`through the SQS JSON API (durable store): ${api.toFixed(0)} messages/s   (goal ≥ 5,000)`);
  console.log(`raw SQLite insert + select + delete:       ${floor.toFixed(0)} messages/s   (floor; ratio ${(floor / api).toFixed(1)}x)`);
  console.log(`end to end, ${END_TO_END} messages through an ESM (batch 10) into a no-op function: ${e2e.rate.toFixed(0)} messages/s   (goal ≥ 8,000, issue 16)`);
  console.log(`  send → handler latency: p50 ${e2e.p50} ms, p99 ${e2e.p99} ms`);
  // Sends, receives, invocations and deletes together: steadier than the rate on a shared machine.
  if (e2e.cpuPer1000 !== undefined) console.log(`  simulator CPU: ${e2e.cpuPer1000.toFixed(0)} ms per 1,000 messages`);
} finally {
  awsJsonAgent.destroy();
  rmSync(dir, { recursive: true, force: true });
  for (const d of statsDirs) rmSync(d, { recursive: true, force: true });
}
