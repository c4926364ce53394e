import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";
import { decisionsByInstant } from "./support/trace-decisions.ts";

const code = (fixture: string) => JSON.stringify(fileURLToPath(new URL(`./fixtures/functions/${fixture}/`, import.meta.url)));

/**
 * Issue 14's promise with real processes: an async function with both destinations (one event
 * failed by a fault), an SQS mapping throttled by a reserved concurrency (its worker given a
 * service time), and a Kinesis mapping bisecting around a poison record into its OnFailure queue.
 * The async burst comes last at its instant, so the clock has a later timer to jump to (the
 * worker's service time) when the last of its handlers answers: walkthrough F7's setting.
 */
function scenario(dir: string): string {
  const file = join(dir, "replay.yaml");
  writeFileSync(
    file,
    [
      "seed: 7",
      "duration: 3m",
      "functions:",
      `  notify: { runtime: nodejs24.x, handler: index.succeeds, codeUri: ${code("async")}, timeout: 5, eventInvokeConfig: { maximumRetryAttempts: 0, destinationConfig: { onSuccess: { destination: sqs:notify-ok }, onFailure: { destination: sqs:notify-failed } } } }`,
      `  worker: { runtime: nodejs24.x, handler: index.nothing, codeUri: ${code("node-basic")}, timeout: 5, reservedConcurrency: 2 }`,
      `  clicks: { runtime: nodejs24.x, handler: index.recorder, codeUri: ${code("kinesis-consumer")}, timeout: 5 }`,
      "queues:",
      "  jobs: { visibilityTimeout: 30, redrivePolicy: { deadLetterTargetArn: sqs:jobs-dlq, maxReceiveCount: 3 } }",
      "  jobs-dlq: {}",
      "  notify-ok: {}",
      "  notify-failed: {}",
      "  clicks-failed: {}",
      "streams:",
      "  clickstream: { shardCount: 1 }",
      "eventSourceMappings:",
      "  - { functionName: worker, eventSourceArn: sqs:jobs, batchSize: 5 }",
      "  - { functionName: clicks, eventSourceArn: kinesis:clickstream, startingPosition: TRIM_HORIZON, batchSize: 10, bisectBatchOnFunctionError: true, maximumRetryAttempts: 1, destinationConfig: { onFailure: { destination: sqs:clicks-failed } } }",
      "serviceTime: { worker: 1s }",
      "faults:",
      "  - { kind: error, function: notify, nth: [2] }",
      "traffic:",
      "  - put: { stream: clickstream, count: 20, partitionKeys: [a, b], poison: [7], poisonData: poison }",
      "  - send: { queue: jobs, count: 30 }",
      "  - invoke: { function: notify, count: 4 }",
      "  - wait: 30s",
      "  - invoke: { function: notify, count: 2 }",
      "expect:",
      "  delivered: { notify-ok: 5, notify-failed: 1 }",
      "  failedRecords: { clicks-failed: 1 }",
      "  throttles: { worker: { min: 1 } }",
    ].join("\n"),
  );
  return file;
}

type TraceEvent = { type: string; time: number; requestId?: string; functionName?: string; destination?: string; eventSourceArn?: string; attempt?: number; at?: number };
const events = (file: string): TraceEvent[] => readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as TraceEvent);

describe("lambda-sim run: replay with real processes", () => {
  it("makes the same service decisions at the same service times on a second run: async destinations, an SQS and a Kinesis mapping", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-replay-"));
    const file = scenario(dir);
    for (const t of ["a", "b"]) {
      const r = await runCli(["run", file, "--trace", join(dir, `${t}.jsonl`)]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
    for (const t of ["a", "b"]) {
      const trace = events(join(dir, `${t}.jsonl`));
      // What the comparison covers: every kind of decision the scenario is about.
      const types = new Set(trace.map((e) => `${e.type} ${e.destination ?? e.eventSourceArn?.split(":")[2] ?? ""}`));
      for (const kind of ["async.delivered OnSuccess", "async.delivered OnFailure", "mapping.batch sqs", "mapping.batch kinesis", "invocation.throttled "]) expect(types).toContain(kind);
      // A destination record is sent at the instant its invocation ended, not at the clock's next
      // timer (F7: the last handler of the burst to answer had its delivery a second late).
      const ended = new Map(trace.filter((e) => e.type === "invocation.finished").map((e) => [e.requestId, e.time]));
      const deliveries = trace.filter((e) => e.type === "async.delivered").map((e) => ({ requestId: e.requestId, time: e.time }));
      expect(deliveries).toHaveLength(6);
      expect(deliveries).toEqual(deliveries.map((d) => ({ requestId: d.requestId, time: ended.get(d.requestId) })));
    }
    expect(decisionsByInstant(join(dir, "b.jsonl"))).toEqual(decisionsByInstant(join(dir, "a.jsonl")));
  }, 120_000);

  it("gives overlapping failing async events the same retry times whatever order their handlers finish in", async () => {
    // Outside /tmp: the environments' handlers share its marker files, and each environment may have a /tmp of its own.
    const dir = mkdtempSync(join(homedir(), ".lambda-sim-test-replay-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    // The handler fails once the event before it in this run's order has failed, a marker file
    // later (and 100 ms of wall time more): a file outside the scenario sets the order per run,
    // ascending by event on the first run, descending on the second, so the five first attempts,
    // all started at one instant, finish in opposite orders whatever their cold starts took, while
    // every handler answers the same. (A pause of 300 ms per place let uneven cold starts on a
    // loaded machine keep the same order on both runs.)
    const order = join(dir, "order");
    const codeDir = join(dir, "code");
    mkdirSync(codeDir);
    writeFileSync(
      join(codeDir, "index.mjs"),
      [
        'import { existsSync, readFileSync, writeFileSync } from "node:fs";',
        "const pause = (ms) => new Promise((r) => setTimeout(r, ms));",
        "export const handler = async (event) => {",
        `  const [mode, marks] = readFileSync(${JSON.stringify(order)}, "utf8").split("\\n");`,
        "  const i = Number(event.i);",
        '  const before = mode === "reverse" ? i + 1 : i - 1;',
        "  for (let n = 0; n < 200 && before >= 0 && before <= 4 && !existsSync(`${marks}/${before}`); n++) await pause(20);",
        "  await pause(100);",
        "  writeFileSync(`${marks}/${i}`, \"\");",
        "  throw new Error(`event ${event.i} fails`);",
        "};",
      ].join("\n"),
    );
    const file = join(dir, "retries.yaml");
    writeFileSync(
      file,
      [
        "seed: 11",
        "duration: 10m",
        "functions:",
        `  flaky: { runtime: nodejs24.x, handler: index.handler, codeUri: ${JSON.stringify(codeDir)}, timeout: 5, eventInvokeConfig: { maximumRetryAttempts: 2, destinationConfig: { onFailure: { destination: sqs:flaky-failed } } } }`,
        "queues:",
        "  flaky-failed: {}",
        "traffic:",
        '  - invoke: { function: flaky, count: 5, payload: { i: "{i}" } }',
        "expect:",
        "  delivered: { flaky-failed: 5 }",
      ].join("\n"),
    );
    const runs = [];
    for (const t of ["ascending", "reverse"]) {
      const marks = join(dir, `marks-${t}`);
      mkdirSync(marks);
      writeFileSync(order, `${t}\n${marks}`);
      const trace = join(dir, `${t}.jsonl`);
      const r = await runCli(["run", file, "--trace", trace]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      runs.push(events(trace));
    }
    const [a, b] = runs as [TraceEvent[], TraceEvent[]];
    // The first attempts did finish in different orders (else this test proves nothing).
    const firstFailures = (trace: TraceEvent[]) => trace.filter((e) => e.type === "async.attempt.failed" && e.attempt === 1).map((e) => e.requestId);
    expect(firstFailures(a)).toHaveLength(5);
    expect(firstFailures(b)).not.toEqual(firstFailures(a));
    // Each event's retries, at exactly the same service times: its jitter is its own, not the
    // next draw of a sequence shared in the order handlers finish.
    const retries = (trace: TraceEvent[]) =>
      trace
        .filter((e) => e.type === "async.retry.scheduled")
        .map((e) => `${e.requestId} ${e.at}`)
        .sort();
    expect(retries(a)).toHaveLength(10);
    expect(new Set(retries(a).map((r) => r.split(" ")[1])).size).toBe(10);
    expect(retries(b)).toEqual(retries(a));
  }, 120_000);

  it("moves a shard on at the instant its failed batch went to an OnFailure topic, not at the clock's next timer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-replay-"));
    const file = join(dir, "on-failure-topic.yaml");
    writeFileSync(
      file,
      [
        "seed: 3",
        "duration: 1m",
        "functions:",
        `  clicks: { runtime: nodejs24.x, handler: index.recorder, codeUri: ${code("kinesis-consumer")}, timeout: 5 }`,
        "queues:",
        "  failed-q: {}",
        "topics:",
        "  failed: { subscriptions: [{ protocol: sqs, endpoint: sqs:failed-q }] }",
        "streams:",
        "  clickstream: { shardCount: 1 }",
        "eventSourceMappings:",
        "  - { functionName: clicks, eventSourceArn: kinesis:clickstream, startingPosition: TRIM_HORIZON, batchSize: 5, maximumRetryAttempts: 0, destinationConfig: { onFailure: { destination: 'arn:aws:sns:us-east-1:000000000000:failed' } } }",
        "traffic:",
        "  - put: { stream: clickstream, count: 10, partitionKeys: [a], poison: [0], poisonData: poison }",
        "  - wait: 5s",
        "  - put: { stream: clickstream, count: 1, partitionKeys: [a] }",
        "expect:",
        "  messages: { failed-q: 1 }",
      ].join("\n"),
    );
    const r = await runCli(["run", file, "--trace", join(dir, "a.jsonl")]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const start = Date.UTC(2026, 0, 1);
    const batches = events(join(dir, "a.jsonl")).filter((e) => e.type === "mapping.batch" || e.type === "sns.published").map((e) => `${e.time - start} ${e.type}`);
    // Publishing awaits a commit: unheld, the clock jumped to the next put (5 s) meanwhile, and
    // the record, and the shard's second batch, went out then.
    expect(batches).toEqual(["0 mapping.batch", "0 sns.published", "0 mapping.batch", "5000 mapping.batch"]);
  }, 60_000);
});
