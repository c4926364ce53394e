import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/virtual-clock.ts";
import { lambdaErrors } from "../errors/lambda-errors.ts";
import { TargetRegistry } from "../invocation/targets.ts";
import { loadMigrations } from "../store/migrate.ts";
import { Store } from "../store/store.ts";
import { Telemetry } from "../telemetry/telemetry.ts";
import { CheckpointStore } from "./checkpoint-store.ts";
import type { StreamInvoker } from "./stream-batch-runner.ts";
import { laneOf } from "./stream-batches.ts";
import type { StreamReader, StreamRecord } from "./stream-reader.ts";
import { StreamWorker, type StreamWorkerSettings } from "./stream-worker.ts";

const SHARD = "shardId-000000000000";
const seq = (n: number) => String(n).padStart(6, "0");

/** An in-memory shard: records numbered 1, 2, ... (as zero-padded strings, so they sort). */
class FakeShard implements StreamReader {
  records: StreamRecord[] = [];
  retention = 86_400_000;
  private readonly clock: VirtualClock;
  constructor(clock: VirtualClock) {
    this.clock = clock;
  }
  put(partitionKey: string, data: string): string {
    const s = seq(this.records.length + 1);
    this.records.push({ shardId: SHARD, sequenceNumber: s, partitionKey, arrivalMs: this.clock.now(), eventBytes: data.length, event: { partitionKey, data, sequenceNumber: s }, filterView: () => ({ data }) });
    return s;
  }
  shards = () => [SHARD];
  startAt = () => undefined;
  read = (_: string, after: string | undefined, limit: number) => this.records.filter((r) => r.sequenceNumber > (after ?? "") && this.clock.now() - r.arrivalMs <= this.retention).slice(0, limit);
  wait = (_: string, ms: number, signal: AbortSignal) => this.clock.sleep(ms, signal).catch(() => {});
  retentionMs = () => this.retention;
}

/** The function: each invocation takes `durationMs(batch)` of service time and may fail. */
function fakeInvoker(clock: VirtualClock, behaviour: (batch: { partitionKey: string; data: string; sequenceNumber: string }[]) => { durationMs?: number; error?: boolean; throttle?: boolean; failed?: string[] }) {
  const calls: { data: string[]; start: number; end?: number }[] = [];
  let running = 0;
  let maxRunning = 0;
  let ids = 0;
  const invoker: StreamInvoker = {
    newRequestId: () => `req-${++ids}`,
    async invoke(input) {
      const batch = JSON.parse(input.payload.toString()).Records as { partitionKey: string; data: string; sequenceNumber: string }[];
      const b = behaviour(batch);
      if (b.throttle) throw lambdaErrors.tooManyRequests("ReservedFunctionConcurrentInvocationLimitExceeded");
      const call = { data: batch.map((r) => r.data), start: clock.now() } as { data: string[]; start: number; end?: number };
      calls.push(call);
      running++;
      maxRunning = Math.max(maxRunning, running);
      await clock.sleep(b.durationMs ?? 10);
      running--;
      call.end = clock.now();
      const requestId = `req-${++ids}`;
      const result = { requestId, payload: Buffer.from(b.error ? '{"errorType":"Error"}' : b.failed ? JSON.stringify({ batchItemFailures: b.failed.map((itemIdentifier) => ({ itemIdentifier })) }) : "null"), errorType: b.error ? "Error" : undefined, durationMs: 1, billedDurationMs: 1, maxMemoryUsedMb: 1, coldStart: false, environmentId: "e", logTail: "" };
      return { kind: "result", executedVersion: "$LATEST", result };
    },
  };
  return { invoker, calls, maxRunning: () => maxRunning };
}

const base: StreamWorkerSettings = {
  uuid: "m1",
  functionName: "f",
  functionArn: "arn:aws:lambda:us-east-1:000000000000:function:f",
  sourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/s",
  batchInfoKey: "KinesisBatchInfo",
  batchSize: 2,
  batchWindowMs: 0,
  reportBatchItemFailures: false,
  bisectBatchOnFunctionError: false,
  maximumRetryAttempts: -1,
  maximumRecordAgeInSeconds: -1,
  parallelizationFactor: 1,
  startingPosition: "TRIM_HORIZON",
  tumblingWindowMs: 0,
};

let workers: StreamWorker[] = [];
afterEach(async () => {
  for (const w of workers) await w.stop();
  workers = [];
});

function setup() {
  const clock = new VirtualClock();
  const store = Store.open(undefined, loadMigrations("core", new URL("../store/migrations/", import.meta.url)));
  const checkpoints = new CheckpointStore(store);
  const shard = new FakeShard(clock);
  const failures: unknown[] = [];
  const targets = new TargetRegistry();
  targets.register("sqs", { deliver: async (_arn, body) => void failures.push(JSON.parse(body)) });
  const run = (settings: Partial<StreamWorkerSettings>, invoker: StreamInvoker) => {
    const w = new StreamWorker({ ...base, ...settings }, shard, { invoker, clock, telemetry: new Telemetry(clock), checkpoints, targets });
    workers.push(w);
    w.start();
    return w;
  };
  return { clock, checkpoints, shard, failures, run, checkpoint: () => checkpoints.get("m1", SHARD)?.sequenceNumber };
}

describe("StreamWorker on the VirtualClock (aws-facts §8.2)", () => {
  it("reads a shard in order, in batches, and checkpoints after each batch", async () => {
    const { clock, shard, run, checkpoint } = setup();
    for (const d of ["1", "2", "3", "4", "5"]) shard.put("k", d);
    const fn = fakeInvoker(clock, () => ({}));
    run({}, fn.invoker);
    await clock.advanceBy(5_000);
    expect(fn.calls.map((c) => c.data)).toEqual([["1", "2"], ["3", "4"], ["5"]]);
    expect(checkpoint()).toBe(seq(5));
  });

  it("blocks the shard on a failing batch (retries without end by default) until its records expire, then moves on", async () => {
    const { clock, shard, run, checkpoint, failures } = setup();
    shard.retention = 3_600_000;
    for (const d of ["a", "poison", "b"]) shard.put("k", d);
    const fn = fakeInvoker(clock, (batch) => ({ error: batch.some((r) => r.data === "poison") }));
    run({ batchSize: 10, onFailureDestination: "arn:aws:sqs:us-east-1:000000000000:dlq" }, fn.invoker);
    await clock.advanceBy(30 * 60_000);
    expect(checkpoint()).toBeUndefined();
    const attempts = fn.calls.length;
    // 1 s, 2 s, 4 s ... capped at a minute: about 30 retries in half an hour.
    expect(attempts).toBeGreaterThan(20);
    expect(attempts).toBeLessThan(40);
    await clock.advanceBy(31 * 60_000);
    expect(checkpoint()).toBe(seq(3));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ requestContext: { condition: "RecordAgeExceeded" }, KinesisBatchInfo: { batchSize: 3 } });
    expect(failures[0]).not.toHaveProperty("responseContext");
  });

  it("gives up on records older than MaximumRecordAgeInSeconds: RecordAgeExceeded, then the shard moves on", async () => {
    const { clock, shard, run, checkpoint, failures } = setup();
    shard.put("k", "poison");
    const fn = fakeInvoker(clock, (batch) => ({ error: batch.some((r) => r.data === "poison") }));
    run({ maximumRecordAgeInSeconds: 60, onFailureDestination: "arn:aws:sqs:us-east-1:000000000000:dlq" }, fn.invoker);
    await clock.advanceBy(59_000);
    expect(failures).toHaveLength(0);
    await clock.advanceBy(60_000);
    expect(failures).toMatchObject([{ requestContext: { condition: "RecordAgeExceeded" }, KinesisBatchInfo: { batchSize: 1 } }]);
    expect(checkpoint()).toBe(seq(1));
    shard.put("k", "fine");
    await clock.advanceBy(5_000);
    expect(fn.calls.at(-1)!.data).toEqual(["fine"]);
  });

  it("bisects a failing batch down to the poison record; splits are not retries", async () => {
    const { clock, shard, run, checkpoint, failures } = setup();
    for (const d of ["a", "b", "c", "poison", "d", "e", "f", "g"]) shard.put("k", d);
    const fn = fakeInvoker(clock, (batch) => ({ error: batch.some((r) => r.data === "poison") }));
    run({ batchSize: 8, bisectBatchOnFunctionError: true, maximumRetryAttempts: 2, onFailureDestination: "arn:aws:sqs:us-east-1:000000000000:dlq" }, fn.invoker);
    await clock.advanceBy(60_000);
    // [a b c poison | d e f g] → [a b | c poison] → [c | poison] → poison three times, then [d e f g].
    expect(fn.calls.map((c) => c.data.length)).toEqual([8, 4, 2, 2, 1, 1, 1, 1, 4]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: 3 }, KinesisBatchInfo: { startSequenceNumber: seq(4), endSequenceNumber: seq(4), batchSize: 1 } });
    expect(checkpoint()).toBe(seq(8));
  });

  it("counts at least retries + 1 invocations for a half given up after a partial failure's retry (newuser9 P1-4)", async () => {
    const { clock, shard, run, failures } = setup();
    for (const d of ["a", "poison", "b", "c"]) shard.put("k", d);
    // The poison record is named as failed every time (ReportBatchItemFailures): a partial checkpoint, then halves.
    const fn = fakeInvoker(clock, (batch) => ({ failed: batch.filter((r) => r.data === "poison").map((r) => r.sequenceNumber) }));
    run({ batchSize: 4, bisectBatchOnFunctionError: true, reportBatchItemFailures: true, maximumRetryAttempts: 1, onFailureDestination: "arn:aws:sqs:us-east-1:000000000000:dlq" }, fn.invoker);
    await clock.advanceBy(120_000);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ requestContext: { condition: "RetryAttemptsExhausted" }, KinesisBatchInfo: { batchSize: 1 } });
    expect((failures[0] as { requestContext: { approximateInvokeCount: number } }).requestContext.approximateInvokeCount).toBeGreaterThanOrEqual(2);
  });

  it("backs off on throttles without counting them as retries", async () => {
    const { clock, shard, run, failures } = setup();
    shard.put("k", "x");
    let throttles = 3;
    const fn = fakeInvoker(clock, () => (throttles-- > 0 ? { throttle: true } : { error: true }));
    run({ maximumRetryAttempts: 0, onFailureDestination: "arn:aws:sqs:us-east-1:000000000000:dlq" }, fn.invoker);
    await clock.advanceBy(60_000);
    expect(fn.calls).toHaveLength(1);
    expect(failures[0]).toMatchObject({ requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: 1 } });
  });

  it("with ParallelizationFactor, runs lanes at once, keeps each key's order, and holds the checkpoint at the lowest unfinished record", async () => {
    const { clock, shard, run, checkpoint } = setup();
    // Two keys in different lanes of 3: the slow key comes first in the shard.
    const slow = "slow";
    const fast = ["a", "b", "c", "d", "e"].find((k) => laneOf(k, 3) !== laneOf(slow, 3))!;
    shard.put(slow, "s1");
    for (let i = 1; i <= 4; i++) shard.put(fast, `f${i}`);
    shard.put(slow, "s2");
    const fn = fakeInvoker(clock, (batch) => ({ durationMs: batch[0]!.partitionKey === slow ? 10_000 : 100 }));
    run({ parallelizationFactor: 3, batchSize: 1 }, fn.invoker);
    await clock.advanceBy(1_000);
    // The fast key is done; the slow key's first record still runs, so the checkpoint stays before it.
    expect(fn.calls.filter((c) => c.data[0]!.startsWith("f")).map((c) => c.data[0])).toEqual(["f1", "f2", "f3", "f4"]);
    expect(fn.maxRunning()).toBe(2);
    expect(checkpoint()).toBeUndefined();
    await clock.advanceBy(10_000);
    expect(checkpoint()).toBe(seq(5));
    await clock.advanceBy(10_000);
    expect(fn.calls.filter((c) => c.data[0]!.startsWith("s")).map((c) => c.data[0])).toEqual(["s1", "s2"]);
    expect(checkpoint()).toBe(seq(6));
  });

  it("with ParallelizationFactor, a failing key blocks only its lane: the other keys keep flowing", async () => {
    const { clock, shard, run, checkpoint } = setup();
    const bad = "bad";
    const good = ["a", "b", "c", "d", "e"].find((k) => laneOf(k, 3) !== laneOf(bad, 3))!;
    shard.put(bad, "poison");
    for (let i = 1; i <= 20; i++) shard.put(good, `g${i}`);
    const fn = fakeInvoker(clock, (batch) => ({ error: batch[0]!.partitionKey === bad }));
    run({ parallelizationFactor: 3, batchSize: 1 }, fn.invoker);
    await clock.advanceBy(120_000);
    // Far more than the read-ahead of 6 records: the blocked lane does not hold the others back.
    expect(fn.calls.filter((c) => c.data[0]!.startsWith("g")).map((c) => c.data[0])).toEqual(Array.from({ length: 20 }, (_, i) => `g${i + 1}`));
    expect(fn.calls.filter((c) => c.data[0] === "poison").length).toBeGreaterThan(5);
    expect(checkpoint()).toBeUndefined();
  });

  it("resumes after the durable checkpoint when a new worker starts (at least once)", async () => {
    const { clock, shard, run, checkpoint } = setup();
    for (const d of ["1", "2", "3"]) shard.put("k", d);
    const first = fakeInvoker(clock, () => ({}));
    const w = run({}, first.invoker);
    await clock.advanceBy(5_000);
    await w.stop();
    expect(checkpoint()).toBe(seq(3));
    shard.put("k", "4");
    const second = fakeInvoker(clock, () => ({}));
    run({}, second.invoker);
    await clock.advanceBy(5_000);
    expect(second.calls.map((c) => c.data)).toEqual([["4"]]);
  });
});
